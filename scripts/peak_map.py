#!/usr/bin/python3
"""PNG quicklook of a leachflow run: peak concentration per species on the stream network, with
the streams, borders, pits, settlements (red where above the guideline) and a scale bar; one
panel per species, logarithmic colours in mg/L with the guideline marked on the colour bar.

Reads RUN_DIR/peak_<species>.tif (written by `leachflow run`); borders and pits from any OGR
layer (a layer without a CRS, such as world-atlas TopoJSON, is taken as lon/lat WGS84).
Crossings (RUN_DIR/crossings.csv, when present) are marked and the largest ones labelled.
Usage: peak_map.py --run DIR --out PNG [--borders FILE] [--name-field name] [--pits FILE]
"""
import argparse
import csv
import glob
import math
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()


def layer_lines(path, srs_target, bounds, layer_name=None):
    """Polygon rings / points of an OGR layer in the raster's CRS, clipped to bounds."""
    ds = ogr.Open(path)
    layer = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    if layer is None:
        layer = ds.GetLayer(0)
    src = layer.GetSpatialRef()
    if src is None:
        src = osr.SpatialReference()
        src.ImportFromEPSG(4326)
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, srs_target)
    x0, x1, y0, y1 = bounds
    out = []
    for f in layer:
        g = f.GetGeometryRef()
        if g is None:
            continue
        g = g.Clone()
        g.Transform(ct)
        ex = g.GetEnvelope()
        if ex[1] < x0 or ex[0] > x1 or ex[3] < y0 or ex[2] > y1:
            continue
        out.append((f, g))
    return out


def rings(geom):
    t = ogr.GT_Flatten(geom.GetGeometryType())
    if t == ogr.wkbPolygon:
        for i in range(geom.GetGeometryCount()):
            yield np.array(geom.GetGeometryRef(i).GetPoints())[:, :2]
    elif t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        for i in range(geom.GetGeometryCount()):
            yield from rings(geom.GetGeometryRef(i))


def river_mask(run_dir, shape, factor=30.0):
    """The larger rivers of the run: stream cells (NetCDF static field `stream`) whose contributing
    area is at least `factor` times the stream threshold (the smallest stream's area), so the map
    shows the river network rather than every headwater. None when the fields were not written."""
    for nc in sorted(glob.glob(os.path.join(run_dir, "*.nc"))):
        if nc.endswith(".partial.nc"):
            continue
        try:
            # Keep the datasets alive while their bands are read (GDAL's Python bindings crash otherwise).
            sds = gdal.Open(f'NETCDF:"{nc}":stream')
            ads = gdal.Open(f'NETCDF:"{nc}":contributing_area')
            s = sds.GetRasterBand(1).ReadAsArray()
            a = ads.GetRasterBand(1).ReadAsArray().astype(float)
        except (RuntimeError, AttributeError):
            continue
        if s.shape != shape or a.shape != shape:
            continue
        on = (s == 1) & np.isfinite(a) & (a > 0)
        if not on.any():
            return on
        return on & (a >= factor * a[on].min())
    return None


