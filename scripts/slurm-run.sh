#!/usr/bin/env bash
# Runs one `harness run` matrix as a Slurm job array: N shards (harness run --shard K/N, one
# array task each) and a merge job that starts when every task has ended (harness merge).
#
# Usage: scripts/slurm-run.sh [harness run flags...] --shards N --out MERGED.json
#          [--shard-dir DIR] [--harness PATH] [--wait] [--no-exclusive] [--sbatch-arg ARG]...
#   --shards N        array tasks 1..N; workload i of the selection goes to shard (i mod N)+1
#   --out FILE        the merged results file (written by the merge job)
#   --shard-dir DIR   where shard-K.json, shard-K.log, merge.log go (default <out without .json>.shards);
#                     must be on a file system every node sees
#   --harness PATH    the harness binary (default $ALLOCLAB_HARNESS, else build/bin/harness here)
#   --wait            block until the merge job has ended; exit with its exit code
#   --no-exclusive    let tasks share a node (by default each task has its node to itself: timing
#                     needs a quiet machine)
#   --sbatch-arg ARG  passed to both sbatch calls (repeatable), e.g. --sbatch-arg=--partition=perf;
#                     sbatch's SBATCH_* environment variables work too
# Without --seed, a seed is drawn here and passed to every shard (merge refuses shards of
# different seeds). Exit codes: 0 submitted (or, with --wait, merged); 2 usage, sbatch missing,
# or a refused merge; 1 the merge found failed cells or an incomplete shard.
set -euo pipefail

die() {
  echo "slurm-run.sh: $*" >&2
  exit 2
}

shards='' out='' shard_dir='' harness=${ALLOCLAB_HARNESS:-} wait=0 exclusive=1 seed_given=0
run_args=() sbatch_args=()
while (($#)); do
  case $1 in
    --shards) shards=${2:-}; shift 2 ;;
    --shards=*) shards=${1#*=}; shift ;;
    --out | -o) out=${2:-}; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --shard-dir) shard_dir=${2:-}; shift 2 ;;
    --shard-dir=*) shard_dir=${1#*=}; shift ;;
    --harness) harness=${2:-}; shift 2 ;;
    --harness=*) harness=${1#*=}; shift ;;
    --wait) wait=1; shift ;;
    --no-exclusive) exclusive=0; shift ;;
    --sbatch-arg) sbatch_args+=("${2:-}"); shift 2 ;;
    --sbatch-arg=*) sbatch_args+=("${1#*=}"); shift ;;
    --shard | --shard=*) die "--shard is set per array task; pass --shards N" ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)
      [[ $1 == --seed || $1 == --seed=* ]] && seed_given=1
      run_args+=("$1"); shift ;;
  esac
done

[[ $shards =~ ^[1-9][0-9]*$ ]] || die "--shards N: a positive number of shards is required (got '${shards}')"
[[ -n $out ]] || die "--out MERGED.json is required"
command -v sbatch >/dev/null 2>&1 ||
  die "sbatch not found: Slurm's client commands are needed (Debian: apt-get install slurm-client), or run the shards yourself: harness run ... --shard K/$shards, then harness merge"

here=$(cd "$(dirname "$0")/.." && pwd)
harness=${harness:-$here/build/bin/harness}
[[ -x $harness ]] || die "harness binary $harness not found (build it, or pass --harness PATH)"
harness=$(cd "$(dirname "$harness")" && pwd)/$(basename "$harness")
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
shard_dir=${shard_dir:-${out%.json}.shards}
mkdir -p "$shard_dir"
shard_dir=$(cd "$shard_dir" && pwd)
rm -f "$shard_dir"/shard-*.json "$shard_dir"/shard-*.log "$shard_dir"/merge.log  # a stale shard must never be merged

if ((!seed_given)); then
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  run_args+=(--seed "$seed")
  echo "slurm-run.sh: seed $seed (the same for every shard)" >&2
fi

# The task and merge scripts, with every argument quoted as given.
{
  echo '#!/usr/bin/env bash'
  printf 'exec %q run' "$harness"
  ((${#run_args[@]})) && printf ' %q' "${run_args[@]}"
  printf ' --style plain --shard "$SLURM_ARRAY_TASK_ID/%s" --out %q/"shard-$SLURM_ARRAY_TASK_ID.json"\n' "$shards" \
    "$shard_dir"
} >"$shard_dir/shard.sbatch"
{
  echo '#!/usr/bin/env bash'
  printf 'exec %q merge' "$harness"
  for ((k = 1; k <= shards; k++)); do printf ' %q' "$shard_dir/shard-$k.json"; done
  printf ' --out %q --style plain\n' "$out"
} >"$shard_dir/merge.sbatch"
chmod +x "$shard_dir/shard.sbatch" "$shard_dir/merge.sbatch"

common=(--parsable "${sbatch_args[@]}")
task_args=(--job-name=alloclab-shard --array="1-$shards" --output="$shard_dir/shard-%a.log")
((exclusive)) && task_args+=(--exclusive)
array_id=$(sbatch "${common[@]}" "${task_args[@]}" "$shard_dir/shard.sbatch")
array_id=${array_id%%;*}
echo "slurm-run.sh: shards: job array $array_id (tasks 1-$shards) → $shard_dir/shard-K.json" >&2

# afterany, not afterok: a shard with a failed cell exits 1 but its file is complete, and its
# failures belong in the merged file; a shard that wrote nothing makes the merge fail (exit 2,
# "shard file ... not found"), which the merge log says.
merge_args=(--job-name=alloclab-merge --dependency="afterany:$array_id" --output="$shard_dir/merge.log")
if ((wait)); then
  rc=0
  sbatch "${common[@]}" "${merge_args[@]}" --wait "$shard_dir/merge.sbatch" >/dev/null || rc=$?
  cat "$shard_dir/merge.log" >&2 || true
  echo "slurm-run.sh: merge job ended with exit code $rc → $out" >&2
  exit "$rc"
fi
merge_id=$(sbatch "${common[@]}" "${merge_args[@]}" "$shard_dir/merge.sbatch")
echo "slurm-run.sh: merge: job ${merge_id%%;*} after the array → $out (log $shard_dir/merge.log)" >&2
