#!/usr/bin/env bash
# Instructions and mispredicted branches per malloc on the workload runner's own workloads,
# counted by callgrind's branch simulator (deterministic), with the functions that
# mispredict most. The mechanism behind a fast path's speed: a branch the predictor cannot
# learn costs ~15-20 cycles, far more than the few instructions a factor adds or removes.
# Usage: scripts/fastpath-branches.sh [-k K] [-t TOP] [-w W1,W2,...] ALLOCATOR...
#   ALLOCATOR: a variant name (build/lib/liballoclab-NAME.so), glibc, mimalloc, jemalloc,
#   tcmalloc, or a path to a .so. Default workloads: interleaved, ping_pong_16, batch_lifo_64,
#   single_page_churn_64. K: --fixed-iterations per run (default 2).
# Columns: Ir/malloc, Bc/malloc (conditional branches executed), Bcm/malloc (conditional
# mispredicted), Bim/malloc (indirect mispredicted); then the top functions by Bcm.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
runner=${RUNNER:-$build/bin/alloclab-runner}
iterations=2
top=4
workloads=interleaved,ping_pong_16,batch_lifo_64,single_page_churn_64
while getopts "k:t:w:" opt; do
  case $opt in
    k) iterations=$OPTARG ;;
    t) top=$OPTARG ;;
    w) workloads=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($#)) || set -- baseline all
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peer_lib() { /sbin/ldconfig -p | awk -v n="$1" '$1 == n {print $NF; exit}'; }
printf '%-22s %-22s %9s %9s %9s %9s %9s\n' allocator workload Ir/malloc Bc/malloc Bcm/malloc Bim/malloc D1mr/malloc
for a in "$@"; do
  case $a in
    glibc) preload= ;;
    mimalloc) preload=$(peer_lib libmimalloc.so.2) ;;
    jemalloc) preload=$(peer_lib libjemalloc.so.2) ;;
    tcmalloc) preload=$(peer_lib libtcmalloc_minimal.so.4) ;;
    *.so*) preload=$(realpath "$a") ;;
    *) preload=$(realpath "$build/lib/liballoclab-$a.so") ;;
  esac
  label=$(basename "$a" .so)
  for w in ${workloads//,/ }; do
    out="$work/$label.$w.out"
    json=$(LD_PRELOAD=$preload valgrind --tool=callgrind --branch-sim=yes --cache-sim=yes \
             --toggle-collect=alloclab_measured_region --callgrind-out-file="$out" "$runner" \
             --fixed-iterations="$iterations" --workload="$w" 2>"$work/err") ||
      { echo "$a $w: the run failed:" >&2; tail -5 "$work/err" >&2; exit 1; }
    mallocs=$(sed -n 's/.*"mallocs":\([0-9]*\).*/\1/p' <<<"$json")
    # The summary line's fields in the order of the events: line.
    awk -v a="$label" -v w="$w" -v m="$mallocs" '
      /^events:/ { for (i = 2; i <= NF; i++) col[$i] = i }
      /^summary:/ { printf "%-22s %-22s %9.1f %9.2f %9.4f %9.4f %9.4f\n", a, w, $col["Ir"]/m, $col["Bc"]/m,
                           $col["Bcm"]/m, $col["Bim"]/m, $col["D1mr"]/m }' "$out"
    # Per function: "Bcm (pct) D1mr (pct) Ir (pct) file:function [object]".
    callgrind_annotate --show=Bcm,D1mr,Ir --sort=Bcm "$out" 2>/dev/null |
      awk -v m="$mallocs" -v top="$top" '
        /file:function/ { body = 1; next }
        body && /^ *[0-9,]+ / && n < top {
          line = $0; gsub(/\([^)]*%\)/, "", line)  # drop the "(12.3%)" columns
          split(line, f, " "); bcm = f[1]; d1 = f[2]; ir = f[3]; gsub(",", "", bcm); gsub(",", "", d1); gsub(",", "", ir)
          fn = line; sub(/ \[[^]]*\]$/, "", fn); sub(/^[ 0-9,]*/, "", fn); sub(/^[^:]*:/, "", fn)
          gsub(/alloclab::|\(anonymous namespace\)::|workloads::/, "", fn); sub(/\(.*$/, "", fn)
          printf "    %-44s Bcm %7.4f  D1mr %7.4f  Ir %6.1f  per malloc\n", substr(fn, 1, 44), bcm/m, d1/m, ir/m
          n++
        }'
  done
done
