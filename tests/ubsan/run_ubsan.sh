#!/usr/bin/env bash
# ubsan.<variant> (tests/ubsan/CMakeLists.txt): checks that LIBRARY really carries UBSan's
# checks (it imports __ubsan_handle_* functions), then runs allocator_tests' Churn, Stress and
# Identity suites with LIBRARY preloaded. Any UBSan report is fatal (exit 66 via UBSAN_OPTIONS).
# Usage: run_ubsan.sh LIBRARY ALLOCATOR_TESTS
set -euo pipefail
lib=$1 tests=$2
n=$(nm -D --undefined-only "$lib" | grep -c '__ubsan_handle_' || true)
if ((n == 0)); then
  echo "run_ubsan: $lib imports no __ubsan_handle_* function: it is not instrumented" >&2
  exit 1
fi
echo "run_ubsan: $lib imports $n UBSan handlers"
LD_PRELOAD=$lib exec "$tests" --gtest_filter='Churn.*:Stress.*:Identity.*' --gtest_brief=1
