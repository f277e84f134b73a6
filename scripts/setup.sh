#!/usr/bin/env bash
# Installs (only) the missing Debian packages alloclab needs, then configures and builds.
# Usage: scripts/setup.sh [extra cmake -D options...]
# Env: BUILD_DIR (default: build), ALLOCLAB_SKIP_APT=1 to skip the package step.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libbenchmark-dev libfmt-dev libcli11-dev nlohmann-json3-dev libgtest-dev googletest
  libmimalloc2.0 libjemalloc2 libtcmalloc-minimal4   # peer allocators, preloaded by the harness
  python3 sqlite3                                     # real programs run under each variant
  python3-scipy                                       # tests/harness/scipy_rank_check.py (/usr/bin/python3)
  valgrind                                            # instruction counts (callgrind)
  libtsan2                                            # ThreadSanitizer runtime (tests/tsan)
  libubsan1                                           # UndefinedBehaviorSanitizer runtime (tests/ubsan)
  clang libclang-rt-14-dev                            # libFuzzer (clang++ -fsanitize=fuzzer, tests/fuzz)
  clang-format                                        # scripts/check-format.sh (ctest style.clang_format)
)

if [[ "${ALLOCLAB_SKIP_APT:-0}" != 1 ]]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing missing packages: ${missing[*]}" >&2
    sudo_cmd=(); [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

build_dir=${BUILD_DIR:-build}
generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif (($#)); then
  cmake -S . -B "$build_dir" "$@"
fi
cmake --build "$build_dir" --parallel "$(nproc)"
