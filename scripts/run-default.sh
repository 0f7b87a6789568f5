#!/usr/bin/env bash
# Runs the main job on the bundled default scenario: rare-earth leachate from Kachin and Shan
# States, Myanmar (scenarios/myanmar-rare-earth.toml), on ETOPO5 with world-atlas borders.
# Usage: scripts/run-default.sh [OUT_DIR]   (default: out/default; replaced if it exists)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/default}
exe=build/cpu/app/leachflow
cmake --preset cpu >/dev/null && cmake --build --preset cpu >/dev/null  # no-op when up to date
scenarios/prepare-default-data.sh scenarios/data/default >/dev/null
"$exe" run scenarios/myanmar-rare-earth.toml -o "$out" --overwrite
"$exe" report "$out"
echo "run-default: outputs in $out (map: $out/peak_map.png, report: $out/report.html)"
