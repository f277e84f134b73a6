#!/usr/bin/env bash
# Proves that a mimalloc:* build answers malloc/free under LD_PRELOAD: the dynamic linker binds
# libc's and the program's malloc and free to LIB (LD_DEBUG=bindings, every symbol bound at
# start with LD_BIND_NOW), and no binding of them goes to another library.
# Usage: mimalloc_answers_malloc.sh LIB
set -euo pipefail
lib=$1
[[ -f $lib ]] || { echo "FAIL: $lib does not exist (is the mimalloc:* build built?)" >&2; exit 1; }
log=$(LD_BIND_NOW=1 LD_DEBUG=bindings LD_PRELOAD="$lib" /bin/ls / 2>&1 >/dev/null)
for sym in malloc free; do
  to_lib=$(grep -cF " to $lib [0]: normal symbol \`$sym'" <<<"$log" || true)
  all=$(grep -c "normal symbol \`$sym'" <<<"$log" || true)
  if ((to_lib == 0)); then
    echo "FAIL: no binding of $sym to $lib; bindings of $sym:" >&2
    grep "normal symbol \`$sym'" <<<"$log" >&2 || true
    exit 1
  fi
  if ((to_lib != all)); then
    echo "FAIL: $((all - to_lib)) of $all bindings of $sym go elsewhere:" >&2
    grep "normal symbol \`$sym'" <<<"$log" | grep -vF " to $lib " >&2
    exit 1
  fi
  echo "ok: all $all bindings of $sym go to $lib"
done
