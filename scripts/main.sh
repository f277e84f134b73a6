#!/usr/bin/env bash
# The README's main command: install what is missing, build, then run every default workload
# against every variant and the system's allocators (glibc, mimalloc, jemalloc, tcmalloc).
# Extra arguments go to `harness run` (e.g. --quick, --rounds 15, --workloads ping_pong_16).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec "${BUILD_DIR:-build}/bin/harness" run --variants all "$@"
