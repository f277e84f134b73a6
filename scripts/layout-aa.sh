#!/usr/bin/env bash
# Placement bias before and after the layout-robust build: `harness validate --layout` (baseline
# against its 4 shifted layout copies) on this build (functions aligned, ALLOCLAB_ALIGN_CODE=ON)
# and on a second build of the variants configured with -DALLOCLAB_ALIGN_CODE=OFF, both with this
# build's runner, so only the libraries differ.
# Usage: scripts/layout-aa.sh [OUT_DIR] [extra validate flags, e.g. --rounds 10 --seed 7]
# Env: BUILD_DIR (default build), NOALIGN_BUILD_DIR (default build-noalign).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
noalign="${NOALIGN_BUILD_DIR:-build-noalign}"
out="${1:-results}"
shift || true
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "$noalign/CMakeCache.txt" ]]; then
  cmake -S . -B "$noalign" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DALLOCLAB_ALIGN_CODE=OFF \
    -DALLOCLAB_BUILD_TESTS=OFF >/dev/null
fi
targets=(alloclab-baseline)
for i in 1 2 3 4; do targets+=("alloclab-baseline-layout$i"); done
cmake --build "$noalign" --parallel "$(nproc)" --target "${targets[@]}"
mkdir -p "$out"
# validate exits 1 when too many cells differ: expected for the unaligned build; run both anyway.
rc=0
"$build/bin/harness" validate --layout --manifest "$noalign/variants/manifest.json" \
  --out "$out/validate-layout-unaligned.json" "$@" | tee "$out/validate-layout-unaligned.txt" || rc=$?
"$build/bin/harness" validate --layout --out "$out/validate-layout-aligned.json" "$@" |
  tee "$out/validate-layout-aligned.txt" || rc=$?
exit "$rc"
