// Callgrind output parsing (no valgrind run).
#include <gtest/gtest.h>

#include "run/callgrind.h"

namespace alloclab::harness {
namespace {

TEST(Callgrind, ParsesSummaryOrTotals) {
  EXPECT_EQ(parse_callgrind_total("version: 1\nevents: Ir\nfn=main\n1 5\nsummary: 123456\ntotals: 99\n"), 123456);
  EXPECT_EQ(parse_callgrind_total("events: Ir Dr\ntotals: 777 12\n"), 777);
  EXPECT_FALSE(parse_callgrind_total("events: Ir\n").has_value());
}

TEST(Callgrind, InstructionsPerMalloc) {
  AllocatorSpec a;
  a.name = "baseline";
  WorkloadSpec w;
  w.name = "ping_pong_16";
  ChildResult r;
  r.started = true;
  r.exit_code = 0;
  r.out = R"({"workload":"ping_pong_16","iterations":1000,"mallocs":1000,"frees":1000})";
  auto ic = interpret_callgrind(a, w, r, std::string("summary: 80000\n"), 60);
  ASSERT_EQ(ic.status, Status::ok) << ic.error;
  EXPECT_DOUBLE_EQ(ic.instructions_per_malloc, 80);
  EXPECT_EQ(interpret_callgrind(a, w, r, std::nullopt, 60).status, Status::failed);
  EXPECT_EQ(interpret_callgrind(a, w, r, std::string("summary: 0\n"), 60).status, Status::failed);
  CallgrindSettings s;
  s.runner = "/b/runner";
  s.iterations = 5000;
  ChildSpec spec = callgrind_spec(s, a, w, "/tmp/cg.out");
  EXPECT_EQ(spec.argv[2], "--toggle-collect=alloclab_measured_region");
  EXPECT_EQ(spec.argv[5], "--fixed-iterations=5000");
  EXPECT_EQ(spec.argv[6], "--workload=ping_pong_16");
}

}  // namespace
}  // namespace alloclab::harness
