#!/usr/bin/env bash
# Builds the cpu and kokkos presets (warnings are errors) and runs the whole test suite on both.
# The same tests run on every backend that can run here; the cuda preset is compiled by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for preset in cpu kokkos; do
  cmake --preset "$preset" -DLEACHFLOW_WERROR=ON >/dev/null
  cmake --build --preset "$preset"
  echo "== tests on the $preset preset =="
  ctest --preset "$preset" -j2 || status=1
done
exit $status
