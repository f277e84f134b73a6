#!/usr/bin/env bash
# Applies every combination of the patches (2^n, in the given order) to scratch copies of the
# mimalloc tree SRC and fails if any hunk does not apply exactly (no fuzz) or a combination's
# result does not differ from its neighbours as the patches say.
# Usage: check-patches.sh SRC PATCH...
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 SRC PATCH..." >&2; exit 2; }
src=$1
shift
patches=("$@")
n=${#patches[@]}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/orig"
cp -a "$src/include" "$src/src" "$scratch/orig/"
failed=0
for ((m = 0; m < (1 << n); m++)); do
  rm -rf "$scratch/t"
  cp -a "$scratch/orig" "$scratch/t"
  names=""
  for ((i = 0; i < n; i++)); do
    if (((m >> (n - 1 - i)) & 1)); then
      p=${patches[i]}
      names+=" $(basename "$p" .patch)"
      if ! out=$(patch -d "$scratch/t" -p1 -F0 --no-backup-if-mismatch <"$p" 2>&1); then
        echo "FAIL: combination {${names# }}: $(basename "$p") does not apply:" >&2
        echo "$out" >&2
        failed=1
        continue 2
      fi
      if grep -q 'fuzz' <<<"$out"; then
        echo "FAIL: combination {${names# }}: $(basename "$p") needed fuzz" >&2
        failed=1
      fi
    fi
  done
  if ((m > 0)) && diff -rq "$scratch/orig" "$scratch/t" >/dev/null; then
    echo "FAIL: combination {${names# }} changed nothing" >&2
    failed=1
  fi
done
((failed == 0)) || exit 1
echo "check-patches: all $((1 << n)) combinations of ${n} patches apply exactly to $src"
