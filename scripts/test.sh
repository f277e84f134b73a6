#!/usr/bin/env bash
# The README's test command: install what is missing, build, run the whole test suite.
# Env: BUILD_DIR (default: build); ALLOCLAB_LONG_TESTS=1 adds the long soaks.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=()
[[ "${ALLOCLAB_LONG_TESTS:-0}" == 1 ]] && extra+=(-DALLOCLAB_LONG_TESTS=ON)
scripts/setup.sh "${extra[@]}"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --parallel "$(nproc)" --timeout 600
