#!/usr/bin/env bash
# CI performance gate: `harness ab` of this checkout's build (head) against BASE_REV, both built
# and measured side by side on this machine (no committed reference). Writes into the output
# dir: results.json (both sides' samples, readable by `harness report`), summary.md (verdict
# first), verdict.json, ab.log (stderr: build and progress); appends summary.md to
# $GITHUB_STEP_SUMMARY when set. Exit code: harness ab's (0 pass, 1 regression, 2 unusable
# input such as an unknown BASE_REV or a base that does not build, 130 interrupted).
# Usage: scripts/ci-gate.sh BASE_REV [more harness ab flags, e.g. --variants baseline]
# Env: BUILD_DIR (default build; built with scripts/setup.sh), OUT_DIR (default $BUILD_DIR/ci-gate).
# Defaults (harness ab's): variants baseline,all; the default workloads; 10 rounds of 0.1 s;
# 4 layouts; callgrind instruction counts. Measured on the 2-core dev machine: notes/ab-measured.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if (($# < 1)); then
  echo "usage: scripts/ci-gate.sh BASE_REV [harness ab flags...]" >&2
  exit 2
fi
base=$1
shift
build=${BUILD_DIR:-build}
out=${OUT_DIR:-$build/ci-gate}
harness=$build/bin/harness
if [[ ! -x $harness ]]; then
  echo "ci-gate: $harness is not built; run scripts/setup.sh first" >&2
  exit 2
fi
mkdir -p "$out"
rm -f "$out/summary.md" "$out/verdict.json"
start=$(date +%s)
rc=0
"$harness" ab --base "$base" --style plain --format md --out "$out/results.json" --json "$out/verdict.json" "$@" \
  >"$out/summary.md" 2> >(tee "$out/ab.log" >&2) || rc=$?
wait  # the tee of stderr
elapsed=$(($(date +%s) - start))
if [[ ! -s $out/summary.md ]]; then
  # No verdict (unusable input, interrupt): say so where a reviewer looks.
  {
    echo "## Performance gate: no verdict (exit $rc)"
    echo
    echo '```'
    tail -n 20 "$out/ab.log"
    echo '```'
  } >"$out/summary.md"
fi
printf '\n_ci-gate.sh: %d min %02d s on %s (%s cores)._\n' $((elapsed / 60)) $((elapsed % 60)) \
  "$(uname -n)" "$(nproc)" >>"$out/summary.md"
cat "$out/summary.md"
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi
echo "ci-gate: exit $rc; outputs in $out" >&2
exit "$rc"
