# Unit tests for harness/stats (deterministic, no timing). include()d by tests/harness/CMakeLists.txt;
# needs the alloclab_stats_lib target (harness/stats/CMakeLists.txt) and GTest.
include(GoogleTest)
add_executable(stats_test ${CMAKE_CURRENT_LIST_DIR}/stats_test.cc)
target_link_libraries(stats_test PRIVATE alloclab_stats_lib GTest::gtest_main)
gtest_discover_tests(stats_test PROPERTIES LABELS "harness" DISCOVERY_TIMEOUT 30)
# Both labels are set afterwards: CMake 3.25's discovery script writes a list-valued property
# unquoted (`LABELS harness stats`), which set_tests_properties reads as LABELS=harness plus a
# stray "stats", so `ctest -L stats` would not run these. This ctest include file runs after
# the discovered tests' file and relabels every name gtest_discover_tests listed.
file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/stats_test_labels.cmake"
     "if(DEFINED stats_test_TESTS)\n"
     "  set_tests_properties(\${stats_test_TESTS} PROPERTIES LABELS \"harness;stats\")\n"
     "endif()\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${CMAKE_CURRENT_BINARY_DIR}/stats_test_labels.cmake")

# The rank tests' p-values against SciPy (scipy_rank_check.py drives rank_probe). SciPy comes
# from Debian's python3-scipy, so the interpreter is Debian's /usr/bin/python3, never a pyenv
# or virtualenv `python3` on PATH.
add_executable(rank_probe ${CMAKE_CURRENT_LIST_DIR}/rank_probe.cc)
target_link_libraries(rank_probe PRIVATE alloclab_stats_lib)
find_program(ALLOCLAB_DEBIAN_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(ALLOCLAB_DEBIAN_PYTHON)
  add_test(NAME stats_scipy_rank_check
           COMMAND ${ALLOCLAB_DEBIAN_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/scipy_rank_check.py $<TARGET_FILE:rank_probe>)
  set_tests_properties(stats_scipy_rank_check PROPERTIES LABELS "harness;stats" TIMEOUT 120)
else()
  message(WARNING "tests/harness/stats.cmake: no /usr/bin/python3; stats_scipy_rank_check not registered "
                  "(scripts/setup.sh installs python3 and python3-scipy)")
endif()
