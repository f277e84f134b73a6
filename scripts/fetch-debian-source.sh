#!/usr/bin/env bash
# Fetches and unpacks a Debian source package with `apt-get source`, through a PRIVATE apt
# configuration, so the machine's apt sources, lists and caches are never touched.
#
# Usage: scripts/fetch-debian-source.sh PACKAGE DEST_DIR
#   PACKAGE   a source (or binary) package name, e.g. redis; PACKAGE=VERSION pins a version
#   DEST_DIR  where the unpacked tree ends up (DEST_DIR/src, DEST_DIR/debian, ...)
# Env:
#   ALLOCLAB_APT_DIR        the private apt state (default: DEST_DIR's parent/apt)
#   ALLOCLAB_DEBIAN_MIRROR  mirror URI to use instead of the one in the machine's sources
#
# The private sources list has one deb-src entry per deb entry of the machine's sources
# (/etc/apt/sources.list, /etc/apt/sources.list.d/*.{list,sources}) whose suite belongs to the
# machine's release (VERSION_CODENAME in /etc/os-release: bookworm, bookworm-updates,
# bookworm-security, ...), so the source matches the installed release and its security fixes.
# Idempotent: DEST_DIR/.alloclab-source (package and version) marks a finished fetch; when it is
# there, nothing is done. The tree is unpacked beside DEST_DIR and moved into place whole, so an
# interrupted fetch leaves no half tree. Exit codes: 0 fetched or already there, 1 could not
# fetch (no network, unknown package), 2 bad usage.
set -euo pipefail

die() { echo "fetch-debian-source: $*" >&2; exit 1; }
(($# == 2)) || { echo "usage: $0 PACKAGE DEST_DIR" >&2; exit 2; }
package=$1
dest=$2
[[ -n $package && -n $dest ]] || { echo "usage: $0 PACKAGE DEST_DIR" >&2; exit 2; }
stamp_name=.alloclab-source

if [[ -f $dest/$stamp_name ]]; then
  echo "fetch-debian-source: $package already in $dest ($(cat "$dest/$stamp_name"))"
  exit 0
fi
if [[ -e $dest ]] && [[ -n $(ls -A "$dest" 2>/dev/null) ]]; then
  die "$dest exists but holds no $stamp_name (not fetched by this script); remove it and rerun"
fi

for tool in apt-get dpkg-source; do
  command -v "$tool" >/dev/null ||
    die "$tool not found (apt-get source needs apt and dpkg-dev; scripts/setup.sh installs dpkg-dev)"
done

# --- the machine's release and mirrors ---------------------------------------------------------
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release: cannot tell which release's source to fetch"

dest_parent=$(dirname "$dest")
mkdir -p "$dest_parent"
dest_parent=$(cd "$dest_parent" && pwd)
dest="$dest_parent/$(basename "$dest")"
apt_dir=${ALLOCLAB_APT_DIR:-$dest_parent/apt}
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
apt_dir=$(cd "$apt_dir" && pwd)

# One fetch at a time per private apt dir (apt locks its lists too, but not the unpacking).
exec 9>"$apt_dir/fetch.lock"
command -v flock >/dev/null && flock 9

sources="$apt_dir/sources.list.d/alloclab-deb-src.sources"
: >"$apt_dir/sources.list"   # the private (empty) one-line list; all entries are in $sources
if [[ -n ${ALLOCLAB_DEBIAN_MIRROR:-} ]]; then
  printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$ALLOCLAB_DEBIAN_MIRROR" "$codename" >"$sources"
else
  {
    # deb822 stanzas: every "deb" stanza whose suites are this release's becomes deb-src; its
    # URIs, Components and Signed-By are kept (continuation lines of Signed-By included).
    shopt -s nullglob
    for f in /etc/apt/sources.list.d/*.sources; do
      awk -v codename="$codename" '
        function flush() {
          if (n && types ~ /(^| )deb( |$)/ && enabled != "no") {
            m = split(suites, s, /[ \t]+/); keep = ""
            for (i = 1; i <= m; i++) if (s[i] ~ ("^" codename "(-[a-z]+)?$")) keep = keep " " s[i]
            if (keep != "") {
              print "Types: deb-src"
              for (i = 1; i <= n; i++) {
                if (lines[i] ~ /^Suites:/) print "Suites:" keep
                else if (lines[i] !~ /^(Types|Enabled):/) print lines[i]
              }
              print ""
            }
          }
          n = 0; types = ""; suites = ""; enabled = ""
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        {
          lines[++n] = $0
          if ($0 ~ /^Types:/) { types = $0; sub(/^Types:[ \t]*/, "", types) }
          if ($0 ~ /^Suites:/) { suites = $0; sub(/^Suites:[ \t]*/, "", suites) }
          if ($0 ~ /^Enabled:/) { enabled = tolower($2) }
        }
        END { flush() }' "$f"
    done
    # One-line lists: "deb [options] URI SUITE COMPONENT..." becomes deb-src.
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      awk -v codename="$codename" '
        $1 == "deb" {
          line = $0; sub(/^deb[ \t]+/, "", line)
          opts = ""
          if (line ~ /^\[/) { opts = substr(line, 1, index(line, "]")); line = substr(line, index(line, "]") + 1) }
          split(line, w, /[ \t]+/); k = (w[1] == "") ? 2 : 1
          if (w[k + 1] ~ ("^" codename "(-[a-z]+)?$")) print "deb-src " opts " " line
        }' "$f"
    done
  } >"$sources.tmp"
  # One-line entries go to the private one-line list; deb822 stanzas stay in $sources.
  grep '^deb-src ' "$sources.tmp" >"$apt_dir/sources.list" || true
  grep -v '^deb-src ' "$sources.tmp" >"$sources" || true
  rm -f "$sources.tmp"
  if ! grep -q . "$sources" && ! grep -q . "$apt_dir/sources.list"; then
    die "the machine's apt sources have no entry for $codename to take the mirror from (set ALLOCLAB_DEBIAN_MIRROR)"
  fi
