#!/usr/bin/env bash
# scripts/slurm-run.sh on a real one-node Slurm: its own munged (own key, socket, pid and log
# files) and a slurmctld + slurmd (one node, this host at 127.0.0.1, proctrack/pgid, task/none,
# free ports picked now), everything under WORKDIR; a 3-shard quick run submitted as a job array
# with a dependent merge job, the merged file checked. The daemons are always stopped (trap) and
# checked gone. Exit 77 (ctest: skipped) with the reason when the daemons cannot run here.
# Usage: slurm_test.sh SOURCE_DIR HARNESS WORKDIR WORKLOADS
set -euo pipefail
src=$1 harness=$2 work=$3 workloads=$4
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "slurm_test: SKIPPED: $*" >&2; exit 77; }
fail() { echo "slurm_test: FAIL: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || skip "not root: slurmd must run as root to start job steps"
for c in munged munge slurmctld slurmd sbatch sinfo squeue; do
  command -v "$c" >/dev/null || skip "$c not found (scripts/setup.sh installs slurm-wlm and munge)"
done

rm -rf "$work"
mkdir -p "$work"/{state,spool,log,key,out}
chmod 755 "$work"  # munged wants its socket's directory reachable by everyone
chmod 700 "$work/key"
pids=()
stop() {  # only the daemons this test started, by pid
  local rc=$? p alive
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
      echo "slurm_test: pid $p ($(ps -o comm= -p "$p")) did not stop on SIGTERM: killed" >&2
      kill -9 "$p" 2>/dev/null || true
      rc=1
    fi
  done
  exit "$rc"
}
trap stop EXIT

dd if=/dev/urandom of="$work/key/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/key/munge.key"
munged -F --key-file="$work/key/munge.key" --socket="$work/munge.socket" --pid-file="$work/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/key/munged.seed" >"$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $work/munge.socket ]] && break; sleep 0.1; done
[[ -S $work/munge.socket ]] || skip "munged did not start: $(tail -3 "$work/log/munged.out")"

read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=alloclabtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$work/munge.socket
CredType=cred/munge
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule every second (defaults: 60 s and 30 s), so dependent jobs start at once.
SchedulerParameters=sched_interval=1,bf_interval=1
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
MailProg=/bin/true
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=alloclab Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=''
for _ in $(seq 100); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [[ $state == idle ]] && break
  sleep 0.2
done
[[ $state == idle ]] ||
  skip "the one-node Slurm did not come up (node state '${state}'): $(tail -2 "$work/log/slurmctld.log" "$work/log/slurmd.log" 2>&1 | tr '\n' ' ')"
echo "slurm_test: slurmctld on port $ctld_port, slurmd on $slurmd_port, node $host idle"

nw=$(tr ',' '\n' <<<"$workloads" | wc -l)
start=$EPOCHREALTIME
rc=0
"$src/scripts/slurm-run.sh" --harness "$harness" --variants baseline --peers glibc --workloads "$workloads" \
  --rounds 2 --min-time 0.002 --layouts 1 --shards 3 --out "$work/out/merged.json" --wait \
  --sbatch-arg=--time=5 || rc=$?
echo "slurm_test: slurm-run.sh --wait: exit $rc after $(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }") s"
for k in 1 2 3; do sed "s/^/  shard $k: /" "$work/out/merged.shards/shard-$k.log" | tail -3; done
[[ $rc == 0 ]] || fail "slurm-run.sh exited $rc"
"$harness" check "$work/out/merged.json"
python3 "$here/check_merged.py" "$work/out/merged.json" --shards 3 --rounds 2 --allocators 2 --workloads "$nw"
# Every shard ran as its own array task (its own command line with --shard K/3).
python3 - "$work/out/merged.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for s in m["context"]["shards"]:
    cl = s["command_line"]
    assert cl[cl.index("--shard") + 1] == f"{s['index']}/3", cl
print("slurm_test: the shards' command lines carry --shard 1/3, 2/3, 3/3")
PY
left=$(squeue -h 2>/dev/null | wc -l)
[[ $left == 0 ]] || fail "$left job(s) still queued"
echo "slurm_test: ok"
