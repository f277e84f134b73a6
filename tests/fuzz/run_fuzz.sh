#!/usr/bin/env bash
# Runs the allocator fuzzer for ctest (tests/fuzz/CMakeLists.txt).
#   run_fuzz.sh replay FUZZER DIR...              every file in the DIRs, once (seeds, regressions)
#   run_fuzz.sh fuzz FUZZER WORKDIR RUNS SEEDS    RUNS inputs from the seed corpus, seed 1, in a
#                                                 fresh WORKDIR (new inputs and crashes go there)
# Exit status: the fuzzer's (non-zero on any failed check, crash, timeout or RSS limit).
set -euo pipefail
mode=$1 fuzzer=$2
shift 2
case "$mode" in
  replay)
    inputs=()
    for d in "$@"; do
      while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$d" -type f ! -name 'README*' -print0 | sort -z)
    done
    if ((${#inputs[@]} == 0)); then
      echo "run_fuzz: no inputs in $*" >&2
      exit 1
    fi
    echo "run_fuzz: replaying ${#inputs[@]} inputs"
    exec "$fuzzer" -timeout=60 -rss_limit_mb=4096 "${inputs[@]}"
    ;;
  fuzz)
    work=$1 runs=$2 seeds=$3
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/crashes"
    status=0
    "$fuzzer" -seed=1 -runs="$runs" -max_len=4096 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$work/crashes/" "$work/corpus" "$seeds" 2>&1 | tee "$work/log" | grep -v '^#[0-9]' || status=${PIPESTATUS[0]}
    if ((status != 0)) || compgen -G "$work/crashes/*" >/dev/null; then
      echo "run_fuzz: FAILED (status $status); saved inputs: $(ls "$work/crashes")" >&2
      echo "run_fuzz: minimize one with: $fuzzer -minimize_crash=1 -runs=20000 -exact_artifact_path=min FILE," >&2
      echo "          then commit it to tests/fuzz/regressions/ (fuzz_replay.* runs it for every variant)" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: run_fuzz.sh replay FUZZER DIR... | fuzz FUZZER WORKDIR RUNS SEEDS" >&2
    exit 2
    ;;
esac
