#!/usr/bin/env bash
# Installs what leachflow needs from Debian's packages and builds the cpu preset.
# Run as root (or it uses sudo). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

export DEBIAN_FRONTEND=noninteractive
mapfile -t pkgs < <(grep -v '^\s*#' scripts/packages.txt | grep -v '^\s*$')
# Thrust/CUB: the CUDA toolkit's CCCL where present; Debian's 1.17 would shadow it, so only
# install Debian's as the fallback on machines without the toolkit.
if [ ! -d /usr/local/cuda/include/cccl/thrust ]; then pkgs+=(libthrust-dev libcub-dev); fi

# npm fetches the default scenario's borders (world-atlas); Node.js may come from elsewhere
# (NodeSource), whose npm Debian's package would conflict with, so only install it when absent.
command -v npm >/dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake --preset cpu >/dev/null
cmake --build --preset cpu
echo "setup: built build/cpu/app/leachflow"
