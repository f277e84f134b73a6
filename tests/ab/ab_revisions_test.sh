#!/usr/bin/env bash
# harness ab on three revisions of a throw-away repository made from this source tree:
#   A  the tree as it is
#   P  A with planted_work 8 (an 8-iteration do-nothing loop in every malloc of every variant)
#   C  A's code with only a README change
# Asserts: P against A fails the instruction gate with the cell named (callgrind is
# deterministic; wall time is not asserted: 3 rounds cannot make a cell significant); C against
# A passes, and reuses A's cached build; an unknown revision is exit 2 with the message.
# Usage: ab_revisions_test.sh SOURCE_DIR HARNESS WORKDIR_PREFIX (a fresh WORKDIR_PREFIX-XXXXXX per
# run, so two runs at once do not share a cache; removed when the test passes)
set -euo pipefail
src=$1 harness=$2
mkdir -p "$(dirname "$3")"
work=$(mktemp -d "$3-XXXXXX")
mkdir -p "$work/repo"
repo=$work/repo

# The source tree's files (tracked and new, not ignored ones; deleted ones skipped).
git -C "$src" ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [[ -f $src/$f ]] || continue
  mkdir -p "$repo/$(dirname "$f")"
  cp -p "$src/$f" "$repo/$f"
done
g() { git -C "$repo" -c user.name=ab-test -c user.email=ab-test@localhost -c commit.gpgsign=false "$@"; }
g init -q
g add -A
g commit -q -m A
A=$(g rev-parse HEAD)
sed -i 's/\("name": "planted_work", "type": "int", "default": \)0,/\18,/' "$repo/variants/variants.json"
grep -q '"planted_work", "type": "int", "default": 8,' "$repo/variants/variants.json" ||
  { echo "FAIL: could not plant planted_work in variants/variants.json" >&2; exit 1; }
g commit -q -am P
P=$(g rev-parse HEAD)
g checkout -q "$A" -- variants/variants.json
echo "ab test: a README-only change" >>"$repo/README.md"
g commit -q -am C
C=$(g rev-parse HEAD)
[[ -z $(g diff "$A" "$C" -- . ':!README.md') ]] || { echo "FAIL: C differs from A outside README.md" >&2; exit 1; }

common=(--repo "$repo" --cache "$work/cache" --variants baseline --workloads ping_pong_16 --min-time 0.01 --layouts 2 --callgrind-iterations 1 --style plain --seed 7)
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== P against A: must fail the instruction gate" >&2
set +e
"$harness" ab --base "$A" --head "$P" "${common[@]}" --rounds 3 --out "$work/p.json" --json "$work/p-verdict.json" \
  >"$work/p.txt" 2>"$work/p.err"
rc=$?
set -e
cat "$work/p.txt"
[[ $rc == 1 ]] || { cat "$work/p.err" >&2; fail "planted revision: exit $rc, expected 1"; }
grep -q 'baseline/ping_pong_16 (instructions)' "$work/p.txt" || fail "the failing instruction cell is not named"
grep -q '^ab FAILED' "$work/p.txt" || fail "no FAILED verdict line"
grep -q -- "--variants baseline --workloads ping_pong_16" "$work/p.txt" || fail "no re-run command"
python3 - "$work/p-verdict.json" "$work/p.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
assert v["passed"] is False and v["verdict"] == "fail", v
ins, time = v["sections"]
assert ins["metric"] == "instructions" and ins["verdict"] == "fail", ins
cells = ins["cells"]
assert len(cells) == 1 and cells[0]["failed"] and cells[0]["rel"] > 1.01, cells
assert "--variants baseline --workloads ping_pong_16" in cells[0]["rerun"], cells[0]
assert time["metric"] == "mallocs_per_sec" and all("placement_band" in c for c in time["cells"]), time
r = json.load(open(sys.argv[2]))
names = {a["name"] for a in r["config"]["allocators"]}
assert names == {"baseline", "base:baseline"}, names
sides = {s["allocator"] for s in r["samples"] if s["status"] == "ok"}
assert sides == names, sides  # both sides measured in the same file
assert r["complete"] is True
PY
"$harness" check "$work/p.json" >/dev/null || fail "the results file does not pass harness check"
"$harness" report "$work/p.json" --format md --out "$work/p-report.md" >/dev/null 2>&1 ||
  fail "harness report cannot read the ab results file"

