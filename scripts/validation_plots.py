#!/usr/bin/python3
"""PNG plots of `leachflow validate`: per species a log-log scatter of observed against modelled
concentration (1:1 line and factor-of-2 lines; censored samples as open markers at their
detection limit; n and RMSE of log10 in the title; mg/L on both axes), and a map of the
stations coloured by their mean log10(model/observed) (diverging colours centred on 0).

Reads DIR/pairs.csv and DIR/metrics.json; writes DIR/scatter_<species>.png and
DIR/residual_map.png, each via a .part file renamed when complete.
Usage: validation_plots.py --dir DIR
"""
import argparse
import csv
import json
import math
import os
import re
import sys
from collections import defaultdict

import matplotlib
matplotlib.use("Agg")
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker

FLOOR_MG_L = 1e-6  # as the metrics (model/validation/metrics.hpp)


def save(fig, path):
    tmp = path + ".part"
    fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)


def read_pairs(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in ("observed_mg_l", "model_mg_l", "log10_ratio", "lon", "lat"):
            r[k] = float(r[k])
        r["censored"] = r["censored"] == "true"
    return rows


def scatter(rows, species, metrics, out):
    fig, ax = plt.subplots(figsize=(5.5, 5.2))
    obs = [r["observed_mg_l"] for r in rows]
    mod = [max(r["model_mg_l"], FLOOR_MG_L) for r in rows]
    lo = min(obs + mod) / 2
    hi = max(obs + mod) * 2
    if not (lo > 0 and hi > lo):
        lo, hi = 1e-3, 1e3
    xs = [lo, hi]
    ax.plot(xs, xs, color="black", lw=1, label="1:1")
    ax.plot(xs, [2 * x for x in xs], color="grey", lw=0.8, ls="--", label="factor of 2")
    ax.plot(xs, [x / 2 for x in xs], color="grey", lw=0.8, ls="--")
    det = [(o, m) for o, m, r in zip(obs, mod, rows) if not r["censored"]]
    cen = [(o, m) for o, m, r in zip(obs, mod, rows) if r["censored"]]
    if det:
        ax.scatter([d[0] for d in det], [d[1] for d in det], s=22, color="tab:blue", label="measured")
    if cen:
        ax.scatter([c[0] for c in cen], [c[1] for c in cen], s=26, facecolors="none", edgecolors="tab:red",
                   label="below detection (at DL)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel(f"observed {species} (mg/L)")
    ax.set_ylabel(f"modelled {species} (mg/L)")
    m = metrics.get("species", {}).get(species, {})
    rmse = m.get("rmse_log10")
    rmse_text = f"{rmse:.3f}" if isinstance(rmse, (int, float)) else "-"
    ax.set_title(f"{species}: n = {len(rows)}, RMSE log10 = {rmse_text}")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(True, which="both", lw=0.3, alpha=0.5)
    save(fig, out)


def residual_map(rows, out):
    by_station = defaultdict(list)
    where = {}
    for r in rows:
        by_station[r["station_id"]].append(r["log10_ratio"])
        where[r["station_id"]] = (r["lon"], r["lat"])
    ids = sorted(by_station)
    lon = [where[i][0] for i in ids]
    lat = [where[i][1] for i in ids]
    mean = [sum(by_station[i]) / len(by_station[i]) for i in ids]
    lim = max([abs(v) for v in mean] + [0.1])
    fig, ax = plt.subplots(figsize=(6, 5))
    sc = ax.scatter(lon, lat, c=mean, cmap="RdBu_r", norm=mcolors.TwoSlopeNorm(vmin=-lim, vcenter=0.0, vmax=lim),
                    s=60, edgecolors="black", linewidths=0.5)
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label("mean log10(model / observed)")
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title(f"residuals at {len(ids)} station(s)")
    ax.xaxis.set_major_locator(mticker.MaxNLocator(4))
    ax.yaxis.set_major_locator(mticker.MaxNLocator(5))
    ax.xaxis.set_major_formatter(mticker.FormatStrFormatter("%.3f"))
    ax.yaxis.set_major_formatter(mticker.FormatStrFormatter("%.3f"))
    ax.margins(0.15)
    ax.set_aspect(1.0 / max(0.05, math.cos(math.radians(sum(lat) / len(lat)))), adjustable="datalim")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    ax.grid(True, lw=0.3, alpha=0.5)
    save(fig, out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    a = p.parse_args()
    rows = read_pairs(os.path.join(a.dir, "pairs.csv"))
    with open(os.path.join(a.dir, "metrics.json")) as f:
        metrics = json.load(f)
    if not rows:
        print("no pairs: nothing to plot")
        return 0
    species = defaultdict(list)
    for r in rows:
        species[r["species"]].append(r)
    for name, rs in species.items():
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        scatter(rs, name, metrics, os.path.join(a.dir, f"scatter_{safe}.png"))
    residual_map(rows, os.path.join(a.dir, "residual_map.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
