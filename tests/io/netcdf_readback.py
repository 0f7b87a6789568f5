#!/usr/bin/env python3
"""Reads a file written by netcdf_writer_test.cpp (write_standard) with xarray and GDAL.

Checks: dimensions, values at every cell equal the test's formula, CF time decodes to the
right dates, _FillValue becomes NaN, point series and labels; GDAL's geotransform and SRS equal
the grid's, one band per time step, same values. Exit 0 when all hold, 1 on a mismatch, 77 when
xarray or GDAL cannot be imported (the C++ test then skips).

usage: netcdf_readback.py FILE --epsg CODE --geotransform X0 DX RX Y0 RY DY
"""
import argparse
import sys

try:
    import numpy as np
    import xarray as xr
    from osgeo import gdal, osr
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"skipped: {e} (install python3-xarray python3-gdal python3-netcdf4)")
    sys.exit(77)

TIMES = ["2025-01-01T00:00", "2025-01-02T12:00", "2025-02-01T00:00"]  # 0, 1.5, 31 days
FAILURES = []


def check(ok, what):
    if not ok:
        FAILURES.append(what)


def expected(s, t, rows, cols):
    """Same formula as conc() in netcdf_writer_test.cpp; NaN where the writer got NaN."""
    r = np.arange(rows, dtype=np.float32)[:, None]
    c = np.arange(cols, dtype=np.float32)[None, :]
    v = (np.float32(100 * s + 10 * t) + r) + c / np.float32(10.0)
    v = v.astype(np.float32)
    if s == 0 and t == 1:
        v[2, 3] = np.nan
    return v


def check_xarray(path, geographic):
    ydim, xdim = ("lat", "lon") if geographic else ("y", "x")
    with xr.open_dataset(path) as ds:
        check(ds.attrs.get("Conventions") == "CF-1.10", f"Conventions {ds.attrs.get('Conventions')}")
        for s, name in enumerate(["ammonium", "sulfate"]):
            da = ds[name]
            check(da.dims == ("time", ydim, xdim), f"xarray {name} dims {da.dims}")
            check(da.dtype == np.float32, f"xarray {name} dtype {da.dtype}")
            rows, cols = da.shape[1], da.shape[2]
            for t in range(3):
                got = da.isel(time=t).values
                want = expected(s, t, rows, cols)
                check(np.array_equal(got, want, equal_nan=True), f"xarray {name} step {t}: {got} != {want}")
        check(bool(np.isnan(ds["ammonium"].values[1, 2, 3])), "fill did not become NaN")
        check(int(np.isnan(ds["ammonium"].values).sum()) == 1, "more than one NaN in ammonium")
        times = ds["time"].values
        want_times = np.array(TIMES, dtype="datetime64[ns]")
        check(times.dtype.kind == "M", f"time not decoded to dates: {times.dtype}")
        check(np.array_equal(times, want_times), f"time {times} != {want_times}")
        check(ds[ydim].values[0] > ds[ydim].values[-1], "y/lat not north first")
        check(bool(np.isnan(ds["cell_area"].values[0, 0])), "cell_area fill not NaN")
        labels = [str(v) for v in ds["crossing_label"].values]
        check(labels == ["Tha Ton", "Mae Sai"], f"labels {labels}")
        flux = ds["crossing_flux"].values
        check(np.array_equal(flux, np.array([[1.0, 0.0], [2.0, np.nan], [3.0, 4.0]]), equal_nan=True),
              f"crossing_flux {flux}")
        # crossing_lon/lat are auxiliary coordinates of the series via `coordinates`.
        check("crossing_lon" in ds["crossing_flux"].coords, "crossing_lon not a coordinate of crossing_flux")


def check_gdal(path, epsg, geotransform):
    gdal.UseExceptions()
    ds = gdal.Open(f'NETCDF:"{path}":ammonium')
    check(ds is not None, "GDAL cannot open the ammonium subdataset")
    if ds is None:
        return
    check(ds.RasterCount == 3, f"GDAL band count {ds.RasterCount}")
    gt = ds.GetGeoTransform()
    scale = max(abs(geotransform[1]), abs(geotransform[5]))
    check(all(abs(a - b) <= 1e-6 * scale for a, b in zip(gt, geotransform)),
          f"GDAL geotransform {gt} != {geotransform}")
    srs = osr.SpatialReference(wkt=ds.GetProjection())
    want = osr.SpatialReference()
    want.ImportFromEPSG(epsg)
    check(srs.IsSame(want) == 1, f"GDAL SRS {srs.GetName()} is not EPSG:{epsg}")
    for b in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(b)
        got = band.ReadAsArray().astype(np.float32)
        nodata = band.GetNoDataValue()
        check(nodata is not None and np.float32(nodata) == np.float32(9.96921e36), f"band {b} nodata {nodata}")
        if nodata is not None:
            got[got == np.float32(nodata)] = np.nan
        want_v = expected(0, b - 1, ds.RasterYSize, ds.RasterXSize)
        check(np.array_equal(got, want_v, equal_nan=True), f"GDAL band {b}: {got} != {want_v}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--epsg", type=int, required=True)
    p.add_argument("--geotransform", type=float, nargs=6, required=True)
    a = p.parse_args()
    geographic = a.epsg == 4326
    check_xarray(a.file, geographic)
    check_gdal(a.file, a.epsg, a.geotransform)
    for f in FAILURES:
        print("FAIL:", f)
    if FAILURES:
        return 1
    print(f"ok: xarray {xr.__version__}, GDAL {gdal.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
