#!/usr/bin/env bash
# Checks that every tracked C/C++ source (*.c *.cc *.cpp *.h *.hpp) matches the root
# .clang-format; lists the files that do not and exits 1. ctest runs it as style.clang_format.
# Usage: scripts/check-format.sh          check (clang-format --dry-run --Werror)
#        scripts/check-format.sh --fix    reformat the offending files in place
# Env: CLANG_FORMAT (default: clang-format). The style was chosen with Debian 12's
# clang-format 14; other versions may format a few constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  -h | --help) usage; exit 0 ;;
  *) echo "check-format: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
esac

cf=${CLANG_FORMAT:-clang-format}
if ! command -v "$cf" >/dev/null 2>&1; then
  echo "check-format: '$cf' not found. Install Debian's clang-format package" \
       "(apt-get install clang-format, or scripts/setup.sh), or set CLANG_FORMAT." >&2
  exit 2
fi
if [[ ! -f .clang-format ]]; then
  echo "check-format: no .clang-format at the repository root ($PWD)" >&2
  exit 2
fi

# The tracked files; outside a git checkout, the same patterns under the source directories.
patterns=('*.c' '*.cc' '*.cpp' '*.h' '*.hpp')
files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' f; do files+=("$f"); done < <(git ls-files -z -- "${patterns[@]}")
else
  while IFS= read -r -d '' f; do files+=("${f#./}"); done < <(
    find . -path './build*' -prune -o -path './.git' -prune -o -type f \
      \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \) -print0 | sort -z)
fi
if ((${#files[@]} == 0)); then
  echo "check-format: no C/C++ files found" >&2
  exit 2
fi

offenders=()
for f in "${files[@]}"; do
  if ! out=$("$cf" --style=file --dry-run --Werror "$f" 2>&1); then
    # --Werror prints one "file:line:col: error: code should be clang-formatted" per spot;
    # anything else (an unreadable file, a bad .clang-format) is shown as it is.
    if ! grep -q 'Wclang-format-violations' <<<"$out"; then
      echo "check-format: $cf failed on $f:" >&2
      echo "$out" >&2
      exit 2
    fi
    offenders+=("$f")
    spots=$(grep -c 'Wclang-format-violations' <<<"$out" || true)
    if ((fix)); then
      "$cf" --style=file -i "$f"
      echo "reformatted $f ($spots spots)"
    else
      echo "$f: $spots spots differ from .clang-format"
    fi
  fi
done

version=$("$cf" --version)
if ((${#offenders[@]} == 0)); then
  echo "check-format: all ${#files[@]} files match .clang-format ($version)"
  exit 0
fi
if ((fix)); then
  echo "check-format: reformatted ${#offenders[@]} of ${#files[@]} files ($version)"
  exit 0
fi
{
  echo "check-format: ${#offenders[@]} of ${#files[@]} files differ from .clang-format ($version)."
  echo "  one file's changes: $cf --style=file FILE | diff FILE -"
  echo "  reformat them all:  scripts/check-format.sh --fix"
} >&2
exit 1
