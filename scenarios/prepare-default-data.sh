#!/usr/bin/env bash
# Recipe for the bundled default's DEM: ETOPO5 (5 arc-minute, NOAA, public domain) from Debian's
# ferret-datasets, cropped to 92–102 E, 17–29 N (Kachin and Shan States and the Irrawaddy,
# Salween and Mekong headwaters), tagged WGS84 (the file carries no CRS), with the sea
# (elevation <= 0) set to NoData so rivers leave the domain at the coast.
# Country borders: the npm package world-atlas (Natural Earth 1:10m, public domain), file
# countries-10m.json (TopoJSON; GDAL reads it; field `name`), copied to OUT_DIR.
# Usage: scenarios/prepare-default-data.sh OUT_DIR   (prints the DEM's path)
set -euo pipefail
out=${1:?usage: prepare-default-data.sh OUT_DIR}
src=/usr/share/ferret-vis/data/etopo5.cdf
if [ ! -f "$src" ]; then
  echo "prepare-default-data: $src not found; fix: apt-get install ferret-datasets (scripts/setup.sh does)" >&2
  exit 2
fi
mkdir -p "$out"
if [ -f "$out/etopo5_myanmar.tif" ] && [ -f "$out/countries-10m.json" ]; then echo "$out/etopo5_myanmar.tif"; exit 0; fi
tmp="$out/.etopo5_crop.tif"
gdal_translate -q -a_srs EPSG:4326 -projwin 92 29 102 17 "NETCDF:$src:ROSE" "$tmp"
/usr/bin/python3 - "$tmp" "$out/etopo5_myanmar.tif" <<'PY'
import sys
import numpy as np
from osgeo import gdal
gdal.UseExceptions()
src = gdal.Open(sys.argv[1])
z = src.GetRasterBand(1).ReadAsArray().astype(np.float32)
z[z <= 0] = -9999.0  # sea: outside the domain
drv = gdal.GetDriverByName("GTiff")
dst = drv.Create(sys.argv[2] + ".part", src.RasterXSize, src.RasterYSize, 1, gdal.GDT_Float32,
                 ["COMPRESS=DEFLATE", "TILED=YES"])
dst.SetGeoTransform(src.GetGeoTransform())
dst.SetProjection(src.GetProjection())
b = dst.GetRasterBand(1)
b.SetNoDataValue(-9999.0)
b.WriteArray(z)
dst = None
import os
os.replace(sys.argv[2] + ".part", sys.argv[2])
PY
rm -f "$tmp"

if [ ! -f "$out/countries-10m.json" ]; then
  if ! command -v npm >/dev/null; then
    echo "prepare-default-data: npm not found; fix: apt-get install npm (or Node.js with npm), then rerun" >&2
    exit 2
  fi
  npm_dir=$(mktemp -d)
  npm install --silent --no-save --no-audit --no-fund --prefix "$npm_dir" world-atlas@2 >&2
  cp "$npm_dir/node_modules/world-atlas/countries-10m.json" "$out/countries-10m.json.part"
  mv "$out/countries-10m.json.part" "$out/countries-10m.json"
  rm -rf "$npm_dir"
fi
echo "$out/etopo5_myanmar.tif"
