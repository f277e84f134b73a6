# The external family "mimalloc": real mimalloc (Debian's source package, 2.0.9) built with
# its own CMake once per combination of the five optimizations, each written here as a patch
# (patches/<code>.patch, see notes/h-mimalloc.md). Included by variants/CMakeLists.txt after
# the factors are read; it adds
#   - targets mimalloc-<name> (ExternalProject: copy of the tree + that combination's
#     patches, Release, shared library with MI_OVERRIDE, mimalloc's tests where needed),
#     all behind the target mimalloc-variants (part of ALL),
#   - _mimalloc_manifest_entries: the manifest's "external" entries ("mimalloc:<name>",
#     family, factor bits and settings, library path),
#   - ALLOCLAB_MIMALLOC_TESTED: the names whose mimalloc tests are built (the default set).
# The source is fetched by scripts/setup.sh (scripts/fetch-debian-source.sh mimalloc
# <build>/sources/mimalloc), never here: configuring does not touch the network. Without a
# source (offline), configuring warns and the family does not exist; the rest builds as before.

set(ALLOCLAB_MIMALLOC_SOURCE "${CMAKE_BINARY_DIR}/sources/mimalloc" CACHE PATH
    "mimalloc source tree for the external family (default: Debian's, fetched by scripts/setup.sh)")
option(ALLOCLAB_MIMALLOC "Build the external mimalloc family (patched mimalloc builds)" ON)
set(ALLOCLAB_MIMALLOC_AVAILABLE OFF CACHE INTERNAL "the mimalloc family is built")
set(ALLOCLAB_MIMALLOC_TESTED "" CACHE INTERNAL "mimalloc family builds with mimalloc's tests")
set(_mimalloc_manifest_entries "")
set(_mi_dir "${CMAKE_CURRENT_LIST_DIR}")
set(_mi_codes ip ls me hy ai)  # patch order; must match the factors' codes in variants.json
set(_mi_patch_files "")
foreach(c ${_mi_codes})
  list(APPEND _mi_patch_files "${_mi_dir}/patches/${c}.patch")
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_mi_patch_files})

if(NOT ALLOCLAB_MIMALLOC)
  message(STATUS "mimalloc family: ALLOCLAB_MIMALLOC=OFF: not built, its tests not registered")
  return()
endif()
# A fetch after this configure adds the tree to sources/ and so reruns configure.
get_filename_component(_mi_src_parent "${ALLOCLAB_MIMALLOC_SOURCE}" DIRECTORY)
file(MAKE_DIRECTORY "${_mi_src_parent}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_mi_src_parent}")
if(NOT EXISTS "${ALLOCLAB_MIMALLOC_SOURCE}/CMakeLists.txt" OR NOT EXISTS "${ALLOCLAB_MIMALLOC_SOURCE}/src/alloc.c")
  message(WARNING
    "mimalloc family: no mimalloc source in ${ALLOCLAB_MIMALLOC_SOURCE} (no network when scripts/setup.sh ran?). "
    "The mimalloc:* builds are NOT built and their tests are NOT registered. "
    "Fetch it with: scripts/fetch-debian-source.sh mimalloc ${ALLOCLAB_MIMALLOC_SOURCE} (then build again), "
    "or pass -DALLOCLAB_MIMALLOC_SOURCE=/path/to/mimalloc, or -DALLOCLAB_MIMALLOC=OFF to silence this.")
  return()
endif()
foreach(c ${_mi_codes})
  set(_mi_found OFF)
  foreach(k ${ALLOCLAB_FACTORS})
    if(_code_${k} STREQUAL c)
      set(_mi_found ON)
    endif()
  endforeach()
  if(NOT _mi_found)
    message(FATAL_ERROR "mimalloc family: patch ${c}.patch has no factor with code ${c} in variants.json")
  endif()
endforeach()
find_program(ALLOCLAB_PATCH NAMES patch)
if(NOT ALLOCLAB_PATCH)
  message(WARNING "mimalloc family: no `patch` program; the mimalloc:* builds are NOT built and their tests "
                  "are NOT registered (install the Debian package patch)")
  return()
endif()

# Which mimalloc: the fetch stamp ("mimalloc 2.0.9+ds-2"), else the version in mimalloc.h.
if(EXISTS "${ALLOCLAB_MIMALLOC_SOURCE}/.alloclab-source")
  file(STRINGS "${ALLOCLAB_MIMALLOC_SOURCE}/.alloclab-source" _mi_version LIMIT_COUNT 1)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${ALLOCLAB_MIMALLOC_SOURCE}/.alloclab-source")
else()
  file(STRINGS "${ALLOCLAB_MIMALLOC_SOURCE}/include/mimalloc.h" _mi_version REGEX "define MI_MALLOC_VERSION" LIMIT_COUNT 1)
  string(REGEX REPLACE ".*MI_MALLOC_VERSION +([0-9]+).*" "mimalloc MI_MALLOC_VERSION \\1 (${ALLOCLAB_MIMALLOC_SOURCE})" _mi_version
         "${_mi_version}")
endif()

include(ExternalProject)
set(_mi_root "${CMAKE_BINARY_DIR}/external/mimalloc")
add_custom_target(mimalloc-variants ALL)

# The factor's setting in a mimalloc build, as manifest JSON. admin_interval: 2.0.9 runs the
# admin work on every generic call (1), the patch every 250th.
function(_mi_setting factor bit out)
  if(factor STREQUAL "admin_interval")
    if(bit)
      set(v 250)
    else()
      set(v 1)
    endif()
  elseif(_type_${factor} STREQUAL "bool")
    if(bit)
      set(v true)
    else()
      set(v false)
    endif()
  else()
    set(v ${_lvl${bit}_${factor}})
  endif()
  set(${out} ${v} PARENT_SCOPE)
