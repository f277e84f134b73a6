#!/usr/bin/env bash
# Prints, for every test that failed in the last ctest run of a build tree, its time and the
# lines of its output that say why (gtest failures, allocator fatal errors, signals).
# Usage: scripts/failure-summary.sh [build-dir]
set -uo pipefail
build="${1:-build}"
failed="$build/Testing/Temporary/LastTestsFailed.log"
log="$build/Testing/Temporary/LastTest.log"
[[ -f "$failed" && -f "$log" ]] || { echo "failure-summary: no failed-test record in $build"; exit 0; }
echo
echo "==================== failed tests: why ===================="
while IFS=: read -r _num name; do
  [[ -n "$name" ]] || continue
  echo "--- $name"
  # The test's block in LastTest.log runs from its "Test: <name>" line to its "end time" line.
  awk -v name="$name" '
    !inside && (i = index($0, " Test: ")) && substr($0, i + 7) == name { inside = 1 }
    inside { print }
    inside && index($0, "\"" name "\" end time") { exit }
  ' "$log" |
    grep -E 'Failure|Expected|Which is|Actual|error|violated|alloclab \(|Segmentation|Abort|Killed|signal|Timeout|RSS|second round|Test time|FAILED|phase' |
    head -n 60
done < "$failed"
