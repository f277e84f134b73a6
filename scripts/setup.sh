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
  lua5.4                                              # the real-program suite's Lua churn (workloads/real/programs.json)
  python3-scipy                                       # tests/harness/scipy_rank_check.py (/usr/bin/python3)
  valgrind                                            # instruction counts (callgrind)
  libtsan2                                            # ThreadSanitizer runtime (tests/tsan)
  libubsan1                                           # UndefinedBehaviorSanitizer runtime (tests/ubsan)
  clang libclang-rt-14-dev                            # libFuzzer (clang++ -fsanitize=fuzzer, tests/fuzz)
  clang-format                                        # scripts/check-format.sh (ctest style.clang_format)
  dpkg-dev                                            # dpkg-source: scripts/fetch-debian-source.sh (redis)
  time                                                # /usr/bin/time: peak RSS in scripts/thread-churn-rss.sh
  patch                                               # variants/external/mimalloc: the patched mimalloc:* builds
  slurm-wlm munge                                     # ctest harness.slurm: a one-node Slurm runs scripts/slurm-run.sh
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

# redis's Debian source (workloads/real/redis.cmake builds it with MALLOC=libc), unless -DALLOCLAB_REDIS=OFF
# is given or cached. Offline, this warns and the build goes on without redis.
redis_opt=''
for a in "$@"; do
  if [[ $a =~ ^-DALLOCLAB_REDIS(:BOOL)?=(.*)$ ]]; then redis_opt=${BASH_REMATCH[2]}; fi
done
if [[ -z $redis_opt && -f $build_dir/CMakeCache.txt ]]; then
  redis_opt=$(sed -n 's/^ALLOCLAB_REDIS:BOOL=//p' "$build_dir/CMakeCache.txt")
fi
redis_wanted=1
if [[ ${redis_opt^^} =~ ^(OFF|0|NO|FALSE|N)$ ]]; then redis_wanted=0; fi
if ((redis_wanted)) && ! scripts/fetch-debian-source.sh redis "$build_dir/sources/redis"; then
  echo "setup: WARNING: could not fetch redis's Debian source; redis-libc is not built and the" \
    "real_programs.redis_libc.* tests are not registered (rerun scripts/setup.sh when online)" >&2
fi

# mimalloc's Debian source (variants/external/mimalloc patches and builds it per combination),
# unless -DALLOCLAB_MIMALLOC=OFF or another tree (-DALLOCLAB_MIMALLOC_SOURCE=DIR) is given.
# Offline, this warns and the build goes on without the mimalloc:* family.
mimalloc_wanted=1
for a in "$@"; do
  if [[ $a =~ ^-DALLOCLAB_MIMALLOC(:BOOL)?=(.*)$ && ${BASH_REMATCH[2]^^} =~ ^(OFF|0|NO|FALSE|N)$ ]]; then mimalloc_wanted=0; fi
  if [[ $a =~ ^-DALLOCLAB_MIMALLOC_SOURCE(:PATH)?= ]]; then mimalloc_wanted=0; fi
done
if ((mimalloc_wanted)) && ! scripts/fetch-debian-source.sh mimalloc "$build_dir/sources/mimalloc"; then
  echo "setup: WARNING: could not fetch mimalloc's Debian source; the mimalloc:* builds and their" \
    "tests are not there (rerun scripts/setup.sh when online)" >&2
fi

generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
elif (($#)); then
  cmake -S . -B "$build_dir" "$@"
fi
cmake --build "$build_dir" --parallel "$(nproc)"
