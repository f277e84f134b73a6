#!/usr/bin/env bash
# Peak RSS (KiB, /usr/bin/time's %M) of mimalloc-bench's mleak pattern, 5000 generations x 10
# threads, under each allocator: the thread-churn figure of the README and issue 8's note.
# Usage: scripts/thread-churn-rss.sh [VARIANT|glibc|PATH.so ...]   (default: every default
# variant, both debug builds, the three peers, glibc)
set -euo pipefail
cd "$(dirname "$0")/.."
lib_dir=${BUILD_DIR:-build}/lib
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
c++ -O2 -std=c++20 -pthread -fno-builtin-malloc -fno-builtin-free -fno-builtin-calloc \
  scripts/thread-churn/mleak.cc -o "$work/mleak"
allocators=("$@")
if ((${#allocators[@]} == 0)); then
  allocators=(baseline inline_promotion list_swap min_extend hysteresis admin_interval all
    all-but-inline_promotion all-but-list_swap all-but-min_extend all-but-hysteresis all-but-admin_interval
    baseline-debug all-debug
    /usr/lib/x86_64-linux-gnu/libmimalloc.so.2 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
    /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 glibc)
fi
printf '%-48s %14s %8s\n' allocator peak_rss_KiB seconds
for a in "${allocators[@]}"; do
  case $a in
    glibc) preload= ;;
    *.so*) preload=$(realpath "$a") ;;
    *) preload=$(realpath "$lib_dir/liballoclab-$a.so") ;;
  esac
  out=$(LD_PRELOAD=$preload /usr/bin/time -f "%M %e" "$work/mleak" 5000 10 2>&1 >/dev/null | tail -1)
  printf '%-48s %14s %8s\n' "$a" $out
done
