// Callgrind output parsing and the mechanism events (no valgrind run).
#include <gtest/gtest.h>

#include <algorithm>

#include "report/tables.h"
#include "run/callgrind.h"

namespace alloclab::harness {
namespace {

TEST(Callgrind, ParsesSummaryOrTotals) {
  EXPECT_EQ(parse_callgrind_events("version: 1\nevents: Ir\nfn=main\n1 5\nsummary: 123456\ntotals: 99\n")->at("Ir"),
            123456);
  EXPECT_EQ(parse_callgrind_events("events: Ir Dr\ntotals: 777 12\n")->at("Ir"), 777);
  EXPECT_FALSE(parse_callgrind_events("events: Ir\n").has_value());
}

// A runner child that exited 0 after printing its --fixed-iterations JSON.
ChildResult fixed_iterations_child(const std::string& json) {
  ChildResult r;
  r.started = true;
  r.exit_code = 0;
  r.out = json;
  return r;
}

AllocatorSpec allocator_named(const std::string& name) {
  AllocatorSpec a;
  a.name = name;
  return a;
}

WorkloadSpec workload_named(const std::string& name) {
  WorkloadSpec w;
  w.name = name;
  return w;
}

TEST(Callgrind, InstructionsPerMalloc) {
  const AllocatorSpec a = allocator_named("baseline");
  const WorkloadSpec w = workload_named("ping_pong_16");
  const ChildResult r =
      fixed_iterations_child(R"({"workload":"ping_pong_16","iterations":1000,"mallocs":1000,"frees":1000})");
  auto ic = interpret_callgrind(a, w, r, std::string("summary: 80000\n"), 60, false);
  ASSERT_EQ(ic.status, Status::ok) << ic.error;
  EXPECT_DOUBLE_EQ(ic.instructions_per_malloc, 80);
  EXPECT_FALSE(ic.mechanism.has_value());
  EXPECT_EQ(interpret_callgrind(a, w, r, std::nullopt, 60, false).status, Status::failed);
  EXPECT_EQ(interpret_callgrind(a, w, r, std::string("summary: 0\n"), 60, false).status, Status::failed);
  // Asked for the simulation, an Ir-only file is a failure, not a count without it.
  EXPECT_EQ(interpret_callgrind(a, w, r, std::string("summary: 80000\n"), 60, true).status, Status::failed);
  CallgrindSettings s;
  s.runner = "/b/runner";
  s.iterations = 5000;
  s.mechanism = false;
  ChildSpec spec = callgrind_spec(s, a, w, "/tmp/cg.out");
  EXPECT_EQ(spec.argv[2], "--toggle-collect=alloclab_measured_region");
  EXPECT_EQ(spec.argv[4], "/b/runner");
  EXPECT_EQ(spec.argv[5], "--fixed-iterations=5000");
  EXPECT_EQ(spec.argv[6], "--workload=ping_pong_16");
}

// What callgrind 3.19 writes with --branch-sim=yes --cache-sim=yes (the header of a real file).
const char* kSimulated =
    "version: 1\ncreator: callgrind-3.19.0\ndesc: I1 cache: 65536 B, 64 B, 16-way associative\n"
    "desc: D1 cache: 49152 B, 64 B, 12-way associative\ndesc: LL cache: 2097152 B, 64 B, 16-way associative\n"
    "desc: Timerange: Basic block 0 - 29226\nevents: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim\n"
    "fn=(1) main\n0 5 1\n"
    "summary: 38728091 10018495 5810509 68 205911 196942 60 9 1368 4320073 9085 604123 18\n"
    "totals: 1 2 3 4 5 6 7 8 9 10 11 12 13\n";

TEST(Callgrind, ParsesEveryEventByName) {
  auto ev = parse_callgrind_events(kSimulated);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->at("Ir"), 38728091);
  EXPECT_EQ(ev->at("Bcm"), 9085);
  EXPECT_EQ(ev->at("Bim"), 18);
  EXPECT_EQ(ev->at("DLmw"), 1368);
  // Trailing zero events may be left off a line; they count 0.
  auto short_line = parse_callgrind_events("events: Ir Bc Bcm\nsummary: 50 7\n");
  ASSERT_TRUE(short_line.has_value());
  EXPECT_EQ(short_line->at("Bc"), 7);
  EXPECT_EQ(short_line->at("Bcm"), 0);
  EXPECT_FALSE(parse_callgrind_events("events: Ir\nsummary:\n").has_value());
  EXPECT_FALSE(mechanism_from_events(*parse_callgrind_events("events: Ir Bc Bcm\nsummary: 1 2 3\n"), "")
                   .has_value());  // branches without the cache events
}

TEST(Callgrind, MechanismPerMalloc) {
  const AllocatorSpec a = allocator_named("baseline");
  const WorkloadSpec w = workload_named("interleaved");
  const ChildResult r =
      fixed_iterations_child(R"({"workload":"interleaved","iterations":2,"mallocs":302048,"frees":302048})");
  auto ic = interpret_callgrind(a, w, r, std::string(kSimulated), 60, true);
  ASSERT_EQ(ic.status, Status::ok) << ic.error;
  ASSERT_TRUE(ic.mechanism.has_value());
  const MechanismCount& m = *ic.mechanism;
  EXPECT_EQ(m.cond_branches, 4320073);
  EXPECT_EQ(m.mispredicts(), 9085 + 18);
  EXPECT_EQ(m.d1_misses(), 205911 + 196942);
  EXPECT_EQ(m.ll_misses(), 9 + 1368 + 60);
  EXPECT_EQ(m.i1_misses, 68);
  EXPECT_EQ(m.data_reads, 10018495);
  EXPECT_DOUBLE_EQ(ic.per_malloc(m.mispredicts()), 9103.0 / 302048.0);
  EXPECT_EQ(m.caches,
            "I1 65536 B, 64 B, 16-way associative; D1 49152 B, 64 B, 12-way associative; LL 2097152 B, 64 B, "
            "16-way associative");
  CallgrindSettings s;
  s.runner = "/b/runner";
  ChildSpec spec = callgrind_spec(s, a, w, "/tmp/cg.out");  // the simulation is the default
  auto has = [&spec](const std::string& arg) {
    return std::find(spec.argv.begin(), spec.argv.end(), arg) != spec.argv.end();
  };
  EXPECT_TRUE(has("--branch-sim=yes"));
  EXPECT_TRUE(has("--cache-sim=yes"));
  EXPECT_TRUE(has(std::string("--LL=") + CallgrindDefaults::kLL));
  EXPECT_EQ(spec.argv[spec.argv.size() - 3], "/b/runner");  // valgrind's options before the runner
}

// `harness callgrind`'s table: the mechanism columns appear when a count has the simulation,
// with the mispredictions' ratio to the reference.
TEST(Callgrind, TableShowsTheMechanismColumns) {
  InstructionCount base;
  base.allocator = "baseline";
  base.workload = "w";
  base.mallocs = 1000;
  base.instructions = 62000;
  base.instructions_per_malloc = 62;
  MechanismCount m;
  m.cond_branches = 9000;
  m.indirect_branches = 1000;
  m.cond_mispredicts = 600;
  m.indirect_mispredicts = 30;
  m.d1_read_misses = 250;
  m.d1_write_misses = 150;
  m.ll_write_misses = 2;
  m.i1_misses = 3;
  base.mechanism = m;
  InstructionCount peer = base;
  peer.allocator = "tcmalloc";
  peer.mechanism->cond_mispredicts = 12;
  peer.mechanism->indirect_mispredicts = 3;
  std::string table = render_instructions({base, peer}, "baseline", true);
  for (const char* column :
       {"branch/malloc", "mispred/malloc", "mispred vs baseline", "D1 miss/malloc", "I1 miss/malloc", "LL miss/malloc"})
    EXPECT_NE(table.find(column), std::string::npos) << column << "\n" << table;
  EXPECT_NE(table.find("0.630"), std::string::npos) << table;   // baseline's mispredictions per malloc
  EXPECT_NE(table.find("0.024x"), std::string::npos) << table;  // tcmalloc's: 15 / 630
  EXPECT_NE(table.find("0.400"), std::string::npos) << table;   // D1 misses per malloc
  base.mechanism.reset();
  EXPECT_EQ(render_instructions({base}, "baseline", true).find("mispred"), std::string::npos);
}

}  // namespace
}  // namespace alloclab::harness
