// Scheduler, result handling and failure handling with a fake process runner (no fork).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "analysis/summary.h"
#include "core/error.h"
#include "io/results_json.h"
#include "io/schema_validator.h"
#include "run/scheduler.h"
#include "test_util.h"
#include "verbs/run.h"

namespace alloclab::harness {
namespace {

using testing::Behaviour;
using testing::FakeProcessRunner;
using testing::TempDir;

AllocatorSpec variant(const std::string& name) {
  AllocatorSpec a;
  a.name = name;
  a.kind = AllocatorKind::variant;
  a.library = "/fake/liballoclab-" + name + ".so";
  a.expected_variant = name;
  return a;
}

AllocatorSpec glibc() {
  AllocatorSpec a;
  a.name = "glibc";
  a.kind = AllocatorKind::peer;
  return a;
}

WorkloadSpec workload(const std::string& name) {
  WorkloadSpec w;
  w.name = name;
  w.is_default = true;
  return w;
}

RunResults make_run(int rounds, std::uint64_t seed = 42) {
  RunResults r;
  r.allocators = {variant("baseline"), variant("all"), glibc()};
  r.workloads = {workload("w1"), workload("w2")};
  r.options.rounds = rounds;
  r.options.seed = seed;
  r.options.min_time = 0.01;
  r.options.warmup_min_time = 0.001;
  r.options.runner = "/fake/runner";
  return r;
}

FakeProcessRunner make_fake() {
  FakeProcessRunner f;
  f.variants["/fake/liballoclab-baseline.so"] = "baseline";
  f.variants["/fake/liballoclab-all.so"] = "all";
  f.speed["/fake/liballoclab-all.so"] = 1.2e8;
  return f;
}

class NullObserver : public SchedulerObserver {
 public:
  int rounds_saved = 0;
  std::vector<Failure> failures;
  void on_round_complete(const RunResults&) override { ++rounds_saved; }
  void on_failure(const Failure& f) override { failures.push_back(f); }
};

std::map<std::pair<std::string, std::string>, std::vector<const Sample*>> by_cell(const RunResults& r) {
  std::map<std::pair<std::string, std::string>, std::vector<const Sample*>> m;
  for (const auto& s : r.samples) m[{s.allocator, s.workload}].push_back(&s);
  return m;
}

TEST(RoundOrder, IsAPermutationThatDiffersPerRoundAndIsReproducibleFromTheSeed) {
  const std::size_t n = 24;
  auto r1 = round_order(n, 7, 1), r2 = round_order(n, 7, 2);
  auto sorted = r1;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_NE(r1, r2);
  EXPECT_EQ(r1, round_order(n, 7, 1));
  EXPECT_NE(r1, round_order(n, 8, 1));
  // Fixed values: the order must not depend on the standard library's shuffle.
  EXPECT_EQ(round_order(5, 1, 1), round_order(5, 1, 1));
}

TEST(Scheduler, EveryCellGetsExactlyRSamplesInShuffledRounds) {
  RunResults r = make_run(4);
  FakeProcessRunner fake = make_fake();
  NullObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  EXPECT_EQ(r.rounds_completed, 4);
  EXPECT_EQ(obs.rounds_saved, 4);
  EXPECT_EQ(r.samples.size(), 3u * 2u * 4u);
  for (const auto& [cell, samples] : by_cell(r)) {
    ASSERT_EQ(samples.size(), 4u) << cell.first << "/" << cell.second;
    std::set<int> rounds;
    for (const Sample* s : samples) {
      rounds.insert(s->round);
      EXPECT_EQ(s->status, Status::ok) << s->error;
    }
    EXPECT_EQ(rounds, (std::set<int>{1, 2, 3, 4}));
  }
  // Within each round the order indices are a permutation, and the order follows round_order.
  std::vector<std::vector<std::string>> order(5);
  for (const auto& s : r.samples) order[s.round].push_back(s.allocator + "/" + s.workload);
  EXPECT_NE(order[1], order[2]);
  for (int round = 1; round <= 4; ++round) {
    auto expected = round_order(6, 42, round);
    for (std::size_t i = 0; i < 6; ++i) {
      const auto& a = r.allocators[expected[i] / 2];
      const auto& w = r.workloads[expected[i] % 2];
      EXPECT_EQ(order[round][i], a.name + "/" + w.name);
    }
  }
  // verify once per cell, warm-up once per cell, then R measurements per cell.
  EXPECT_EQ(fake.count("verify"), 6u);
  EXPECT_EQ(fake.count("measure"), 6u * 5u);
}

TEST(Scheduler, SameSeedGivesTheSameOrder) {
  RunResults a = make_run(3, 99), b = make_run(3, 99);
  FakeProcessRunner fa = make_fake(), fb = make_fake();
  NullObserver o;
  run_schedule(a, fa, o);
  run_schedule(b, fb, o);
  ASSERT_EQ(fa.calls.size(), fb.calls.size());
  for (std::size_t i = 0; i < fa.calls.size(); ++i) {
    EXPECT_EQ(fa.calls[i].library, fb.calls[i].library);
    EXPECT_EQ(fa.calls[i].workload, fb.calls[i].workload);
  }
}

TEST(Scheduler, WarmupRunsAreDiscarded) {
  RunResults r = make_run(2);
  FakeProcessRunner fake = make_fake();
  NullObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  std::size_t warmups = 0;
  for (const auto& c : fake.calls) warmups += c.mode == "measure" && c.min_time == "0.001";
  EXPECT_EQ(warmups, 6u);
  for (const auto& s : r.samples) {
    EXPECT_GE(s.round, 1);
    EXPECT_GT(s.mallocs_per_sec, 1000) << "a warm-up value leaked into the samples";
  }
  // The first measured call of every cell comes after all warm-ups.
  std::size_t first_round_call = 6 /*verify*/ + 6 /*warm-up*/;
  EXPECT_EQ(fake.calls[first_round_call].min_time, "0.01");
}

struct FailureCase {
  Behaviour behaviour;
  Status status;
  std::string message;
};

class SchedulerFailure : public ::testing::TestWithParam<FailureCase> {};

TEST_P(SchedulerFailure, MarksOnlyThatCellFailedAndTheRestCompletes) {
  const FailureCase& fc = GetParam();
  RunResults r = make_run(3);
  FakeProcessRunner fake = make_fake();
  fake.behaviour[{"/fake/liballoclab-all.so", "w2"}] = fc.behaviour;
  NullObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  EXPECT_TRUE(has_failures(r));
  ASSERT_FALSE(r.failures.empty());
  EXPECT_EQ(r.failures[0].allocator, "all");
  EXPECT_EQ(r.failures[0].workload, "w2");
  EXPECT_EQ(r.failures[0].status, fc.status);
  EXPECT_NE(r.failures[0].error.find(fc.message), std::string::npos) << r.failures[0].error;
  for (const auto& [cell, samples] : by_cell(r)) {
    EXPECT_EQ(samples.size(), 3u);
    bool bad = cell.first == "all" && cell.second == "w2";
    for (const Sample* s : samples)
      if (bad)
        EXPECT_NE(s->status, Status::ok);
      else
        EXPECT_EQ(s->status, Status::ok) << cell.first << "/" << cell.second << ": " << s->error;
  }
  auto cells = summarize_run(r, 200);
  EXPECT_EQ(find_cell(cells, "all", "w2")->status, Status::failed);
  EXPECT_EQ(find_cell(cells, "all", "w1")->status, Status::ok);
  EXPECT_EQ(find_cell(cells, "glibc", "w2")->status, Status::ok);
}

INSTANTIATE_TEST_SUITE_P(Kinds, SchedulerFailure,
                         ::testing::Values(FailureCase{Behaviour::crash, Status::crashed, "crashed: SIGSEGV"},
                                           FailureCase{Behaviour::timeout, Status::timeout, "timed out after"},
                                           FailureCase{Behaviour::malformed, Status::failed, "malformed output"},
                                           FailureCase{Behaviour::wrong_provider, Status::failed,
                                                       "preload did not take effect"}),
                         [](const auto& info) {
                           switch (info.param.behaviour) {
                             case Behaviour::crash: return std::string("Crash");
                             case Behaviour::timeout: return std::string("Timeout");
                             case Behaviour::malformed: return std::string("MalformedJson");
                             default: return std::string("PreloadMismatch");
                           }
                         });

TEST(Scheduler, FailedVerifyMeansTheCellIsNotTimed) {
  RunResults r = make_run(2);
  FakeProcessRunner fake = make_fake();
  fake.verify_behaviour[{"/fake/liballoclab-baseline.so", "w1"}] = Behaviour::verify_fail;
  NullObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  for (const auto& c : fake.calls)
    if (c.mode == "measure") EXPECT_FALSE(c.library == "/fake/liballoclab-baseline.so" && c.workload == "w1");
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].phase, Phase::verify);
  EXPECT_NE(r.failures[0].error.find("block 7 corrupted"), std::string::npos);
  for (const auto& s : r.samples)
    if (s.allocator == "baseline" && s.workload == "w1") EXPECT_EQ(s.status, Status::skipped);
  EXPECT_EQ(r.samples.size(), 12u);
  auto cells = summarize_run(r, 200);
  EXPECT_EQ(find_cell(cells, "baseline", "w1")->status, Status::failed);
  EXPECT_NE(find_cell(cells, "baseline", "w1")->error.find("verify failed"), std::string::npos);
}

