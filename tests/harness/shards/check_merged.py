#!/usr/bin/env python3
"""Checks a `harness merge` output: complete, no config.shard, one record per shard in
context.shards, allocators x workloads cells with `rounds` samples each; with --like WHOLE, the
same config, cells, sample counts and summary cells as the unsharded run WHOLE.
Usage: check_merged.py MERGED --shards N --rounds R --allocators A --workloads W [--like WHOLE]"""
import argparse
import collections
import json
import sys


def cells(doc):
    return collections.Counter((s["allocator"], s["workload"]) for s in doc["samples"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("merged")
    p.add_argument("--shards", type=int, required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--allocators", type=int, required=True)
    p.add_argument("--workloads", type=int, required=True)
    p.add_argument("--like")
    a = p.parse_args()
    m = json.load(open(a.merged))
    errors = []

    def expect(cond, what):
        if not cond:
            errors.append(what)

    expect(m["complete"] is True, "complete is not true")
    expect(m["rounds_completed"] == a.rounds, f"rounds_completed {m['rounds_completed']} != {a.rounds}")
    expect("shard" not in m["config"], "config.shard is still there")
    expect([s["index"] for s in m["context"].get("shards", [])] == list(range(1, a.shards + 1)),
           f"context.shards indices {[s['index'] for s in m['context'].get('shards', [])]}")
    expect(len(m["config"]["allocators"]) == a.allocators, f"{len(m['config']['allocators'])} allocators")
    expect(len(m["config"]["workloads"]) == a.workloads, f"{len(m['config']['workloads'])} workloads")
    c = cells(m)
    expect(len(c) == a.allocators * a.workloads, f"{len(c)} cells")
    expect(all(n == a.rounds for n in c.values()), f"samples per cell {sorted(set(c.values()))}")
    expect(len(m["summary"]["cells"]) == a.allocators * a.workloads, f"{len(m['summary']['cells'])} summary cells")
    expect(all(x["n_samples"] == a.rounds for x in m["summary"]["cells"]), "summary n_samples")
    if a.like:
        w = json.load(open(a.like))
        expect(m["config"] == w["config"], "config differs from the unsharded run's")
        expect(c == cells(w), "cells or sample counts differ from the unsharded run's")
        key = lambda x: (x["allocator"], x["workload"], x["n_samples"], [r["reference"] for r in x["ratios"]])
        expect([key(x) for x in m["summary"]["cells"]] == [key(x) for x in w["summary"]["cells"]],
               "summary cells differ from the unsharded run's")
        expect(m["summary"]["references"] == w["summary"]["references"], "summary references differ")
        expect(len(m["samples"]) == len(w["samples"]), "sample count differs")
    for e in errors:
        print(f"check_merged: {a.merged}: {e}", file=sys.stderr)
    if not errors:
        print(f"check_merged: {a.merged}: ok ({len(m['samples'])} samples, {len(c)} cells, {a.shards} shards)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
