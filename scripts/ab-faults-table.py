#!/usr/bin/env python3
"""Page faults and peak RSS per timed child, base -> head, from a `harness ab` results file.

Usage: scripts/ab-faults-table.py RESULTS.json   (Markdown on stdout; medians over rounds)
The kernel side of a change callgrind cannot count: memory given back and faulted in again.
"""
import json,sys,statistics as st
from collections import defaultdict
d=json.load(open(sys.argv[1]))
f=defaultdict(list); r=defaultdict(list); it=defaultdict(list)
for s in d['samples']:
    if s.get('status')!='ok': continue
    k=(s['allocator'],s['workload'])
    f[k].append(s['page_faults']); r[k].append(s['peak_rss_kib'])
ws=sorted({k[1] for k in f})
print("| workload | variant | page faults per child, base → head | peak RSS KiB, base → head |")
print("|---|---|---|---|")
for w in ws:
  for v in sorted({k[0] for k in f if not k[0].startswith('base:')}):
    b=('base:'+v,w); h=(v,w)
    if b in f and h in f:
      print(f"| {w} | {v} | {st.median(f[b]):,.0f} → {st.median(f[h]):,.0f} | {st.median(r[b]):,.0f} → {st.median(r[h]):,.0f} |")