TEST(Scheduler, InterruptStopsTheRunAndKeepsCompletedRounds) {
  RunResults r = make_run(3);
  FakeProcessRunner fake = make_fake();
  fake.interrupt_at_measure = 6 /*warm-up*/ + 6 /*round 1*/ + 2;  // third child of round 2
  NullObserver obs;
  EXPECT_FALSE(run_schedule(r, fake, obs));
  clear_interrupt();
  EXPECT_EQ(r.rounds_completed, 1);
  EXPECT_EQ(r.samples.size(), 6u + 2u);
  EXPECT_FALSE(has_failures(r));
}

TEST(Scheduler, StatsCountersAreRecorded) {
  RunResults r = make_run(2);
  r.options.stats = true;
  for (auto& a : r.allocators)
    if (a.kind == AllocatorKind::variant) a.stats_twin = true;
  FakeProcessRunner fake = make_fake();
  NullObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  for (const auto& s : r.samples) {
    ASSERT_EQ(s.status, Status::ok) << s.error;
    ASSERT_TRUE(s.counters.has_value());
    EXPECT_EQ((*s.counters)["counters"]["fast_allocs"], 900);
  }
}

// --- prepare_run / execute_run: name resolution, exit codes, the results file -----------

class RunVerb : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_ = dir_.file("manifest.json");
    json m = {{"schema_version", 1}, {"factors", {"a", "b"}}, {"variants", json::array()}};
    for (auto [name, bits] : std::vector<std::pair<std::string, std::string>>{
             {"baseline", "00"}, {"a", "10"}, {"b", "01"}, {"all", "11"}}) {
      m["variants"].push_back({{"name", name},
                               {"sets", {"default", "factorial"}},
                               {"factors", bits},
                               {"options", {{"a", bits[0] == '1'}}},
                               {"library", "/fake/liballoclab-" + name + ".so"},
                               {"stats_library", "/fake/liballoclab-" + name + "-stats.so"}});
      fake_.variants["/fake/liballoclab-" + name + ".so"] = name;
      fake_.variants["/fake/liballoclab-" + name + "-stats.so"] = name;
    }
    m["variants"].push_back(
        {{"name", "planted-1"}, {"sets", {"test"}}, {"factors", ""}, {"library", "/fake/liballoclab-planted-1.so"}});
    testing::write_text(manifest_, m.dump());
    args_ = testing::fake_run_args(dir_, manifest_, 2);
  }
  std::size_t children() const { return fake_.count("verify") + fake_.count("measure"); }

  TempDir dir_;
  std::string manifest_;
  RunArgs args_;
  FakeProcessRunner fake_;
};

