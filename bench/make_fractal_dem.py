#!/usr/bin/python3
"""Fractal (1/f^beta spectral synthesis) DEM for benchmarks: rough, with many pits and flats.

Usage: make_fractal_dem.py SIZE OUT.tif [--seed N] [--beta 2.2] [--relief 1500]
Writes a north-up Float32 GeoTIFF in UTM 47N (EPSG:32647) with 30 m cells, values rounded to
0.1 m (so flats exist, as in real integer DEMs).
"""
import argparse
import os

import numpy as np
from osgeo import gdal, osr


def fractal_surface(n, beta, seed):
    rng = np.random.default_rng(seed)
    kx = np.fft.fftfreq(n)[:, None]
    ky = np.fft.rfftfreq(n)[None, :]
    k = np.sqrt(kx * kx + ky * ky)
    k[0, 0] = 1.0
    amp = k ** (-beta / 2.0)
    amp[0, 0] = 0.0
    phase = rng.uniform(0, 2 * np.pi, size=amp.shape)
    spec = (amp * np.exp(1j * phase)).astype(np.complex64)
    z = np.fft.irfft2(spec, s=(n, n)).astype(np.float32)
    z -= z.min()
    z /= max(float(z.max()), 1e-12)
    return z


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("size", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--beta", type=float, default=2.2)
    ap.add_argument("--relief", type=float, default=1500.0)
    a = ap.parse_args()
    z = fractal_surface(a.size, a.beta, a.seed) * a.relief + 200.0
    z = np.round(z * 10.0) / 10.0
    drv = gdal.GetDriverByName("GTiff")
    tmp = a.out + ".part"
    ds = drv.Create(tmp, a.size, a.size, 1, gdal.GDT_Float32,
                    ["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"])
    ds.SetGeoTransform((500000.0, 30.0, 0.0, 2800000.0, 0.0, -30.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32647)
    ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-9999.0)
    band.WriteArray(z)
    ds = None
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
