# redis-server and redis-benchmark built from Debian's redis source package with MALLOC=libc,
# for the server cell of the real-program suite: ${CMAKE_BINARY_DIR}/real/bin/redis-server,
# .../redis-benchmark and .../redis-cli (target redis-libc, part of ALL).
#
# Why not Debian's binary: it links libjemalloc for mallctl/nallocx, takes malloc/free from
# whichever library comes first under LD_PRELOAD and still reports mem_allocator:jemalloc-5.3.0;
# jemalloc's size predictions over another allocator's blocks are unsound. With MALLOC=libc
# every allocation goes through malloc/free/malloc_usable_size, i.e. to the preloaded library.
#
# The source is fetched by scripts/setup.sh (scripts/fetch-debian-source.sh redis
# <build>/sources/redis), not here: configuring never touches the network. Without the source
# (offline), configuring warns, and redis-libc and the real_programs.redis_libc.* tests do not
# exist; everything else builds and tests as before.

set(ALLOCLAB_REDIS_SOURCE_DIR "${CMAKE_BINARY_DIR}/sources/redis" CACHE PATH
    "Unpacked Debian redis source tree (scripts/fetch-debian-source.sh redis DIR)")
set(ALLOCLAB_REDIS_AVAILABLE OFF CACHE INTERNAL "redis-libc target exists")
set(_redis_bin "${CMAKE_BINARY_DIR}/real/bin")
set(_redis_stamp "${ALLOCLAB_REDIS_SOURCE_DIR}/.alloclab-source")
# A fetch after this configure (setup.sh, or by hand) adds the tree to this directory and so
# reruns configure on the next build.
get_filename_component(_redis_sources_parent "${ALLOCLAB_REDIS_SOURCE_DIR}" DIRECTORY)
file(MAKE_DIRECTORY "${_redis_sources_parent}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_redis_sources_parent}")

if(NOT ALLOCLAB_REDIS)
  message(STATUS "redis: ALLOCLAB_REDIS=OFF: redis-libc is not built, real_programs.redis_libc.* not registered")
  return()
endif()
if(NOT EXISTS "${_redis_stamp}")
  message(WARNING
    "redis: no fetched source in ${ALLOCLAB_REDIS_SOURCE_DIR} (no network when scripts/setup.sh ran?). "
    "redis-libc is NOT built and the tests real_programs.redis_libc.* are NOT registered. "
    "Fetch it with: scripts/fetch-debian-source.sh redis ${ALLOCLAB_REDIS_SOURCE_DIR} "
    "(then build again), or configure with -DALLOCLAB_REDIS=OFF to silence this.")
  return()
endif()
find_program(ALLOCLAB_MAKE NAMES make gmake)
if(NOT ALLOCLAB_MAKE)
  message(WARNING "redis: no make program found (build-essential); redis-libc is NOT built and "
                  "real_programs.redis_libc.* are NOT registered")
  return()
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_redis_stamp}")
file(STRINGS "${_redis_stamp}" _redis_version LIMIT_COUNT 1)

# redis builds in its own tree with its own Makefile (no out-of-tree builds). -j2 at most: the
# machine is shared. Only the three programs, not redis's tests. GIT_CEILING_DIRECTORIES keeps
# mkreleasehdr.sh from taking alloclab's git commit for redis's. The make output goes to a log
# (its tail is shown on failure) so that it does not drown the rest of the build's.
set(_redis_src "${ALLOCLAB_REDIS_SOURCE_DIR}/src")
set(_redis_log "${CMAKE_BINARY_DIR}/real/redis-build.log")
set(_redis_programs redis-server redis-benchmark redis-cli)
list(TRANSFORM _redis_programs PREPEND "${_redis_bin}/" OUTPUT_VARIABLE _redis_outputs)
list(TRANSFORM _redis_programs PREPEND "${_redis_src}/" OUTPUT_VARIABLE _redis_built)
set(_redis_make
  "${ALLOCLAB_MAKE}" -C "${_redis_src}" -j2 "CC=${CMAKE_C_COMPILER}"
  MALLOC=libc BUILD_TLS=no USE_SYSTEMD=no ${_redis_programs})
list(JOIN _redis_make " " _redis_make_line)
add_custom_command(
  OUTPUT ${_redis_outputs}
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${_redis_bin}"
  COMMAND "${CMAKE_COMMAND}" -E env "GIT_CEILING_DIRECTORIES=${_redis_sources_parent}"
          sh -c "${_redis_make_line} >'${_redis_log}' 2>&1 || { tail -n 40 '${_redis_log}'; echo 'redis-libc: make failed, full log: ${_redis_log}'; exit 1; }"
  COMMAND "${CMAKE_COMMAND}" -E copy ${_redis_built} "${_redis_bin}/"
  DEPENDS "${_redis_stamp}"
  COMMENT "redis-libc: building ${_redis_version} (Debian source) with MALLOC=libc into real/bin"
  VERBATIM)
add_custom_target(redis-libc ALL DEPENDS ${_redis_outputs})
set(ALLOCLAB_REDIS_AVAILABLE ON CACHE INTERNAL "redis-libc target exists")
message(STATUS "redis: source package ${_redis_version} in ${ALLOCLAB_REDIS_SOURCE_DIR}, built with MALLOC=libc into ${_redis_bin}")

# Smoke test per variant: the server runs with the variant preloaded, reports
# mem_allocator:libc, maps the library and serves redis-benchmark.
if(ALLOCLAB_BUILD_TESTS)
  foreach(_v IN ITEMS baseline all)
    if(NOT TARGET alloclab-${_v})
      message(WARNING "redis: no target alloclab-${_v}; real_programs.redis_libc.${_v} is not registered")
      continue()
    endif()
    add_test(NAME real_programs.redis_libc.${_v}
             COMMAND bash "${CMAKE_SOURCE_DIR}/tests/real_programs/redis_smoke.sh"
                     "$<TARGET_FILE:alloclab-${_v}>" "${_redis_bin}")
    set_tests_properties(real_programs.redis_libc.${_v} PROPERTIES
      LABELS "allocator;real_programs;redis"
      TIMEOUT 120)
  endforeach()
endif()
