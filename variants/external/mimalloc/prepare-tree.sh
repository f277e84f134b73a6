#!/usr/bin/env bash
# Makes DEST a copy of the mimalloc tree SRC with PATCH... applied in the order given
# (patch -p1, no fuzz: a hunk that does not apply exactly fails the build).
# Usage: prepare-tree.sh SRC DEST [PATCH...]
# The copy is made beside DEST and moved into place whole, so a failed patch leaves no tree.
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 SRC DEST [PATCH...]" >&2; exit 2; }
src=$1 dest=$2
shift 2
[[ -f $src/CMakeLists.txt && -f $src/src/alloc.c ]] || { echo "prepare-tree: $src is not a mimalloc tree" >&2; exit 1; }
tmp="$dest.tmp"
rm -rf "$tmp" "$dest"
mkdir -p "$(dirname "$dest")"
# Only what mimalloc's CMake build reads (not debian/, .git, ...).
mkdir -p "$tmp"
for d in CMakeLists.txt cmake include src test mimalloc.pc.in; do
  if [[ -e $src/$d ]]; then cp -a "$src/$d" "$tmp/"; fi
done
for p in "$@"; do
  if ! patch -d "$tmp" -p1 -F0 -s --no-backup-if-mismatch <"$p"; then
    echo "prepare-tree: $(basename "$p") does not apply to $src (after: ${applied:-nothing})" >&2
    exit 1
  fi
  applied="${applied:+$applied }$(basename "$p" .patch)"
done
echo "${applied:-baseline}" >"$tmp/.alloclab-patches"
mv "$tmp" "$dest"