TEST_F(RunVerb, UnknownVariantIsAnErrorBeforeAnyChildRuns) {
  args_.variants = "baseline,nosuch";
  try {
    prepare_run(args_, {"harness"}, fake_);
    FAIL() << "no error";
  } catch (const HarnessError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("nosuch"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("baseline, a, b, all"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fake_.calls.size(), 0u);
}

TEST_F(RunVerb, UnknownWorkloadOrPeerIsAnErrorBeforeAnyChildRuns) {
  args_.workloads = "w1,w9";
  EXPECT_THROW(prepare_run(args_, {"harness"}, fake_), HarnessError);
  args_.workloads = "w1";
  args_.peers = "glibc,hoard";
  EXPECT_THROW(prepare_run(args_, {"harness"}, fake_), HarnessError);
  EXPECT_EQ(children(), 0u);
}

TEST_F(RunVerb, ReferenceMustBeSelectedWhenGiven) {
  args_.variants = "a,b";
  args_.reference_given = true;
  EXPECT_THROW(prepare_run(args_, {"harness"}, fake_), HarnessError);
  args_.reference_given = false;
  PreparedRun p = prepare_run(args_, {"harness"}, fake_);
  EXPECT_EQ(p.results.options.reference, "a");
}

TEST_F(RunVerb, AllSkipsTestOnlyVariantsAndSelectsDefaultWorkloads) {
  args_.variants = "all";
  PreparedRun p = prepare_run(args_, {"harness"}, fake_);
  ASSERT_EQ(p.results.allocators.size(), 4u);
  EXPECT_EQ(p.results.workloads.size(), 2u);  // w3 is not a default workload
  args_.variants = "baseline,all";
  EXPECT_EQ(prepare_run(args_, {"harness"}, fake_).results.allocators.size(), 2u);
}

TEST_F(RunVerb, WritesAValidResultsFileAndExitsZero) {
  args_.variants = "default";
  int rc = run_verb(args_, {"harness", "run"}, fake_);
  EXPECT_EQ(rc, kExitOk);
  RunResults r = load_results(args_.out);  // validates against the schema
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.samples.size(), 4u * 2u * 2u);
  EXPECT_EQ(r.context["seed"], 5);
  EXPECT_EQ(r.factor_names, (std::vector<std::string>{"a", "b"}));
}

TEST_F(RunVerb, AFailedCellGivesExitOneAndIsRecorded) {
  args_.variants = "baseline,all";
  fake_.behaviour[{"/fake/liballoclab-all.so", "w1"}] = Behaviour::crash;
  int rc = run_verb(args_, {"harness", "run"}, fake_);
  EXPECT_EQ(rc, kExitFailures);
  json j = json::parse(testing::read_text(args_.out));
  EXPECT_TRUE(validate_json(j, results_schema()).empty());
  ASSERT_GE(j["failures"].size(), 1u);
  EXPECT_EQ(j["failures"][0]["status"], "crashed");
  std::size_t ok = 0;
  for (const auto& s : j["samples"]) ok += s["status"] == "ok";
  EXPECT_EQ(ok, 6u);  // 8 samples, the crashing cell's 2 are not ok
}

TEST_F(RunVerb, MissingPeerIsSkippedWithAWarningNotMeasuredAsGlibc) {
  TempDir libs;
  testing::write_text(libs.file("libjemalloc.so.2"), "");
  PeerSearch ps;
  ps.dirs = {libs.path()};
  ps.use_ldconfig = false;
  args_.peer_search = ps;
  args_.peers = "all";
  args_.variants = "baseline";
  PreparedRun p = prepare_run(args_, {"harness"}, fake_);
  std::vector<std::string> names;
  for (const auto& a : p.results.allocators) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"baseline", "glibc", "jemalloc"}));
  std::vector<std::string> skipped;
  for (const auto& s : p.results.skipped) skipped.push_back(s.name);
  EXPECT_EQ(skipped, (std::vector<std::string>{"mimalloc", "tcmalloc"}));
  int rc = execute_run(p, args_, fake_);
  EXPECT_EQ(rc, kExitOk);  // a missing peer is a warning, not a failure
  RunResults r = load_results(args_.out);
  EXPECT_EQ(r.skipped.size(), 2u);
  for (const auto& c : fake_.calls)
    if (c.mode == "measure") EXPECT_EQ(c.library.find("mimalloc"), std::string::npos);
}

