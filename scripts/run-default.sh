#!/usr/bin/env bash
# Runs the main job on the bundled default: the Myanmar rare-earth region on ETOPO5.
# Usage: scripts/run-default.sh [OUT_DIR]   (default: out/default)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/default}
exe=build/cpu/app/leachflow
cmake --preset cpu >/dev/null && cmake --build --preset cpu >/dev/null  # no-op when up to date
dem=$(scenarios/prepare-default-data.sh "$out/data")
"$exe" info "$dem"
if "$exe" terrain --help >/dev/null 2>&1; then
  "$exe" terrain "$dem" -o "$out/terrain" --overwrite
fi
echo "run-default: outputs in $out"
