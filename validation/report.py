#!/usr/bin/python3
"""Write the verification report (OUT_DIR/report.md and OUT_DIR/report.json) from the outputs of
validation/run.sh: leachflow_verify's JSON (analytical cases) and the peer cross-checks' JSON,
exit codes and printed figures. Exit 0 when every case and check passes or is skipped, 1 when any
fails (an analytical case, a peer check exiting 1, or a program that crashed).

Usage: validation/report.py --out-dir DIR --analytical analytical.json --analytical-rc N
           [--peer NAME:JSON:LOG:RC ...] [--command TEXT] [--build DIR]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT, *args], check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(v):
    if v is None:
        return "–"
    if isinstance(v, float):
        return "0" if v == 0 else f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"
    return str(v)


def tolerance_text(case):
    return "; ".join(f"{c['what']} {'≤' if c['op'] == '<=' else '≥'} {fmt(c['limit'])}" for c in case["checks"])


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"{path}: {e}"}


def peer_rows(name, data, rc):
    """One row per peer comparison: (check, peer, figures, required, status, reason)."""
    rows = []
    if name == "crosscheck_terrain":
        for peer in ("saga", "grass"):
            p = data.get(peer, {"status": "FAIL", "reason": data.get("error", "no figures")})
            status = p.get("status", "FAIL")
            if status == "REPORTED":
                status = "PASS (reported, not required)"
            rows.append({"check": name, "peer": {"saga": "SAGA Top-Down D8", "grass": "GRASS r.watershed -s"}[peer],
                         "exact": p.get("exact"), "within_1pct": p.get("within_1pct"),
                         "all_cells_within_1pct": p.get("all_cells_within_1pct"),
                         "required": p.get("required_within_1pct"), "status": status, "reason": p.get("reason", "")})
    else:
        rows.append({"check": name, "peer": "lon/lat grid vs UTM grid (largest basin)",
                     "utm_km2": data.get("utm_km2"), "lonlat_km2": data.get("lonlat_km2"),
                     "rel_difference": data.get("rel_difference"), "required": data.get("limit"),
                     "status": data.get("status", "FAIL"), "reason": data.get("reason", data.get("error", ""))})
    if rc not in (0, 1, 77):
        for r in rows:
            r["status"] = "FAIL"
            r["reason"] = f"script exited with code {rc}"
    elif rc == 1 and not any(r["status"].startswith("FAIL") for r in rows):
        rows[0]["status"] = "FAIL"
        rows[0]["reason"] = "script exited with code 1"
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--analytical", required=True)
    ap.add_argument("--analytical-rc", type=int, required=True)
    ap.add_argument("--peer", action="append", default=[], help="NAME:JSON:LOG:RC")
    ap.add_argument("--command", default=" ".join(sys.argv))
    ap.add_argument("--build", default="")
    a = ap.parse_args()

    ana = load_json(a.analytical)
    cases = ana.get("cases", [])
    analytical_ok = a.analytical_rc in (0, 1) and "error" not in ana and cases
    peers, peer_logs = [], {}
    for spec in a.peer:
        name, jpath, log, rc = spec.split(":")
        rc = int(rc)
        data = load_json(jpath) if os.path.exists(jpath) else {"error": f"{jpath} not written"}
        peers.extend(peer_rows(name, data, rc))
        peer_logs[name] = {"exit_code": rc, "printed": open(log).read().strip() if os.path.exists(log) else "",
                           "explanation": data.get("explanation", {})}

    n_pass = sum(c["status"] == "PASS" for c in cases)
    n_fail = sum(c["status"] != "PASS" for c in cases) + (0 if analytical_ok else 1)
    p_pass = sum(p["status"].startswith("PASS") for p in peers)
    p_fail = sum(p["status"].startswith("FAIL") for p in peers)
    p_skip = sum(p["status"].startswith("SKIPPED") for p in peers)
    worst = {}
    for c in cases:
        w = worst.setdefault(c["family"], {"linf": 0.0, "case": "", "ledger": None, "min_order": None})
        if c["norms"]["linf"] is not None and c["norms"]["linf"] >= w["linf"]:
            w["linf"], w["case"] = c["norms"]["linf"], c["case"]
        led = c["figures"].get("ledger_rel_error")
        if led is not None:
            w["ledger"] = max(w["ledger"] or 0.0, led)
        if c.get("order") is not None:
            w["min_order"] = c["order"] if w["min_order"] is None else min(w["min_order"], c["order"])
    failed = n_fail > 0 or p_fail > 0
    meta = {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": f"{platform.node()} ({platform.system()} {platform.release()}, {cpu_model()}, {os.cpu_count()} cores)",
            "commit": git("rev-parse", "HEAD"), "dirty": git("status", "--porcelain", "--untracked-files=no") != "",
            "command": a.command, "build_dir": a.build, "backend": ana.get("backend"), "threads": ana.get("threads")}
    summary = {"analytical": {"cases": len(cases), "pass": n_pass, "fail": n_fail},
               "peers": {"checks": len(peers), "pass": p_pass, "fail": p_fail, "skipped": p_skip},
               "worst_by_family": worst, "status": "FAIL" if failed else "PASS"}

    os.makedirs(a.out_dir, exist_ok=True)
    doc = {"meta": meta, "summary": summary, "analytical": ana, "peers": peers, "peer_output": peer_logs}
    jpath = os.path.join(a.out_dir, "report.json")
    with open(jpath + ".part", "w") as f:
        json.dump(doc, f, indent=2)
    os.replace(jpath + ".part", jpath)

    L = ["# leachflow verification report", "",
         f"- Date: {meta['date_utc']}", f"- Machine: {meta['machine']}",
         f"- Commit: `{meta['commit']}`" + (" (working tree has uncommitted changes)" if meta["dirty"] else ""),
         f"- Backend: {meta['backend']}, {meta['threads']} threads; build directory `{a.build}`",
         f"- Command: `{a.command}`", "",
         f"**Overall: {summary['status']}** — analytical cases {n_pass} pass / {n_fail} fail of {len(cases)}; "
         f"peer checks {p_pass} pass / {p_fail} fail / {p_skip} skipped.", "",
         "## Summary by family", "",
         "| family | worst L∞ (case) | smallest observed order | worst ledger error |", "|---|---|---|---|"]
    for fam, w in worst.items():
        L.append(f"| {fam} | {fmt(w['linf'])} ({w['case']}) | {fmt(w['min_order'])} | {fmt(w['ledger'])} |")
    if not analytical_ok:
        L += ["", f"leachflow_verify did not produce a report (exit code {a.analytical_rc}): {ana.get('error', '')}"]
    L += ["", "## Analytical cases", "",
          "Norms over the compared values: L1 = mean |e|, L2 = RMS e, L∞ = max |e|, with e relative as stated in "
          "the quantity (validation/README.md). Order: observed order in L1 on the finest halving.", "",
          "| case | quantity | reference | L1 | L2 | L∞ | ledger | order | tolerance | status |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for c in cases:
        status = c["status"]
        if status != "PASS":
            bad = [k for k in c["checks"] if not k["pass"]]
            status += ": " + ("; ".join(f"{k['what']} = {fmt(k['value'])}" for k in bad) or c.get("note", ""))
        n = c["norms"]
        L.append(f"| {c['case']} | {c['quantity']} | {c['reference']} | {fmt(n['l1'])} | {fmt(n['l2'])} | {fmt(n['linf'])} | "
                 f"{fmt(c['figures'].get('ledger_rel_error'))} | {fmt(c.get('order'))} | {tolerance_text(c)} | {status} |")
    L += ["", "Notes (why each tolerance is what it is):", ""]
    L += [f"- {c['case']}: {c.get('note', '')}" for c in cases]
    L += ["", "## Peer cross-checks (Big Tujunga SRTM 30 m)", "",
          "| check | compared with | exact | within 1 % | all cells within 1 % | required | status |", "|---|---|---|---|---|---|---|"]
    for p in peers:
        status = p["status"] + (f" ({p['reason']})" if p.get("reason") else "")
        if p["check"] == "crosscheck_terrain":
            pct = lambda v: "–" if v is None else f"{100 * v:.2f} %"
            L.append(f"| {p['check']} | {p['peer']} | {pct(p['exact'])} | {pct(p['within_1pct'])} | "
                     f"{pct(p['all_cells_within_1pct'])} | {pct(p['required'])} | {status} |")
        else:
            diff = "–" if p.get("rel_difference") is None else f"{100 * p['rel_difference']:.3f} % " \
                   f"(UTM {p['utm_km2']:.3f} km², lon/lat {p['lonlat_km2']:.3f} km²)"
            req = "–" if p.get("required") is None else f"≤ {100 * p['required']:.0f} %"
            L.append(f"| {p['check']} | {p['peer']} | – | difference {diff} | – | {req} | {status} |")
    L += ["", "Why the peers differ where they do:", ""]
    for name, log in peer_logs.items():
        for key, text in log["explanation"].items() if isinstance(log["explanation"], dict) else []:
            L.append(f"- {name}, {key}: {text}")
        if isinstance(log["explanation"], str):
            L.append(f"- {name}: {log['explanation']}")
    L += ["", "Printed by the peer scripts:", ""]
    for name, log in peer_logs.items():
        L += [f"- `{name}` (exit code {log['exit_code']}):", "", "```", log["printed"], "```", ""]
    mpath = os.path.join(a.out_dir, "report.md")
    with open(mpath + ".part", "w") as f:
        f.write("\n".join(L) + "\n")
    os.replace(mpath + ".part", mpath)
    print(f"report: {mpath} and {jpath}: {summary['status']} (analytical {n_pass}/{len(cases)} pass, "
          f"peers {p_pass} pass, {p_fail} fail, {p_skip} skipped)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