endfunction()

# One build: name (without "mimalloc:"), its sets, factor bits ("10100"), with_tests.
function(_mi_build name sets bits with_tests)
  set(dir "${_mi_root}/${name}")
  set(patches "")
  set(codes "")
  set(opts "")
  set(i 0)
  foreach(k ${ALLOCLAB_FACTORS})
    string(SUBSTRING "${bits}" ${i} 1 b)
    _mi_setting(${k} ${b} v)
    list(APPEND opts "\"${k}\": ${v}")
    if(b)
      list(APPEND patches "${_mi_dir}/patches/${_code_${k}}.patch")
      list(APPEND codes "\"${_code_${k}}\"")
    endif()
    math(EXPR i "${i} + 1")
  endforeach()
  # Patches are applied in the fixed order ip ls me hy ai (the order check-patches.sh checks).
  set(ordered "")
  foreach(c ${_mi_codes})
    if("${_mi_dir}/patches/${c}.patch" IN_LIST patches)
      list(APPEND ordered "${_mi_dir}/patches/${c}.patch")
    endif()
  endforeach()
  set(lib "${dir}/build/libmimalloc.so")
  # -j1 inside: the outer build's own -j bounds how many of these compile at once.
  set(targets --target mimalloc)
  if(with_tests)
    set(targets --target mimalloc mimalloc-test-api mimalloc-test-api-fill mimalloc-test-stress)
  endif()
  ExternalProject_Add(mimalloc-${name}
    PREFIX "${dir}"
    SOURCE_DIR "${dir}/src"
    BINARY_DIR "${dir}/build"
    STAMP_DIR "${dir}/stamp"
    TMP_DIR "${dir}/tmp"
    DOWNLOAD_COMMAND bash "${_mi_dir}/prepare-tree.sh" "${ALLOCLAB_MIMALLOC_SOURCE}" "${dir}/src" ${ordered}
    UPDATE_COMMAND ""
    PATCH_COMMAND ""
    CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
               -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DMI_BUILD_SHARED=ON -DMI_BUILD_STATIC=OFF
               -DMI_BUILD_OBJECT=OFF -DMI_BUILD_TESTS=ON -DMI_OVERRIDE=ON
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --parallel 1 ${targets}
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS "${lib}"
    LOG_DOWNLOAD ON LOG_CONFIGURE ON LOG_BUILD ON LOG_OUTPUT_ON_FAILURE ON)
  # A changed patch, script or source stamp makes a fresh copy (and so a rebuild).
  ExternalProject_Add_StepDependencies(mimalloc-${name} download ${ordered} "${_mi_dir}/prepare-tree.sh")
  if(EXISTS "${ALLOCLAB_MIMALLOC_SOURCE}/.alloclab-source")
    ExternalProject_Add_StepDependencies(mimalloc-${name} download "${ALLOCLAB_MIMALLOC_SOURCE}/.alloclab-source")
  endif()
  add_dependencies(mimalloc-variants mimalloc-${name})

  list(JOIN opts ", " opts)
  list(JOIN codes ", " codes)
  set(sets_json "")
  foreach(s ${sets})
    list(APPEND sets_json "\"mimalloc:${s}\"")
  endforeach()
  list(JOIN sets_json ", " sets_json)
  set(_mimalloc_manifest_entries ${_mimalloc_manifest_entries}
    "    {\"name\": \"mimalloc:${name}\", \"family\": \"mimalloc\", \"source\": \"${_mi_version}\",\n     \"sets\": [${sets_json}], \"factors\": \"${bits}\", \"patches\": [${codes}],\n     \"options\": {${opts}},\n     \"library\": \"${lib}\"}"
    PARENT_SCOPE)
  if(with_tests)
    set(ALLOCLAB_MIMALLOC_TESTED ${ALLOCLAB_MIMALLOC_TESTED} ${name} CACHE INTERNAL "")
    set_property(GLOBAL PROPERTY ALLOCLAB_MIMALLOC_DIR_${name} "${dir}/build")
  endif()
endfunction()

# The default set of 12, named like ours: baseline, each factor alone, all, all-but-<factor>.
_mi_build(baseline "default;factorial" ${_zeros} ON)
set(_i 0)
foreach(k ${ALLOCLAB_FACTORS})
  _alloclab_bits_with(1 0 ${_i} _bits)
  _mi_build(${k} "default;factorial" ${_bits} ON)
  math(EXPR _i "${_i} + 1")
endforeach()
_mi_build(all "default;factorial" ${_ones} ON)
set(_i 0)
foreach(k ${ALLOCLAB_FACTORS})
  _alloclab_bits_with(0 1 ${_i} _bits)
  _mi_build(all-but-${k} "default;factorial" ${_bits} ON)
  math(EXPR _i "${_i} + 1")
endforeach()
# -DALLOCLAB_FACTORIAL=ON: the other 20 combinations (library only, named like ours: ip+ls, ...).
if(ALLOCLAB_FACTORIAL)
  alloclab_extra_factorial_combinations(_fnames _fbits)
  foreach(_fname _bits IN ZIP_LISTS _fnames _fbits)
    _mi_build(${_fname} "factorial" ${_bits} OFF)
  endforeach()
endif()
set(ALLOCLAB_MIMALLOC_AVAILABLE ON CACHE INTERNAL "the mimalloc family is built")
set(ALLOCLAB_MIMALLOC_PATCHES ${_mi_patch_files} CACHE INTERNAL "the family's patches in application order")
list(LENGTH _mimalloc_manifest_entries _mi_n)
message(STATUS "mimalloc family: ${_mi_n} builds of ${_mi_version} from ${ALLOCLAB_MIMALLOC_SOURCE} into ${_mi_root}")
