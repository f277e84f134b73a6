#!/usr/bin/env bash
# Real programs under an alloclab variant: each program runs once with the system allocator
# and once with LD_PRELOAD=<variant library>; stdout, stderr and exit codes must be identical
# (and 0). Also checks that the preload really took effect in each program.
#
# Usage: run_real_programs.sh <path/to/liballoclab-VARIANT.so> <variant name>
# Programs: python3 (alloc_heavy.py), sqlite3 :memory: (workload.sql), g++ (compiles a small
# C++ file to assembly, which must be identical). python3/sqlite3/g++ are taken from PATH.
set -uo pipefail

lib=${1:?usage: run_real_programs.sh LIB VARIANT}
variant=${2:?usage: run_real_programs.sh LIB VARIANT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../workloads/real" && pwd)  # the suite's inputs
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

if [[ ! -f $lib ]]; then
  echo "FAIL: library $lib does not exist (build target alloclab-<variant>)" >&2
  exit 1
fi
for tool in python3 sqlite3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not on PATH (scripts/setup.sh installs it)" >&2; exit 1; }
done
# The interpreter itself, not a wrapper script (pyenv shims) in front of it.
python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[[ -x $python ]] || python=$(command -v python3)

work=$(mktemp -d "${TMPDIR:-/tmp}/alloclab-real.XXXXXX")
trap 'rm -rf "$work"' EXIT
export PYTHONHASHSEED=0 LC_ALL=C PYTHONDONTWRITEBYTECODE=1
unset LD_PRELOAD

# run_both NAME CMD...: runs CMD (stdin from $stdin_file if set) without and with the preload.
run_both() {
  local name=$1; shift
  local in=${stdin_file:-/dev/null}
  local t0=$SECONDS
  (cd "$work" && "$@" <"$in" >"$work/$name.sys.out" 2>"$work/$name.sys.err"); local rc_sys=$?
  (cd "$work" && LD_PRELOAD=$lib "$@" <"$in" >"$work/$name.var.out" 2>"$work/$name.var.err"); local rc_var=$?
  echo "$name: exit $rc_sys (system) / $rc_var ($variant), $((SECONDS - t0)) s"
  [[ $rc_sys == 0 ]] || { fail "$name exits $rc_sys with the system allocator"; sed 's/^/  /' "$work/$name.sys.err" | head -20 >&2; }
  [[ $rc_var == 0 ]] || { fail "$name exits $rc_var under $variant"; sed 's/^/  /' "$work/$name.var.err" | head -20 >&2; }
  if ! cmp -s "$work/$name.sys.out" "$work/$name.var.out"; then
    fail "$name: stdout differs under $variant"
    diff "$work/$name.sys.out" "$work/$name.var.out" | head -20 >&2
  fi
  if ! cmp -s "$work/$name.sys.err" "$work/$name.var.err"; then
    fail "$name: stderr differs under $variant"
    diff "$work/$name.sys.err" "$work/$name.var.err" | head -20 >&2
  fi
}

# --- the preload takes effect ------------------------------------------------------------------
got=$(LD_PRELOAD=$lib "$python" -c '
import ctypes, json
f = ctypes.CDLL(None).alloclab_variant
f.restype = ctypes.c_char_p
print(json.loads(f())["name"])' 2>&1)
[[ $got == "$variant" ]] || fail "python3 under LD_PRELOAD=$lib: alloclab_variant() gave '$got', expected '$variant'"
got=$(LD_PRELOAD=$lib "$python" -c 'print(open("/proc/self/maps").read())' 2>&1)
grep -qF "$lib" <<<"$got" || fail "$lib is not mapped in python3 (LD_PRELOAD did not take effect)"
got=$(LD_PRELOAD=$lib sqlite3 :memory: '.shell grep -cF '"'$lib'"' /proc/$PPID/maps' 2>&1)
[[ $got =~ ^[1-9] ]] || fail "$lib is not mapped in sqlite3 (LD_PRELOAD did not take effect): $got"

# --- python3 -----------------------------------------------------------------------------------
stdin_file='' run_both python "$python" "$here/alloc_heavy.py"
grep -q '^digest: ' "$work/python.sys.out" || fail "python: no digest line (script did not finish)"

# --- sqlite3 -----------------------------------------------------------------------------------
stdin_file="$here/workload.sql" run_both sqlite sqlite3 :memory:
[[ $(wc -l <"$work/sqlite.sys.out") -gt 40 ]] || fail "sqlite: too little output"

# --- a compiler --------------------------------------------------------------------------------
cxx=$(command -v g++ || command -v c++ || true)
if [[ -n $cxx ]]; then
  cat >"$work/unit.cpp" <<'CPP'
#include <algorithm>
#include <map>
#include <string>
#include <vector>
template <int N> struct Fib { static constexpr long v = Fib<N - 1>::v + Fib<N - 2>::v; };
template <> struct Fib<1> { static constexpr long v = 1; };
template <> struct Fib<0> { static constexpr long v = 0; };
std::map<std::string, std::vector<int>> build(int n) {
  std::map<std::string, std::vector<int>> m;
  for (int i = 0; i < n; ++i) m[std::to_string(i % 97)].push_back(i);
  for (auto& [k, v] : m) std::sort(v.rbegin(), v.rend());
  return m;
}
long fib80() { return Fib<80>::v; }
CPP
  # -S -o -: the generated assembly is the output compared (cc1plus is the heavy allocator user).
  stdin_file='' run_both compile "$cxx" -O2 -std=c++20 -frandom-seed=alloclab -S -o - unit.cpp
  [[ $(grep -c . "$work/compile.sys.out") -gt 50 ]] || fail "compile: too little assembly output"
else
  echo "note: no C++ compiler on PATH, compiler check skipped"
fi

if ((failures)); then
  echo "real_programs.$variant: $failures failure(s)" >&2
  exit 1
fi
echo "real_programs.$variant: python3, sqlite3 and g++ behave identically under $variant"