fi

# --- apt with every path private ---------------------------------------------------------------
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Acquire::http::Timeout=30" -o "Acquire::Retries=1"
)
log="$apt_dir/fetch-$(basename "$dest").log"
echo "fetch-debian-source: fetching Debian source package $package for $codename into $dest (apt state: $apt_dir)"
if ! apt-get "${apt_opts[@]}" -q update --error-on=any >"$log" 2>&1; then
  tail -n 15 "$log" >&2
  die "apt-get update of the private deb-src list failed (no network or mirror unreachable?); full log: $log"
fi

work=$(mktemp -d "$dest_parent/.fetch-$(basename "$dest").XXXXXX")
trap 'rm -rf "$work"' EXIT
# As root, apt downloads as the unprivileged _apt user: let it write the download directory.
if [[ $(id -u) == 0 ]] && id _apt >/dev/null 2>&1; then chown _apt "$work"; fi
if ! (cd "$work" && apt-get "${apt_opts[@]}" -q source "$package") >>"$log" 2>&1; then
  tail -n 15 "$log" >&2
  die "apt-get source $package failed (unknown package or download failed); full log: $log"
fi

tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[[ -n $tree && -d $tree/debian ]] || die "apt-get source $package left no unpacked tree with debian/ (see $log)"
version=$(cd "$tree" && dpkg-parsechangelog -S Version 2>/dev/null || basename "$tree")
source_name=$(cd "$tree" && dpkg-parsechangelog -S Source 2>/dev/null || echo "$package")
echo "$source_name $version" >"$tree/$stamp_name"
rmdir "$dest" 2>/dev/null || true
mv "$tree" "$dest"
echo "fetch-debian-source: $source_name $version unpacked in $dest"
