#!/usr/bin/env python3
"""Markdown performance table of one `harness run --callgrind` results file.

Usage: scripts/performance-table.py RESULTS.json [--reference mimalloc]
       scripts/performance-table.py RESULTS.json --mispredictions ALLOCATOR,...   (one column each)

One row per (workload, allocator): median mallocs/s, the ratio to the reference allocator
measured in the same rounds (median of per-round ratios, its bootstrap CI, * when the run's
summary marks it significant, uncorrected), peak RSS and its ratio to the reference's, the
median page faults per timed child (the kernel side: memory given back and faulted in again),
and instructions and simulated mispredictions (conditional + indirect) per malloc from the run's
callgrind counts. Everything is read from the file; nothing is recomputed but the RSS ratio.
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--reference", default="mimalloc")
    ap.add_argument("--mispredictions", help="comma-separated allocators: a workload x allocator table "
                    "of simulated mispredictions per malloc instead")
    a = ap.parse_args()
    doc = json.load(open(a.results))
    if a.mispredictions:
        return mispredictions_table(doc, a.mispredictions.split(","))
    ref = a.reference
    if ref not in doc["summary"]["references"]:
        raise SystemExit(f"{a.results}: {ref} is not a reference of the run's summary")
    cells = {(c["workload"], c["allocator"]): c for c in doc["summary"]["cells"]}
    counts = {(i["workload"], i["allocator"]): i for i in doc.get("instructions", []) if i.get("status") == "ok"}
    order = [s["name"] for s in doc["config"]["allocators"]]
    workloads = [w["name"] for w in doc["config"]["workloads"]]
    print(f"| workload | allocator | M mallocs/s | vs {ref} [95% CI] | peak RSS KiB (vs {ref}) "
          "| faults/child | instr/malloc | mispred/malloc |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for w in workloads:
        ref_rss = cells.get((w, ref), {}).get("peak_rss_kib_median") or 0
        for name in order:
            c = cells.get((w, name))
            if not c or not c.get("n_ok"):
                print(f"| {w} | {name} | {'failed' if c else 'not timed'} | | | | | |")
                continue
            mps = c["mallocs_per_sec"]["median"] / 1e6
            r = next((x for x in c.get("ratios", []) if x["reference"] == ref), None)
            ratio = "—" if name == ref or r is None else (
                f"{r['ratio']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]{'*' if r.get('significant') else ''}")
            rss = c.get("peak_rss_kib_median") or 0
            rss_cell = f"{rss:,.0f}" + (f" ({rss / ref_rss:.2f})" if ref_rss and name != ref else "")
            i = counts.get((w, name))
            ipm = f"{i['instructions_per_malloc']:.1f}" if i else ""
            mp = ""
            if i and i.get("mechanism") and i.get("mallocs"):
                m = i["mechanism"]
                mp = f"{(m['cond_mispredicts'] + m['indirect_mispredicts']) / i['mallocs']:.4f}"
            faults = c.get("page_faults_median")
            fc = f"{faults:,.0f}" if faults is not None else ""
            print(f"| {w} | {name} | {mps:.1f} | {ratio} | {rss_cell} | {fc} | {ipm} | {mp} |")


def mispredictions_table(doc, names):
    counts = {(i["workload"], i["allocator"]): i for i in doc.get("instructions", []) if i.get("status") == "ok"}
    print("| workload | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for wl in doc["config"]["workloads"]:
        w = wl["name"]
        row = []
        for n in names:
            i = counts.get((w, n))
            m = i.get("mechanism") if i else None
            row.append(f"{(m['cond_mispredicts'] + m['indirect_mispredicts']) / i['mallocs']:.4f}"
                       if m and i.get("mallocs") else "")
        print(f"| {w} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
