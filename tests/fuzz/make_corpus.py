#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus (tests/fuzz/corpus/): small hand-made programs, one per
operation and per thread hand-over, in the encoding of tests/fuzz/program.h.
Usage: tests/fuzz/make_corpus.py [OUT_DIR]   (default: the corpus/ directory beside this file)"""
import os
import sys

KINDS = {  # kind -> header code (h & 15), as program.h's kKindTable
    "malloc": 0, "calloc": 2, "realloc": 3, "realloc_relative": 4, "reallocarray": 5,
    "posix_memalign": 6, "aligned_alloc": 7, "memalign": 8, "valloc": 9, "pvalloc": 10,
    "free": 11, "respawn": 13, "check_all": 14, "edge_case": 15,
}
ALIGNED = {"posix_memalign", "aligned_alloc", "memalign"}
SIZED = {"malloc", "calloc", "realloc", "reallocarray", "valloc", "pvalloc"} | ALIGNED
ARG = {"calloc", "reallocarray", "realloc_relative", "edge_case", "respawn"}
NO_SLOT = {"respawn", "check_all"}


def size(n):
    """The 3 size bytes (m, lo, hi) that decode_size turns into exactly n (n <= 20 MiB)."""
    ranges = [(0, 0, 128, 1), (1, 129, 1024, 1), (2, 1025, 8192, 1), (3, 8193, 65536, 1)]
    for m, lo, hi, _ in ranges:
        if lo <= n <= hi:
            v = n - lo
            return bytes([m, v & 255, v >> 8])
    if 65537 <= n < 65537 + (1 << 20) and (n - 65537) % 8 == 0:
        v = (n - 65537) // 8
        return bytes([4, v & 255, v >> 8])
    if (1 << 20) <= n < (1 << 20) + 65536 * 64 and (n - (1 << 20)) % 64 == 0:
        v = (n - (1 << 20)) // 64
        return bytes([6, v & 255, v >> 8])
    mib, rest = divmod(n, 1 << 20)
    if 1 <= mib <= 20 and rest % 4096 == 0 and rest // 4096 < 32:
        return bytes([7 | (rest // 4096) << 3, mib - 1, 0])
    raise ValueError(f"size {n} has no exact encoding")


def edge(index, delta):
    """kEdges.size[index] + delta (delta -1, 0, +1)."""
    return bytes([5 | (delta + 1) << 3, index, 0])


def op(kind, thread=0, slot=0, sz=None, align_shift=None, arg=None):
    out = bytes([thread << 6 | KINDS[kind]])
    if kind not in NO_SLOT:
        out += bytes([slot])
    if kind in ALIGNED:
        out += bytes([align_shift])
    if kind in SIZED:
        out += sz if isinstance(sz, bytes) else size(sz)
    if kind in ARG:
        out += bytes([arg or 0])
    return out


def programs():
    p = {}
    # One of each operation on the main thread, freed again.
    p["malloc-sizes"] = b"".join(op("malloc", 0, i, n) for i, n in enumerate(
        [0, 1, 8, 16, 17, 128, 129, 1024, 1025, 8192, 8193, 65536, 65537, 1 << 20, 5 << 20])) + op("check_all")
    p["calloc"] = b"".join(op("calloc", 0, i, n, arg=c) for i, (n, c) in enumerate(
        [(64, 0), (1000, 3), (8192, 7), (70001, 1), (3 << 20, 2)])) + op("check_all")
    p["realloc-grow-shrink"] = (op("malloc", 0, 1, 100) + op("realloc", 0, 1, 5000) + op("realloc", 0, 1, 70001) +
                                op("realloc", 0, 1, 2 << 20) + op("realloc", 0, 1, 300) + op("realloc", 0, 1, 0) +
                                op("realloc", 0, 2, 64))
    p["realloc-relative"] = op("malloc", 0, 3, 1000) + b"".join(op("realloc_relative", 0, 3, arg=a) for a in range(6))
    p["reallocarray"] = op("reallocarray", 0, 4, 96, arg=2) + op("reallocarray", 0, 4, 9000, arg=7)
    p["aligned"] = b"".join(op(k, 0, i, n, align_shift=s) for i, (k, n, s) in enumerate(
        [("posix_memalign", 100, 2), ("posix_memalign", 100, 6), ("posix_memalign", 4000, 12),
         ("aligned_alloc", 33, 5), ("aligned_alloc", 70001, 16), ("memalign", 8, 10),
         ("memalign", 1 << 20, 21), ("posix_memalign", 64, 22), ("aligned_alloc", 1, 0)]))
    p["valloc-pvalloc"] = op("valloc", 0, 1, 1) + op("pvalloc", 0, 2, 0) + op("pvalloc", 0, 3, 5000)
    p["edge-cases"] = b"".join(op("edge_case", 0, 0, arg=a) for a in range(8)) + op("malloc", 0, 0, 64) + \
        op("edge_case", 0, 0, arg=4) + op("edge_case", 0, 0, arg=5)
    p["class-boundaries"] = b"".join(op("malloc", 0, (3 * i + d + 1) % 64, edge(i, d)) for i in range(51)
                                     for d in (-1, 0, 1)) + op("check_all")
    # Thread hand-overs: allocated on one thread, freed / realloc'ed on another.
    p["cross-thread-free"] = (b"".join(op("malloc", 1, i, 48 + 16 * i) for i in range(8)) +
                              b"".join(op("free", 2, i) for i in range(8)))
    p["cross-thread-realloc"] = op("malloc", 1, 5, 200) + op("realloc", 2, 5, 20000) + op("realloc", 3, 5, 100001) + \
        op("free", 0, 5)
    p["worker-exit-live-blocks"] = (b"".join(op("malloc", 2, i, 64) for i in range(16)) + op("respawn", 2) +
                                    b"".join(op("free", 1, i) for i in range(8)) + op("malloc", 2, 20, 64))
    p["huge-cross-thread"] = op("malloc", 3, 7, 3 << 20) + op("calloc", 1, 8, 200001, arg=1) + op("free", 2, 7) + \
        op("free", 3, 8)
    p["ping-pong"] = b"".join(op("malloc", t % 4, t % 4, 32) + op("free", (t + 1) % 4, t % 4) for t in range(32))
    return p


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in programs().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"make_corpus: wrote {len(programs())} inputs to {out}")


if __name__ == "__main__":
    main()
