#!/usr/bin/env bash
# The verification suite in one command (validation/README.md):
#   validation/run.sh [BUILD_DIR] [OUT_DIR]        (defaults: build/cpu, out/validation)
# Builds leachflow_verify and leachflow in BUILD_DIR (a configured CMake build directory), runs
# the analytical cases, the peer cross-checks (SAGA, GRASS) and the lon/lat-vs-UTM check, and
# writes OUT_DIR/report.md and OUT_DIR/report.json. Exit 0 when everything passes or is skipped,
# 1 when anything fails, 2 when the build directory is unusable or the build fails.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-build/cpu}"
OUT="${2:-out/validation}"
COMMAND="$0 $*"
# Relative paths are taken from the current directory, or else from the checkout's root.
[[ -d "$BUILD" || "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  echo "validation/run.sh: error: $BUILD is not a configured build directory; configure it first, e.g. cmake --preset cpu -B $BUILD" >&2
  exit 2
fi
PY=/usr/bin/python3
cmake --build "$BUILD" -j2 --target leachflow_verify leachflow || {
  echo "validation/run.sh: error: building leachflow_verify and leachflow in $BUILD failed (see above)" >&2
  exit 2
}
BUILD="$(cd "$BUILD" && pwd)"
mkdir -p "$OUT/work"
OUT="$(cd "$OUT" && pwd)"
rm -f "$OUT"/analytical.json "$OUT"/crosscheck_terrain.json "$OUT"/latlon_vs_utm.json  # no stale figures

echo "== analytical cases (leachflow_verify)"
OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" "$BUILD/validation/leachflow_verify" --out "$OUT/analytical.json" | tee "$OUT/analytical.log"
ana_rc=${PIPESTATUS[0]}

echo "== peers: contributing areas vs SAGA and GRASS"
"$PY" "$ROOT/validation/peers/crosscheck_terrain.py" --exe "$BUILD/app/leachflow" --work "$OUT/work/crosscheck" \
  --json "$OUT/crosscheck_terrain.json" | tee "$OUT/crosscheck_terrain.log"
cc_rc=${PIPESTATUS[0]}

echo "== geographic: lon/lat grid vs UTM grid"
"$PY" "$ROOT/validation/geographic/latlon_vs_utm.py" --exe "$BUILD/app/leachflow" --work "$OUT/work/latlon" \
  --json "$OUT/latlon_vs_utm.json" | tee "$OUT/latlon_vs_utm.log"
geo_rc=${PIPESTATUS[0]}

echo "== report"
"$PY" "$ROOT/validation/report.py" --out-dir "$OUT" --analytical "$OUT/analytical.json" --analytical-rc "$ana_rc" \
  --peer "crosscheck_terrain:$OUT/crosscheck_terrain.json:$OUT/crosscheck_terrain.log:$cc_rc" \
  --peer "latlon_vs_utm:$OUT/latlon_vs_utm.json:$OUT/latlon_vs_utm.log:$geo_rc" \
  --command "$COMMAND" --build "$BUILD"
