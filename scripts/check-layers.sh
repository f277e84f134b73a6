#!/usr/bin/env bash
# Checks the harness's layering: a file may include files of its own layer and of the layers
# below it, never of a layer above (the order is written at the top of harness/README.md's
# code map). Every quoted #include must name its folder (e.g. "run/scheduler.h").
# Usage: scripts/check-layers.sh [harness-dir]    (exit 0 clean, 1 violations)
set -euo pipefail
dir=${1:-"$(dirname "$0")/../harness"}
cd "$dir"

# Lowest first. "top" = the files directly in harness/ (cli.cc, cli.h, main.cc).
layers=(stats core run analysis io report verbs top)
rank() {
  local i
  for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }; done
  echo -1
}
layer_of() {  # path relative to harness/ -> its layer
  case $1 in */*) echo "${1%%/*}" ;; *) echo top ;; esac
}

status=0
while IFS= read -r -d '' file; do
  file=${file#./}
  from=$(layer_of "$file")
  from_rank=$(rank "$from")
  if ((from_rank < 0)); then
    echo "$file: folder $from is not a layer (known: ${layers[*]})"
    status=1
    continue
  fi
  while IFS= read -r line; do
    num=${line%%:*}
    target=$(sed -E 's/^[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$line")
    [[ -f $target ]] || [[ -f $(dirname "$file")/$target && $from == top ]] || {
      echo "$file:$num: #include \"$target\": no such file under harness/ (name its folder, e.g. \"core/types.h\")"
      status=1
      continue
    }
    to=$(layer_of "$target")
    to_rank=$(rank "$to")
    if ((to_rank > from_rank)); then
      echo "$file:$num: $from/ includes \"$target\" from $to/, a higher layer (order: ${layers[*]})"
      status=1
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
done < <(find . -type f \( -name '*.h' -o -name '*.cc' -o -name '*.cc.in' \) -print0 | sort -z)

if ((status == 0)); then echo "check-layers: ok (${layers[*]})"; fi
exit $status
