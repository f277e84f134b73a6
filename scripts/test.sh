#!/usr/bin/env bash
# The README's test command: install what is missing, build, run the whole test suite.
# Env: BUILD_DIR (default: build); ALLOCLAB_LONG_TESTS=1 adds the long soaks.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
extra=()
[[ "${ALLOCLAB_LONG_TESTS:-0}" == 1 ]] && extra+=(-DALLOCLAB_LONG_TESTS=ON)
scripts/setup.sh "${extra[@]}"
rc=0
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" --timeout 600 || rc=$?
# A long log hides the one failure in it: repeat each failed test's verdict lines last.
if [[ $rc -ne 0 ]]; then
  scripts/failure-summary.sh "$build" || true
fi
exit "$rc"
