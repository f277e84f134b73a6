#!/usr/bin/env bash
# redis-server (built from Debian's source with MALLOC=libc, target redis-libc) under an alloclab
# variant: the server runs on a free loopback port with LD_PRELOAD=<library>, must link no
# jemalloc, report mem_allocator:libc, have the library mapped, serve redis-benchmark
# (set/get/lpush/lpop, without preload) and shut down with exit status 0. A trap kills and reaps
# the server on every exit path.
#
# Usage: redis_smoke.sh <path/to/liballoclab-VARIANT.so> <dir with redis-server, redis-benchmark, redis-cli>
set -uo pipefail

lib=${1:?usage: redis_smoke.sh LIB BIN_DIR}
bin=${2:?usage: redis_smoke.sh LIB BIN_DIR}
server=$bin/redis-server
bench=$bin/redis-benchmark
cli=$bin/redis-cli
unset LD_PRELOAD

die() { echo "FAIL: $*" >&2; exit 1; }
[[ -f $lib ]] || die "library $lib does not exist (build target alloclab-<variant>)"
lib=$(realpath "$lib")
for p in "$server" "$bench" "$cli"; do
  [[ -x $p ]] || die "$p is missing (build target redis-libc)"
done

# --- a libc build: no jemalloc linked --------------------------------------------------------
linked=$(ldd "$server" 2>&1) || die "ldd $server failed: $linked"
if grep -qi jemalloc <<<"$linked"; then
  die "$server links jemalloc (not a MALLOC=libc build): $(grep -i jemalloc <<<"$linked")"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/alloclab-redis.XXXXXX")
pid=''
stop_server() {
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  pid=''
}
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

cli_call() { timeout 10 "$cli" -h 127.0.0.1 -p "$port" "$@" 2>&1 | tr -d '\r'; }

# A port the kernel reports free (bind to 0, read, release); redis has no --port 0, so a port
# taken again in between shows as a bind failure in the log and the next attempt picks anew.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 40000))
}

# The trap cannot run when this script is SIGKILLed (a ctest timeout): the kernel then sends the
# server SIGKILL itself (PR_SET_PDEATHSIG via setpriv, util-linux).
reaper=()
command -v setpriv >/dev/null && reaper=(setpriv --pdeathsig KILL --)

ready=0
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  "${reaper[@]}" env LD_PRELOAD="$lib" "$server" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize no --dir "$work" --logfile "" >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do   # up to 10 s for PONG
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    [[ $(cli_call PING) == PONG ]] && { ready=1; break; }
    sleep 0.1
  done
  ((ready)) && break
  if grep -qiE 'address already in use|could not create server tcp listening socket' "$work/server.log"; then
    echo "note: port $port was taken (attempt $attempt), trying another"
    stop_server
    continue
  fi
  sed 's/^/  server: /' "$work/server.log" | tail -n 20 >&2
  die "redis-server under $lib did not answer PING on 127.0.0.1:$port within 10 s"
done
((ready)) || die "no free port found for redis-server in 5 attempts"
# The PONG came from our server, not from another one that holds the port.
served_by=$(cli_call INFO server | grep '^process_id:')
[[ $served_by == "process_id:$pid" ]] || die "127.0.0.1:$port is served by '$served_by', not by our server (pid $pid)"
echo "redis-server pid $pid on 127.0.0.1:$port with LD_PRELOAD=$lib"

# --- the preloaded allocator is the one answering ------------------------------------------------
allocator=$(cli_call INFO memory | grep '^mem_allocator:')
[[ $allocator == mem_allocator:libc ]] || die "INFO memory says '$allocator', expected mem_allocator:libc"
grep -qF "$lib" "/proc/$pid/maps" || die "$lib is not mapped in redis-server (LD_PRELOAD did not take effect)"
echo "$allocator; $(basename "$lib") mapped in the server"

# --- load: redis-benchmark (its own allocator, no preload) -----------------------------------------
out=$(timeout 60 "$bench" -h 127.0.0.1 -p "$port" -n 20000 -q -t set,get,lpush,lpop 2>&1 | tr '\r' '\n')
rc=$?
lines=$(grep -E '^[A-Z]+: [0-9.]+ requests per second' <<<"$out")
echo "$lines"
((rc == 0)) || die "redis-benchmark exited $rc: $(tail -n 5 <<<"$out")"
for t in SET GET LPUSH LPOP; do
  grep -qE "^$t: [0-9]*[1-9][0-9]*(\.[0-9]+)? requests per second" <<<"$lines" ||
    die "redis-benchmark printed no requests/second for $t: $(tail -n 5 <<<"$out")"
done
# The writes landed: the benchmark's key and list exist.
keys=$(cli_call DBSIZE)
[[ $keys =~ ^[1-9][0-9]*$ ]] || die "DBSIZE after the benchmark is '$keys', expected >= 1"
kill -0 "$pid" 2>/dev/null || die "redis-server died during the benchmark"

# --- clean shutdown, reaped ------------------------------------------------------------------------
cli_call SHUTDOWN NOSAVE >/dev/null
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && die "redis-server did not exit within 10 s of SHUTDOWN"
wait "$pid"
status=$?
pid=''
((status == 0)) || { sed 's/^/  server: /' "$work/server.log" | tail -n 20 >&2; die "redis-server exited $status"; }
echo "real_programs.redis_libc: $(basename "$lib") served redis-benchmark, mem_allocator:libc, clean exit"
