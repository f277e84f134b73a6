#!/usr/bin/env bash
# A long run of the differential allocator fuzzer (tests/fuzz) against one variant library.
# Usage: scripts/fuzz.sh VARIANT [SECONDS]      (default 600 s; VARIANT e.g. baseline, all, all-debug)
# Env:   BUILD_DIR (default build), FUZZ_DIR (default /tmp/alloclab-fuzz/VARIANT): the growing
#        corpus (seeded from tests/fuzz/corpus, kept across runs) and crashes/ live there.
# Any crash is minimized to crashes/minimized-*; commit that file to tests/fuzz/regressions/
# and ctest's fuzz_replay.<variant> runs it for every variant. Exit: 0 clean, 1 crash found,
# 2 bad usage or build failure.
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# < 1 || $# > 2)) || [[ ! "${2:-600}" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh VARIANT [SECONDS]" >&2
  exit 2
fi
variant=$1 seconds=${2:-600}
build_dir=${BUILD_DIR:-build}
work=${FUZZ_DIR:-/tmp/alloclab-fuzz/$variant}
fuzzer=$build_dir/tests/fuzz/bin/fuzz_alloc_$variant

cmake --build "$build_dir" --target "fuzz_alloc_$variant" || {
  echo "fuzz.sh: cannot build fuzz_alloc_$variant (is '$variant' a variant of this build? clang installed?)" >&2
  exit 2
}
mkdir -p "$work/corpus" "$work/crashes"
echo "fuzz.sh: $variant for ${seconds}s; corpus $work/corpus, crashes $work/crashes" >&2
status=0
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$work/crashes/" "$work/corpus" tests/fuzz/corpus 2>&1 | tee "$work/log" | grep -v '^#[0-9]' ||
  status=${PIPESTATUS[0]}
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$work/log" || true

shopt -s nullglob
crashes=("$work"/crashes/crash-* "$work"/crashes/timeout-* "$work"/crashes/oom-*)
if ((status == 0 && ${#crashes[@]} == 0)); then
  echo "fuzz.sh: no failure in ${seconds}s" >&2
  exit 0
fi
for c in "${crashes[@]}"; do
  min="$work/crashes/minimized-$(basename "$c")"
  [[ -e "$min" ]] && continue
  "$fuzzer" -minimize_crash=1 -runs=20000 -timeout=30 -exact_artifact_path="$min" "$c" >"$min.log" 2>&1 || true
  [[ -e "$min" ]] || cp "$c" "$min"
  echo "fuzz.sh: failure $c -> minimized $min; its report:" >&2
  "$fuzzer" "$min" 2>&1 | grep -m1 -E 'alloclab-fuzz: FAIL|alloclab .*:|ERROR: libFuzzer' >&2 || true
done
echo "fuzz.sh: commit a minimized input to tests/fuzz/regressions/ (fuzz_replay.* runs it for every variant)" >&2
exit 1
