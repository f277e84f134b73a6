#!/usr/bin/python3
"""Checks harness/stats' rank tests against SciPy on seeded samples.

Usage: scipy_rank_check.py PATH/TO/rank_probe      (run by ctest: stats_scipy_rank_check)

Needs Debian's interpreter (/usr/bin/python3 with python3-scipy; the pyenv `python3` on PATH
has no SciPy). For every case the probe's Mann-Whitney U / Wilcoxon signed-rank statistic and
two-sided p-value are compared with
  scipy.stats.mannwhitneyu(a, b, alternative='two-sided', use_continuity=True,
                           method='exact' | 'asymptotic')
  scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True, alternative='two-sided',
                       method='exact' | 'approx')
where the method is the one harness/stats documents (rank_tests.h): exact for small samples
without ties (Mann-Whitney: n1 + n2 <= 60; signed rank: n <= 50 non-zero differences),
normal approximation with tie and continuity correction otherwise. The probe's `exact` flag
must match that rule. Tolerances: p relative 1e-9 (exact), 1e-6 (normal approximation);
statistics exactly (they are sums of midranks).

Conventions checked to agree (SciPy 1.10.1):
  * Mann-Whitney statistic: SciPy returns U1 of the first sample, as the probe does.
  * Signed rank statistic: SciPy's two-sided statistic is min(W+, W-); the probe reports W+,
    so the comparison is against min(W+, n(n+1)/2 - W+).
  * Zeros: harness/stats always drops zero differences (zero_method='wilcox'). SciPy's exact
    mode refuses zeros (it silently switches to the normal approximation), so exact cases with
    zeros give SciPy the non-zero differences — the same test, as 'wilcox' discards them.
  * Continuity: both use |S - E S| - 1/2 (SciPy: 0.5 * sign(T - mn), or U = max(U1, U2) minus
    0.5 then clipping p to 1; harness/stats: max(0, |S - E S| - 0.5)). These agree because S
    and E S are multiples of 1/2, so |S - E S| is never strictly between 0 and 1/2.
  * Tie correction: both use sum(t^3 - t) over tie groups, /48 for the signed-rank variance
    and /(n(n-1)) inside the Mann-Whitney one.
"""
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import scipy
import scipy.stats

MW_EXACT_MAX_TOTAL = 60  # kMannWhitneyExactMaxTotal
SR_EXACT_MAX_N = 50      # kSignedRankExactMaxN
TOL_EXACT = 1e-9
TOL_NORMAL = 1e-6


def mw_case(rng, n1, n2, shift, decimals=None):
    a = rng.normal(0.0, 1.0, n1)
    b = rng.normal(shift, 1.0, n2)
    if decimals is not None:  # ties
        a, b = np.round(a, decimals), np.round(b, decimals)
    return ("mw", [float(x) for x in a], [float(x) for x in b])


def sr_case(rng, n, shift, decimals=None, zeros=0):
    d = rng.normal(shift, 1.0, n)
    if decimals is not None:
        d = np.round(d, decimals)
    d = list(float(x) for x in d)
    for i in range(zeros):
        d[(7 * i) % n] = 0.0
    return ("sr", d, None)


def make_cases():
    rng = np.random.default_rng(20240606)
    cases = []
    # Mann-Whitney, exact: small samples without ties (continuous values), up to the limit.
    for n1, n2, shift in [(1, 1, 0), (1, 6, 1), (2, 2, 0), (3, 3, 3), (3, 4, 0.5), (4, 5, 1), (5, 5, 0),
                          (6, 6, 2), (7, 9, -1), (10, 12, 0.3), (15, 15, 0.8), (20, 25, -0.5), (12, 40, 0.4),
                          (30, 30, 0.6), (29, 31, 0.0)]:
        cases.append(mw_case(rng, n1, n2, shift))
    # Mann-Whitney, normal approximation: ties (rounded values), and large samples without ties.
    for n1, n2, shift, dec in [(3, 3, 0, 0), (5, 7, 1, 0), (8, 8, 0.5, 1), (10, 10, 0, 0), (20, 15, 0.7, 1),
                               (25, 25, 0.3, 0), (40, 50, 0.2, 1), (31, 30, 0.5, None), (40, 50, -0.4, None),
                               (100, 80, 0.3, None), (200, 150, 0.1, 2), (6, 6, 5, 0)]:
        cases.append(mw_case(rng, n1, n2, shift, dec))
    # A tied case with U exactly at its mean (p = 1 both ways).
    cases.append(("mw", [1.0, 2.0, 2.0, 3.0], [1.0, 2.0, 2.0, 3.0]))
    # Signed rank, exact: no ties among |d|, up to the limit; some with zeros (dropped).
    for n, shift, zeros in [(1, 1, 0), (2, 0, 0), (5, 2, 0), (6, 0.5, 0), (8, -0.3, 0), (10, 0.6, 0), (14, 0, 0),
                            (20, 0.5, 0), (33, -0.2, 0), (50, 0.3, 0), (12, 0.4, 2), (25, 0.3, 3)]:
        cases.append(sr_case(rng, n, shift, zeros=zeros))
    # Signed rank, normal approximation: ties among |d| (rounded), zeros, and n > 50.
    for n, shift, dec, zeros in [(6, 0.5, 0, 0), (12, 0.4, 0, 0), (16, 0.2, 1, 0), (20, 0.5, 0, 2), (30, -0.3, 1, 0),
                                 (51, 0.2, None, 0), (60, 0.1, None, 0), (120, 0.25, 2, 0), (80, 0.0, None, 5),
                                 (300, 0.1, 3, 0)]:
        cases.append(sr_case(rng, n, shift, dec, zeros))
    cases.append(("sr", [-1.0, 1.0, -2.0, 2.0, 3.0, -3.0], None))  # W+ == E W+ with ties: p = 1
    return cases