TEST_F(RunVerb, StatsUsesTheStatsTwins) {
  args_.variants = "baseline";
  args_.stats = true;
  PreparedRun p = prepare_run(args_, {"harness"}, fake_);
  EXPECT_EQ(p.results.allocators[0].library, "/fake/liballoclab-baseline-stats.so");
  EXPECT_EQ(execute_run(p, args_, fake_), kExitOk);
  RunResults r = load_results(args_.out);
  for (const auto& s : r.samples) EXPECT_TRUE(s.counters.has_value());
}

TEST_F(RunVerb, InterruptWritesAnIncompleteButValidFileAndExits130) {
  args_.variants = "baseline,all";
  fake_.interrupt_at_measure = 4 /*warm-up*/ + 4 /*round 1*/ + 1;
  int rc = run_verb(args_, {"harness", "run"}, fake_);
  clear_interrupt();
  EXPECT_EQ(rc, kExitInterrupted);
  RunResults r = load_results(args_.out);
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.rounds_completed, 1);
}

TEST_F(RunVerb, RejectsBadFlags) {
  args_.jobs = 2;
  EXPECT_THROW(prepare_run(args_, {"harness"}, fake_), HarnessError);
  args_.jobs = 1;
  args_.rounds = 0;
  EXPECT_THROW(prepare_run(args_, {"harness"}, fake_), HarnessError);
  EXPECT_EQ(children(), 0u);
}

}  // namespace
}  // namespace alloclab::harness
