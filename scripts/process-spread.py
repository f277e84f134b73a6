#!/usr/bin/env python3
"""Process-to-process spread of one allocator on one workload, with each child's address layout.

Starts N fresh alloclab-runner children (LD_PRELOAD=LIB, --benchmark_min_time=0.05) and prints,
per child, Mmallocs/s and where its stack, heap and malloc's library sit, so that a bimodal
throughput can be matched against the addresses. Extra arguments are a wrapper for each child,
e.g. `setarch -R` (address-space randomization off).

  scripts/process-spread.py LIB WORKLOAD N [WRAPPER ...]
Env: BUILD_DIR (default build).
"""
import json
import os
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    lib, workload, n, wrapper = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    if not os.path.isfile(lib):  # ld.so would warn and run glibc instead
        print(f"process-spread: no such library {lib}", file=sys.stderr)
        return 2
    runner = os.path.join(os.environ.get("BUILD_DIR", "build"), "bin", "alloclab-runner")
    env = dict(os.environ, LD_PRELOAD=lib)
    for _ in range(n):
        out = subprocess.run(wrapper + [runner, "--workload=" + workload, "--benchmark_format=json",
                                        "--benchmark_min_time=0.05"],
                             env=env, capture_output=True, text=True, check=True).stdout
        d = json.loads(out)
        a = json.loads(d["context"]["address_layout"])
        mops = d["benchmarks"][0]["items_per_second"] / 1e6
        print(f"{mops:7.1f} Mmallocs/s  stack%4096={a['stack'] % 4096:4d}  heap%4096={a['heap'] % 4096:4d}  "
              f"malloc_library_base={a['malloc_library_base']:#x}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
