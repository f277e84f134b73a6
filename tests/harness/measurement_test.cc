// Runner command lines, exit classification, Google Benchmark JSON parsing, preload check.
#include <gtest/gtest.h>

#include "run/measurement.h"
#include "test_util.h"

namespace alloclab::harness {
namespace {

AllocatorSpec variant(const std::string& name, const std::string& lib) {
  AllocatorSpec a;
  a.name = name;
  a.kind = AllocatorKind::variant;
  a.library = lib;
  a.expected_variant = name;
  return a;
}

ChildResult ok_result(const std::string& out) {
  ChildResult r;
  r.started = true;
  r.exit_code = 0;
  r.out = out;
  r.peak_rss_kib = 1234;
  r.minflt = 10;
  r.majflt = 2;
  r.wall_s = 0.2;
  return r;
}

std::string gbench(const std::string& provider, const std::string& variant_json, double ips = 5e7,
                   const std::string& unit = "us") {
  json j = {{"context", {{"malloc_provider", provider}, {"alloclab_variant", variant_json}}},
            {"benchmarks",
             {{{"name", "w"},
               {"iterations", 200},
               {"real_time", 2.0},
               {"cpu_time", 1.5},
               {"time_unit", unit},
               {"items_per_second", ips}}}}};
  return j.dump();
}

TEST(Measurement, CommandLines) {
  AllocatorSpec a = variant("all", "/l/liballoclab-all.so");
  WorkloadSpec w;
  w.name = "ping_pong_16";
  ChildSpec s = measure_spec("/b/runner", a, w, 0.1, 30, "/tmp/s.json");
  EXPECT_EQ(s.argv,
            (std::vector<std::string>{"/b/runner", "--benchmark_filter=^ping_pong_16$", "--benchmark_format=json",
                                      "--benchmark_min_time=0.1", "--alloclab-stats-out=/tmp/s.json"}));
  ASSERT_EQ(s.env_set.size(), 1u);
  EXPECT_EQ(s.env_set[0], (std::pair<std::string, std::string>{"LD_PRELOAD", "/l/liballoclab-all.so"}));
  AllocatorSpec g;
  g.name = "glibc";
  g.kind = AllocatorKind::peer;
  ChildSpec v = verify_spec("/b/runner", g, w, 5);
  EXPECT_EQ(v.argv[1], "--verify");
  EXPECT_TRUE(v.env_set.empty());
  EXPECT_EQ(v.env_unset, (std::vector<std::string>{"LD_PRELOAD"}));  // glibc: no inherited preload either
  EXPECT_EQ(exact_filter("a.b+c"), "^a\\.b\\+c$");
}

TEST(Measurement, ParsesGoogleBenchmarkJson) {
  AllocatorSpec a = variant("all", "/l/liballoclab-all.so");
  Sample s = interpret_measurement(a, ok_result(gbench("/l/liballoclab-all.so", R"({"name":"all","stats":false})")), 30,
                                   false, std::nullopt);
  ASSERT_EQ(s.status, Status::ok) << s.error;
  EXPECT_DOUBLE_EQ(s.mallocs_per_sec, 5e7);
  EXPECT_DOUBLE_EQ(s.ns_per_op, 20);
  EXPECT_DOUBLE_EQ(s.real_time_ns, 2000);  // 2 us
  EXPECT_DOUBLE_EQ(s.cpu_time_ns, 1500);
  EXPECT_EQ(s.iterations, 200);
  EXPECT_EQ(s.peak_rss_kib, 1234);
  EXPECT_EQ(s.page_faults, 12);
}

// ru_maxrss of a forked child includes its parent's RSS at fork time; the runner's own VmHWM
// (counter peak_rss_kib) is what the sample records when the runner reports it.
TEST(Measurement, PeakRssIsTheRunnersOwnWhenReported) {
  AllocatorSpec a = variant("all", "/l/liballoclab-all.so");
  json j = json::parse(gbench("/l/liballoclab-all.so", R"({"name":"all","stats":false})"));
  j["benchmarks"][0]["peak_rss_kib"] = 777.0;
  Sample s = interpret_measurement(a, ok_result(j.dump()), 30, false, std::nullopt);
  ASSERT_EQ(s.status, Status::ok) << s.error;
  EXPECT_EQ(s.peak_rss_kib, 777);  // not ok_result's ru_maxrss of 1234
}

TEST(Measurement, ClassifiesChildFailures) {
  AllocatorSpec a = variant("all", "/l/liballoclab-all.so");
  ChildResult crash = ok_result("");
  crash.exit_code = -1;
  crash.term_signal = 6;
  crash.err = "assertion failed\n";
  Sample s = interpret_measurement(a, crash, 30, false, std::nullopt);
  EXPECT_EQ(s.status, Status::crashed);
  EXPECT_EQ(s.error, "crashed: SIGABRT (assertion failed)");

  ChildResult slow = ok_result("");
  slow.timed_out = true;
  EXPECT_EQ(interpret_measurement(a, slow, 2.5, false, std::nullopt).error, "timed out after 2.5 s");

  ChildResult exit3 = ok_result("");
  exit3.exit_code = 3;
  exit3.err = "bad";
  EXPECT_EQ(interpret_measurement(a, exit3, 30, false, std::nullopt).error, "exit status 3: bad");
  EXPECT_EQ(interpret_verify(exit3, 30).error, "verify failed: bad");

  ChildResult notstarted;
  notstarted.start_error = "cannot start /x: No such file";
  EXPECT_EQ(interpret_measurement(a, notstarted, 30, false, std::nullopt).status, Status::failed);

  EXPECT_NE(interpret_measurement(a, ok_result("not json"), 30, false, std::nullopt).error.find("malformed output"),
            std::string::npos);
  EXPECT_NE(interpret_measurement(a, ok_result(R"({"context":{},"benchmarks":[]})"), 30, false, std::nullopt)
                .error.find("no benchmark ran"),
            std::string::npos);
  json err = json::parse(gbench("/l/liballoclab-all.so", R"({"name":"all"})"));
  err["benchmarks"][0]["error_occurred"] = true;
  err["benchmarks"][0]["error_message"] = "verify mismatch";
  EXPECT_EQ(interpret_measurement(a, ok_result(err.dump()), 30, false, std::nullopt).error,
            "benchmark error: verify mismatch");
}

TEST(Measurement, StatsFileIsRequiredWhenAsked) {
  AllocatorSpec a = variant("all", "/l/liballoclab-all-stats.so");
  a.stats_twin = true;
  auto out = ok_result(gbench("/l/liballoclab-all-stats.so", R"({"name":"all","stats":true})"));
  EXPECT_EQ(interpret_measurement(a, out, 30, true, std::nullopt).status, Status::failed);
  Sample s = interpret_measurement(a, out, 30, true, std::string(R"({"counters":{"x":1}})"));
  ASSERT_EQ(s.status, Status::ok) << s.error;
  EXPECT_EQ((*s.counters)["counters"]["x"], 1);
}

TEST(PreloadCheck, AcceptsTheExpectedLibraryAndRejectsOthers) {
  AllocatorSpec v = variant("all", "/l/liballoclab-all.so");
  EXPECT_EQ(check_provider(v, "/l/liballoclab-all.so", R"({"name":"all","stats":false})"), "");
  EXPECT_NE(check_provider(v, testing::kLibc, "").find("preload did not take effect"), std::string::npos);
  EXPECT_NE(check_provider(v, "/l/liballoclab-all.so", R"({"name":"baseline"})").find("expected alloclab variant all"),
            std::string::npos);
  EXPECT_NE(check_provider(v, "/l/liballoclab-all.so", R"({"name":"all","stats":true})").find("plain"),
            std::string::npos);

  AllocatorSpec g;
  g.name = "glibc";
  g.kind = AllocatorKind::peer;
  EXPECT_EQ(check_provider(g, testing::kLibc, ""), "");
  EXPECT_NE(check_provider(g, "/usr/lib/libjemalloc.so.2", ""), "");
  EXPECT_NE(check_provider(g, testing::kLibc, R"({"name":"all"})"), "");

  AllocatorSpec j;
  j.name = "jemalloc";
  j.kind = AllocatorKind::peer;
  j.library = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
  EXPECT_EQ(check_provider(j, "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", ""), "");
  EXPECT_NE(check_provider(j, testing::kLibc, ""), "");

  // A custom library may be an alloclab build under another name (A/A checks).
  AllocatorSpec c;
  c.name = "baseline-copy";
  c.kind = AllocatorKind::custom;
  c.library = "/l/liballoclab-baseline.so";
  EXPECT_EQ(check_provider(c, "/l/liballoclab-baseline.so", R"({"name":"baseline"})"), "");
  EXPECT_NE(check_provider(c, testing::kLibc, ""), "");
}

TEST(Measurement, AddressLayoutIsParsedFromTheContext) {
  AllocatorSpec a = variant("all", "/l/liballoclab-all.so");
  json j = json::parse(gbench("/l/liballoclab-all.so", R"({"name":"all"})"));
  Sample none = interpret_measurement(a, ok_result(j.dump()), 30, false, std::nullopt);
  ASSERT_EQ(none.status, Status::ok) << none.error;
  EXPECT_FALSE(none.address_layout.has_value());  // an older runner: absent
  j["context"]["address_layout"] =
      R"({"malloc": 1, "malloc_library_base": 2, "runner_code": 3, "stack": 4, "heap": 5})";
  Sample s = interpret_measurement(a, ok_result(j.dump()), 30, false, std::nullopt);
  ASSERT_TRUE(s.address_layout.has_value());
  EXPECT_EQ((*s.address_layout)["stack"], 4);
  EXPECT_EQ(s.layout, 0);
  j["context"]["address_layout"] = "not json";
  EXPECT_FALSE(interpret_measurement(a, ok_result(j.dump()), 30, false, std::nullopt).address_layout.has_value());
}

}  // namespace
}  // namespace alloclab::harness
