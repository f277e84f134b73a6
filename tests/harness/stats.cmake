# Unit tests for harness/stats (deterministic, no timing). include()d by tests/CMakeLists.txt;
# needs the alloclab_stats_lib target (harness/stats/CMakeLists.txt) and GTest.
include(GoogleTest)
add_executable(stats_test ${CMAKE_CURRENT_LIST_DIR}/stats_test.cc)
target_link_libraries(stats_test PRIVATE alloclab_stats_lib GTest::gtest_main)
gtest_discover_tests(stats_test PROPERTIES LABELS "harness;stats" DISCOVERY_TIMEOUT 30)
