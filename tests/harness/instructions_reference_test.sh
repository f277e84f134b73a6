#!/usr/bin/env bash
# ctest harness.instructions_reference: the committed instruction-count reference
# (results/instructions-reference.json, the default baseline of `harness gate --metric
# instructions`) still describes this build. A fresh callgrind run of baseline and all, with
# glibc as the gate's reference (a library the allocator's code cannot move, so a change to the
# shared core shows too), on two single-threaded workloads (deterministic counts; threads would
# be serialised by valgrind in an order that can vary), gated against it in both directions with
# a 0.5 % threshold: a count that grew fails the first gate, one that shrank the second.
# Usage: instructions_reference_test.sh HARNESS REFERENCE
set -uo pipefail
harness=$1
reference=$2
workloads=multi_size,batch_lifo_64
record="build/bin/harness callgrind --variants default --peers glibc --workloads default --out results/instructions-reference.json"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$harness" callgrind --variants baseline,all --peers glibc --workloads "$workloads" --style plain \
  --out "$tmp/fresh.json" >"$tmp/callgrind.log" 2>&1; then
  cat "$tmp/callgrind.log"
  echo "FAIL: the fresh callgrind run failed (is valgrind installed? scripts/setup.sh installs it)"
  exit 1
fi
gate=(gate --metric instructions --reference glibc --allocator baseline,all --workloads "$workloads"
  --max-regression 0.5% --style plain)
rc=0
"$harness" "${gate[@]}" --results "$tmp/fresh.json" --baseline-results "$reference" || rc=$?
[[ $rc -eq 0 ]] && { "$harness" "${gate[@]}" --results "$reference" --baseline-results "$tmp/fresh.json" || rc=$?; }
if [[ $rc -ne 0 ]]; then
  echo
  echo "FAIL: $reference no longer describes this build (gate exit $rc; 1 = counts moved by more than 0.5 %,"
  echo "2 = the build's compiler/flags/valgrind differ from the reference's). If the allocator changed on"
  echo "purpose, re-record the reference (1 min 18 s on the 2-core dev machine) and commit it:"
  echo "  $record"
  exit 1
fi
echo "ok: the fresh counts of baseline and all on $workloads match $reference within 0.5 % (relative to glibc)"
