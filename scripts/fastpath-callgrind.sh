#!/usr/bin/env bash
# Instructions per operation on ALLOCATOR.md's three fast-path budget patterns, counted by
# callgrind (deterministic; loop overhead included, as in the brief).
# Usage: scripts/fastpath-callgrind.sh [VARIANT|glibc|PATH.so ...]   (default: glibc baseline all)
set -euo pipefail
cd "$(dirname "$0")/.."
lib_dir=${BUILD_DIR:-build}/lib
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -fno-builtin-malloc -fno-builtin-free scripts/fastpath/driver.c -o "$work/driver"
n=200000
allocators=("$@")
((${#allocators[@]})) || allocators=(glibc baseline all)
printf '%-28s %12s %12s %12s\n' allocator pingpong_16 lifo_1000x64 interleaved
for a in "${allocators[@]}"; do
  case $a in
    glibc) preload= ;;
    *.so*) preload=$(realpath "$a") ;;
    *) preload=$(realpath "$lib_dir/liballoclab-$a.so") ;;
  esac
  row=()
  for pattern in pingpong lifo interleaved; do
    ir=$(LD_PRELOAD=$preload valgrind --tool=callgrind --callgrind-out-file="$work/out" \
           --toggle-collect="region_$pattern" "$work/driver" "$pattern" "$n" 2>&1 >/dev/null |
         awk '/Collected/ {gsub(",", "", $4); print $4}')
    row+=("$(awk -v ir="$ir" -v n="$n" 'BEGIN { printf "%.1f", ir / n }')")
  done
  printf '%-28s %12s %12s %12s\n' "$a" "${row[@]}"
done