echo "== C against A: must pass, reusing A's build" >&2
set +e
"$harness" ab --base "$A" --head "$C" "${common[@]}" --rounds 3 --out "$work/c.json" --format md >"$work/c.md" 2>"$work/c.err"
rc=$?
set -e
cat "$work/c.md"
[[ $rc == 0 ]] || { cat "$work/c.err" >&2; fail "identical revisions: exit $rc, expected 0"; }
grep -q "reusing the complete build" "$work/c.err" || { cat "$work/c.err" >&2; fail "A's cached build was not reused"; }
head -1 "$work/c.md" | grep -q '^## Performance gate: PASS' || fail "the Markdown does not start with the verdict"
grep -q 'the wall-time gate cannot fail' "$work/c.md" || fail "3 rounds: no note that the wall-time gate cannot fail"
grep -q '| baseline | ping_pong_16 |.*| +0.00% | ok |' "$work/c.md" || fail "identical code changed instructions"

echo "== a half-built cache is not trusted" >&2
rm "$work/cache/$A/complete.json"
rm "$work/cache/$A/build/lib/liballoclab-baseline-layout1.so"
set +e
"$harness" ab --base "$A" --head "$C" "${common[@]}" --rounds 3 --no-instructions --out "$work/h.json" >/dev/null 2>"$work/h.err"
rc=$?
set -e
[[ $rc == 0 ]] || { cat "$work/h.err" >&2; fail "rebuild of a half-built cache: exit $rc"; }
grep -q "building its variants" "$work/h.err" || fail "the half-built cache was trusted"
[[ -f $work/cache/$A/build/lib/liballoclab-baseline-layout1.so ]] || fail "the missing layout copy was not rebuilt"

echo "== Ctrl-C: exit 130, what was measured written with complete=false, no child left" >&2
"$harness" ab --base "$A" --head "$C" "${common[@]}" --rounds 200 --no-instructions --out "$work/i.json" \
  >/dev/null 2>"$work/i.err" &
pid=$!
for _ in $(seq 600); do  # until round 1 is on disk (the file is rewritten after every round)
  kill -0 "$pid" 2>/dev/null || { cat "$work/i.err" >&2; fail "ab ended before it could be interrupted"; }
  python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["rounds_completed"] >= 1 else 1)' \
    "$work/i.json" 2>/dev/null && break
  sleep 0.1
done
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
[[ $rc == 130 ]] || { cat "$work/i.err" >&2; fail "interrupted ab: exit $rc, expected 130"; }
python3 - "$work/i.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["complete"] is False and r["rounds_completed"] >= 1, (r["complete"], r["rounds_completed"])
assert {s["allocator"] for s in r["samples"] if s["status"] == "ok"} == {"baseline", "base:baseline"}
PY
# Every measured child preloads a library from $work/cache: none may be left.
left=$(grep -l -s -F "LD_PRELOAD=$work/cache" /proc/[0-9]*/environ || true)
[[ -z $left ]] || fail "children left after the interrupt: $left"

echo "== an unknown revision is exit 2" >&2
set +e
"$harness" ab --base no-such-revision "${common[@]}" --rounds 3 >/dev/null 2>"$work/bad.err"
rc=$?
set -e
[[ $rc == 2 ]] || fail "unknown revision: exit $rc, expected 2"
grep -q "unknown revision no-such-revision" "$work/bad.err" || { cat "$work/bad.err" >&2; fail "no message"; }
echo "ab_revisions_test: ok"
rm -rf "$work"
