#!/usr/bin/env bash
# Runs each gtest TEST of allocator_tests alone with LIB preloaded and fails if any of them
# passes: the list of tests that stock mimalloc does not meet (tests/external/CMakeLists.txt)
# must not go stale.
# Usage: expect_each_fails.sh LIB ALLOCATOR_TESTS TEST...
set -uo pipefail
lib=$1 bin=$2
shift 2
[[ -f $lib ]] || { echo "FAIL: $lib does not exist" >&2; exit 1; }
stale=()
for t in "$@"; do
  out=$(LD_PRELOAD="$lib" "$bin" --gtest_filter="$t" --gtest_brief=1 2>&1)
  rc=$?
  if ! grep -q '1 test' <<<"$out"; then
    echo "FAIL: $t is not a test of $bin" >&2
    stale+=("$t")
  elif ((rc == 0)); then
    echo "FAIL: $t passes under $lib: remove it from the exclusions" >&2
    stale+=("$t")
  else
    echo "ok: $t fails under $lib (as stock mimalloc does)"
  fi
done
((${#stale[@]} == 0))