def run_probe(probe, cases):
    lines = []
    for kind, x, y in cases:
        fmt = lambda v: " ".join(repr(t) for t in v)
        lines.append(f"mw {fmt(x)} | {fmt(y)}" if kind == "mw" else f"sr {fmt(x)}")
    out = subprocess.run([probe], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    results = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(results) != len(cases):
        sys.exit(f"scipy_rank_check: probe answered {len(results)} of {len(cases)} cases")
    return results


def expected_mw(a, b):
    pooled = a + b
    exact = len(set(pooled)) == len(pooled) and len(pooled) <= MW_EXACT_MAX_TOTAL
    res = scipy.stats.mannwhitneyu(a, b, use_continuity=True, alternative="two-sided",
                                   method="exact" if exact else "asymptotic")
    return float(res.statistic), float(res.pvalue), exact


def expected_sr(d):
    nz = [x for x in d if x != 0]
    mags = [abs(x) for x in nz]
    exact = len(set(mags)) == len(mags) and len(nz) <= SR_EXACT_MAX_N
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "sample size too small for normal approximation"
        res = scipy.stats.wilcoxon(nz if exact else d, zero_method="wilcox", correction=True,
                                   alternative="two-sided", method="exact" if exact else "approx")
    return float(res.statistic), float(res.pvalue), exact, len(nz)


def close(x, y, rel):
    return x == y or abs(x - y) <= rel * max(abs(x), abs(y))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cases = make_cases()
    results = run_probe(sys.argv[1], cases)
    failures = 0
    counts = {}
    worst = {"exact": 0.0, "normal": 0.0}  # largest relative p difference seen
    for i, ((kind, x, y), got) in enumerate(zip(cases, results)):
        if kind == "mw":
            stat, p, exact = expected_mw(x, y)
            got_stat = got["statistic"]
            size = f"n1={len(x)} n2={len(y)}"
        else:
            stat, p, exact, n = expected_sr(x)
            got_stat = min(got["statistic"], n * (n + 1) / 2 - got["statistic"])
            size = f"n={len(x)} non-zero={n}"
        tol = TOL_EXACT if exact else TOL_NORMAL
        problems = []
        if got["exact"] != exact:
            problems.append(f"exact flag {got['exact']}, documented rule says {exact}")
        if got_stat != stat:
            problems.append(f"statistic {got_stat!r} vs scipy {stat!r}")
        if not (math.isfinite(p) and close(got["p"], p, tol)):
            problems.append(f"p {got['p']!r} vs scipy {p!r} (rel tol {tol:g})")
        if math.isfinite(p) and p > 0:
            method = "exact" if exact else "normal"
            worst[method] = max(worst[method], abs(got["p"] - p) / p)
        key = (kind, "exact" if exact else "normal")
        counts[key] = counts.get(key, 0) + 1
        status = "FAIL" if problems else "ok"
        print(f"{status:4} case {i:2} {kind} {size:18} {'exact ' if exact else 'normal'} p={got['p']:.10g} "
              f"scipy={p:.10g}" + ("".join("\n     " + s for s in problems)))
        failures += bool(problems)
    summary = ", ".join(f"{k[0]}/{k[1]}: {v}" for k, v in sorted(counts.items()))
    print(f"scipy {scipy.__version__}: {len(cases) - failures} of {len(cases)} cases agree ({summary}); "
          f"largest relative p difference: exact {worst['exact']:.2g} (tol {TOL_EXACT:g}), "
          f"normal {worst['normal']:.2g} (tol {TOL_NORMAL:g})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
