#!/usr/bin/env python3
"""Per-workload view of one `harness run` results file against the peers (README, issue 11).

Usage: scripts/performance-targets.py RESULTS.json [--reference mimalloc] [--unchecked NAME]

One row per workload: the best peer (highest median mallocs/s), the best default variant's
ratio to it, baseline's and the worst default variant's ratio to the reference, the largest
peak RSS of a default variant against the reference's, and (with --unchecked) the ratio of a
variant built without free()'s checks. Ratios are the run summary's: median of per-round
ratios, bootstrap 95 % CI, * = significant, uncorrected. Nothing is recomputed but RSS ratios.
"""
import argparse
import json


def ratio_text(cell, ref):
    r = next((x for x in cell.get("ratios", []) if x["reference"] == ref), None) if cell else None
    if r is None:
        return None, "n/a"
    star = "*" if r.get("significant") else ""
    return r["ratio"], f"{r['ratio']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}]{star}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--reference", default="mimalloc")
    ap.add_argument("--unchecked", default="sweep-baseline-checked_free-0")
    a = ap.parse_args()
    doc = json.load(open(a.results))
    ref = a.reference
    cells = {(c["workload"], c["allocator"]): c for c in doc["summary"]["cells"]}
    allocators = doc["config"]["allocators"]
    peers = [x["name"] for x in allocators if x["kind"] == "peer"]
    variants = [x["name"] for x in allocators if x["kind"] == "variant" and "default" in (x.get("sets") or [])]
    unchecked = a.unchecked if any(x["name"] == a.unchecked for x in allocators) else None
    head = (f"| workload | best peer | best variant / best peer [95% CI] | baseline / {ref} [95% CI] "
            f"| worst variant / {ref} | max peak RSS / {ref} |")
    sep = "|---|---|---|---|---|---|"
    if unchecked:
        head += f" {unchecked} / {ref} |"
        sep += "---|"
    print(head)
    print(sep)

    def median(w, name):
        c = cells.get((w, name))
        return c["mallocs_per_sec"]["median"] if c and c.get("n_ok") else 0.0

    for wl in doc["config"]["workloads"]:
        w = wl["name"]
        best_peer = max(peers, key=lambda p: median(w, p))
        scored = [(v, ratio_text(cells.get((w, v)), best_peer)) for v in variants]
        scored = [(v, t) for v, t in scored if t[0] is not None]
        vs_ref = [(v, ratio_text(cells.get((w, v)), ref)) for v in variants]
        vs_ref = [(v, t) for v, t in vs_ref if t[0] is not None]
        if not scored or not vs_ref:
            print(f"| {w} | {best_peer} | n/a | n/a | n/a | n/a |" + (" n/a |" if unchecked else ""))
            continue
        bv, (_, bt) = max(scored, key=lambda x: x[1][0])
        wv, (_, wt) = min(vs_ref, key=lambda x: x[1][0])
        base_t = ratio_text(cells.get((w, "baseline")), ref)[1]
        ref_rss = (cells.get((w, ref)) or {}).get("peak_rss_kib_median") or 0
        rss = [((cells.get((w, v)) or {}).get("peak_rss_kib_median") or 0, v) for v in variants]
        top_rss, top_v = max(rss)
        rss_t = f"{top_rss / ref_rss:.2f} ({top_v})" if ref_rss else "n/a"
        row = f"| {w} | {best_peer} | {bv} {bt} | {base_t} | {wv} {wt} | {rss_t} |"
        if unchecked:
            row += f" {ratio_text(cells.get((w, unchecked)), ref)[1]} |"
        print(row)


if __name__ == "__main__":
    main()
