#!/usr/bin/env bash
# A small real run, unsharded and as 3 shards (harness run --shard K/3) merged: the merge has the
# unsharded run's config, cells, sample counts and summary cells; a merge of shards of another
# commit, seed, with a shard missing or given twice is exit 2 and names the file and the field.
# Usage: shards_real.sh HARNESS WORKDIR WORKLOADS
set -euo pipefail
harness=$1 work=$2 workloads=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cd "$work"
nw=$(tr ',' '\n' <<<"$workloads" | wc -l)
common=(--variants baseline --peers glibc --workloads "$workloads" --rounds 2 --min-time 0.002 --layouts 1
        --seed 11 --style plain)
fail() { echo "shards_real: FAIL: $*" >&2; exit 1; }

"$harness" run "${common[@]}" --out whole.json >/dev/null
for k in 1 2 3; do "$harness" run "${common[@]}" --shard "$k/3" --out "shard-$k.json" >/dev/null; done
"$harness" merge shard-3.json shard-1.json shard-2.json --out merged.json --style plain >/dev/null
"$harness" check merged.json
python3 "$here/check_merged.py" merged.json --shards 3 --rounds 2 --allocators 2 --workloads "$nw" --like whole.json

# Refusals: exit 2, nothing written, the message names the file and the field.
refused() {  # refused EXPECTED-TEXT FILE...
  local want=$1 rc=0
  shift
  "$harness" merge "$@" --out refused.json 2>err.txt >/dev/null || rc=$?
  [[ $rc == 2 ]] || fail "merge $* exited $rc, not 2"
  [[ ! -e refused.json ]] || fail "merge $* wrote its output"
  grep -qF -- "$want" err.txt || fail "merge $*: no '$want' in: $(cat err.txt)"
  echo "refused as expected: $(cat err.txt)"
}
python3 - <<'PY'
import json
d = json.load(open("shard-2.json"))
d["context"]["git_commit"] = "0" * 40
json.dump(d, open("other-commit.json", "w"))
d = json.load(open("shard-2.json"))
d["config"]["seed"] = 12
json.dump(d, open("other-seed.json", "w"))
PY
refused "other-commit.json: context.git_commit is" shard-1.json other-commit.json shard-3.json
refused "other-seed.json: config.seed is 12" shard-1.json other-seed.json shard-3.json
refused "shard 2/3 missing" shard-1.json shard-3.json
refused "both are shard 2/3" shard-1.json shard-2.json shard-2.json shard-3.json
refused "config.shard is missing" shard-1.json whole.json
# Bad --shard: exit 2 before anything runs.
for bad in 0/3 4/3 x "$((nw + 1))/$((nw + 1))"; do
  rc=0
  "$harness" run "${common[@]}" --shard "$bad" --out bad.json 2>err.txt >/dev/null || rc=$?
  [[ $rc == 2 && ! -e bad.json ]] || fail "--shard $bad: exit $rc (want 2, no file)"
done
# scripts/slurm-run.sh without Slurm: says so, exit 2; without --shards: exit 2.
src=$(cd "$here/../../.." && pwd)
mkdir -p empty-bin
rc=0
PATH=$work/empty-bin /bin/bash "$src/scripts/slurm-run.sh" --quick --shards 3 --out m.json 2>err.txt || rc=$?
[[ $rc == 2 ]] && grep -q "sbatch not found" err.txt || fail "slurm-run.sh without sbatch: exit $rc, $(cat err.txt)"
rc=0
/bin/bash "$src/scripts/slurm-run.sh" --quick --out m.json 2>err.txt || rc=$?
[[ $rc == 2 ]] && grep -q -- "--shards N" err.txt || fail "slurm-run.sh without --shards: exit $rc, $(cat err.txt)"
echo "shards_real: ok"