def nice_length_km(width_km):
    """A 1-2-5 length near a fifth of the map's width, for the scale bar."""
    target = max(width_km / 5.0, 1e-3)
    k = 10.0 ** math.floor(math.log10(target))
    return min((m * k for m in (1, 2, 5, 10)), key=lambda v: abs(v - target))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--borders")
    ap.add_argument("--borders-layer", default="countries")
    ap.add_argument("--name-field", default="name")
    ap.add_argument("--pits")
    ap.add_argument("--labels", type=int, default=4, help="crossings labelled per panel")
    a = ap.parse_args()
    crossings = []
    cpath = os.path.join(a.run, "crossings.csv")
    if os.path.exists(cpath):
        with open(cpath) as f:
            crossings = list(csv.DictReader(f))

    settlements = []
    spath = os.path.join(a.run, "settlements.csv")
    if os.path.exists(spath):
        with open(spath) as f:
            settlements = list(csv.DictReader(f))

    tifs = sorted(glob.glob(os.path.join(a.run, "peak_*.tif")))
    if not tifs:
        sys.exit(f"peak_map: no peak_*.tif in {a.run}; fix: run `leachflow run` first")
    n = len(tifs)
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 6.2), squeeze=False)
    for ax, tif in zip(axes[0], tifs):
        ds = gdal.Open(tif)
        b = ds.GetRasterBand(1)
        z = b.ReadAsArray().astype(float)
        z[z == b.GetNoDataValue()] = np.nan
        gt = ds.GetGeoTransform()
        srs = osr.SpatialReference(wkt=ds.GetProjection())
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        x0, y1 = gt[0], gt[3]
        x1, y0 = x0 + gt[1] * ds.RasterXSize, y1 + gt[5] * ds.RasterYSize
        md = ds.GetMetadata()
        name = os.path.basename(tif)[5:-4]
        guide = float(md.get("GUIDELINE_MG_L", "0") or 0)
        pos = z[np.isfinite(z) & (z > 0)]
        ax.set_facecolor("#f4f1ea")
        streams = river_mask(a.run, z.shape)
        if streams is None:
            streams = np.isfinite(z)
        ax.imshow(np.where(streams, 1.0, np.nan), extent=(x0, x1, y0, y1), origin="upper",
                  cmap=mcolors.ListedColormap(["#9ecae1"]), interpolation="nearest")
        ax.plot([], [], color="#9ecae1", lw=3, label="rivers")  # legend entry for the raster above
        if pos.size:
            vmax = float(np.nanmax(pos))
            vmin = max(vmax * 1e-4, float(np.nanmin(pos)))
            im = ax.imshow(np.where(z > 0, z, np.nan), extent=(x0, x1, y0, y1), origin="upper",
                           norm=mcolors.LogNorm(vmin=vmin, vmax=vmax), cmap="inferno_r", interpolation="nearest")
            cb = fig.colorbar(im, ax=ax, orientation="horizontal", pad=0.1, fraction=0.05)
            cb.set_label(f"peak {name}, mg/L" + (f" (guideline {guide:g} mg/L)" if guide > 0 else ""))
            if guide > 0 and vmin < guide < vmax:
                cb.ax.axvline(guide, color="cyan", lw=2)
        if a.borders:
            for f, g in layer_lines(a.borders, srs, (x0, x1, y0, y1), a.borders_layer):
                for r in rings(g):
                    ax.plot(r[:, 0], r[:, 1], color="#444444", lw=0.6)
        if a.pits:
            pts = [g.GetPoint(0)[:2] for f, g in layer_lines(a.pits, srs, (x0, x1, y0, y1))]
            if pts:
                p = np.array(pts)
                ax.scatter(p[:, 0], p[:, 1], marker="^", s=28, color="#1f77b4", edgecolor="white", lw=0.6,
                           label="leaching pits", zorder=5)
        places = [p for p in settlements if p["species"] == name and p["lon"]]
        if places:
            wgs = osr.SpatialReference()
            wgs.ImportFromEPSG(4326)
            wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            ct = osr.CoordinateTransformation(wgs, srs)
            for above, colour, label in ((False, "#555555", "settlements"), (True, "#d62728", "settlements above guideline")):
                pts = [ct.TransformPoint(float(p["lon"]), float(p["lat"]))[:2] for p in places
                       if (p.get("above_guideline") == "yes") == above]
                if pts:
                    q = np.array(pts)
                    ax.scatter(q[:, 0], q[:, 1], marker="s", s=14, color=colour, edgecolor="white", lw=0.4,
                               label=label, zorder=6)
        rows = [c for c in crossings if c["species"] == name and float(c["peak_flux_kg_day"]) > 0]
        if rows:
            wgs = osr.SpatialReference()
            wgs.ImportFromEPSG(4326)
            wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            ct = osr.CoordinateTransformation(wgs, srs)
            pts = [ct.TransformPoint(float(c["lon"]), float(c["lat"]))[:2] for c in rows]
            p = np.array(pts)
            ax.scatter(p[:, 0], p[:, 1], marker="o", s=36, facecolor="none", edgecolor="#008b8b", lw=1.4,
                       label="border crossings", zorder=6)
            top = sorted(range(len(rows)), key=lambda k: -float(rows[k]["peak_flux_kg_day"]))[: a.labels]
            offsets = [(8, 6), (8, -16), (-78, 6), (-78, -16), (8, 20), (-78, 20)]
            for n, k in enumerate(top):
                c = rows[k]
                ax.annotate(f"{c['from_region']}→{c['to_region']}\n{float(c['peak_flux_kg_day']):.3g} kg/d",
                            pts[k], xytext=offsets[n % len(offsets)], textcoords="offset points",
                            arrowprops=dict(arrowstyle="-", color="#008b8b", lw=0.5), fontsize=6.5, color="#004d4d",
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7), zorder=7)
        ax.legend(loc="lower left", fontsize=8)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_title(f"peak {name}")
        # Scale bar: a 1-2-5 length near a fifth of the width, measured along the bottom of the map.
        ybar = y0 + 0.06 * (y1 - y0)
        if srs.IsGeographic():
            km_per_x = 111.32 * math.cos(math.radians(ybar))
            ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (y0 + y1))))
            ax.set_xlabel("longitude (deg E)")
            ax.set_ylabel("latitude (deg N)")
        else:
            km_per_x = srs.GetLinearUnits() / 1000.0
            ax.set_aspect("equal")
        km = nice_length_km((x1 - x0) * km_per_x)
        dx = km / km_per_x
        sx = x0 + 0.6 * (x1 - x0)
        ax.plot([sx, sx + dx], [ybar, ybar], color="black", lw=3)
        ax.text(sx + dx / 2, ybar + 0.015 * (y1 - y0), f"{km:g} km", ha="center", fontsize=8)
    fig.suptitle("leachflow: peak concentration on streams", fontsize=12)
    fig.tight_layout()
    tmp = a.out + ".part.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, a.out)
    print(a.out)


if __name__ == "__main__":
    main()
