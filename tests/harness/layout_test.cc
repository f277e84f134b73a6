// Layout rotation (harness run --layouts K, --aslr) and the A/A′ check (validate --layout),
// with the fake process runner: which copy each round preloads, the stack shifts, the summary's
// per-layout fields, and the verdict's spread and FDR count.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "analysis/summary.h"
#include "analysis/validation.h"
#include "core/error.h"
#include "io/results_json.h"
#include "run/measurement.h"
#include "run/scheduler.h"
#include "test_util.h"
#include "verbs/run.h"
#include "verbs/validate.h"

namespace alloclab::harness {
namespace {

using testing::FakeCall;
using testing::FakeProcessRunner;
using testing::TempDir;

std::string lib(const std::string& v, int copy) {
  return copy == 0 ? "/fake/liballoclab-" + v + ".so" : fmt::format("/fake/liballoclab-{}-layout{}.so", v, copy);
}

AllocatorSpec variant(const std::string& name, int copies) {
  AllocatorSpec a;
  a.name = name;
  a.kind = AllocatorKind::variant;
  a.library = lib(name, 0);
  a.expected_variant = name;
  for (int c = 0; c < copies; ++c) a.layout_libraries.push_back(lib(name, c));
  return a;
}

AllocatorSpec glibc() {
  AllocatorSpec a;
  a.name = "glibc";
  a.kind = AllocatorKind::peer;
  return a;
}

RunResults make_run(int rounds, int layouts, int copies_all = 5) {
  RunResults r;
  r.allocators = {variant("baseline", 5), variant("all", copies_all), glibc()};
  for (const char* w : {"w1", "w2"}) {
    WorkloadSpec s;
    s.name = w;
    r.workloads.push_back(s);
  }
  r.options.rounds = rounds;
  r.options.layouts = layouts;
  r.options.seed = 99;
  r.options.min_time = 0.01;
  r.options.warmup_min_time = 0.001;
  r.options.runner = "/fake/runner";
  return r;
}

FakeProcessRunner make_fake() {
  FakeProcessRunner f;
  for (const char* v : {"baseline", "all"})
    for (int c = 0; c < 5; ++c) f.variants[lib(v, c)] = v;
  return f;
}

// The measure calls of the rounds (after the warm-up pass), in the order of r.samples.
std::vector<FakeCall> round_calls(const FakeProcessRunner& f, const RunResults& r) {
  std::vector<FakeCall> out;
  for (const auto& c : f.calls)
    if (c.mode == "measure") out.push_back(c);
  const std::size_t warmups = r.allocators.size() * r.workloads.size();
  return {out.begin() + static_cast<std::ptrdiff_t>(warmups), out.end()};
}

TEST(LayoutSequence, BalancedBlocksOfSeededPermutations) {
  for (int k : {2, 3, 4, 5}) {
    for (int rounds : {k, 2 * k, 3 * k, 10, 7}) {
      auto seq = layout_sequence(rounds, k, 17);
      ASSERT_EQ(seq.size(), static_cast<std::size_t>(rounds));
      std::map<int, int> count;
      for (int x : seq) {
        ASSERT_GE(x, 0);
        ASSERT_LT(x, k);
        ++count[x];
      }
      int lo = rounds, hi = 0;
      for (int j = 0; j < k; ++j) {
        lo = std::min(lo, count[j]);
        hi = std::max(hi, count[j]);
      }
      if (rounds % k == 0)
        EXPECT_EQ(lo, hi) << "K=" << k << " R=" << rounds;  // exactly R/K each
      else
        EXPECT_LE(hi - lo, 1) << "K=" << k << " R=" << rounds;
      // Every full block is a permutation of 0..K-1.
      for (int b = 0; (b + 1) * k <= rounds; ++b) {
        std::set<int> block(seq.begin() + b * k, seq.begin() + (b + 1) * k);
        EXPECT_EQ(block.size(), static_cast<std::size_t>(k));
      }
    }
  }
  EXPECT_EQ(layout_sequence(12, 4, 17), layout_sequence(12, 4, 17));  // reproducible
  EXPECT_NE(layout_sequence(40, 4, 17), layout_sequence(40, 4, 18));  // seeded
  auto seq = layout_sequence(40, 4, 17);
  EXPECT_NE(std::vector<int>(seq.begin(), seq.begin() + 4), std::vector<int>(seq.begin() + 4, seq.begin() + 8))
      << "blocks are drawn independently (this seed's first two differ)";
  EXPECT_EQ(layout_sequence(5, 1, 17), std::vector<int>(5, 0));
}

TEST(LayoutRotation, EveryAllocatorOfARoundSharesTheLayoutAndPreloadsItsCopy) {
  RunResults r = make_run(8, 4);
  FakeProcessRunner fake = make_fake();
  SchedulerObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  const auto seq = layout_sequence(8, 4, 99);
  const auto calls = round_calls(fake, r);
  ASSERT_EQ(calls.size(), r.samples.size());
  std::map<std::string, std::map<int, int>> used;  // allocator -> copy -> rounds (per workload w1)
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    const Sample& s = r.samples[i];
    ASSERT_EQ(s.status, Status::ok) << s.error;
    const int l = seq[static_cast<std::size_t>(s.round - 1)];
    EXPECT_EQ(calls[i].workload, s.workload);
    EXPECT_EQ(calls[i].stack_shift, fmt::format("{:04d}", stack_shift_bytes(l)))
        << "every allocator, peers too, gets the round's stack shift";
    if (s.allocator == "glibc") {
      EXPECT_EQ(s.layout, 0);  // peers: always copy 0
      EXPECT_EQ(calls[i].library, "");
    } else {
      EXPECT_EQ(s.layout, l);  // 5 copies, K = 4: copy L(r)
      EXPECT_EQ(calls[i].library, lib(s.allocator, l)) << "the preloaded path is the copy's library";
    }
    if (s.workload == "w1") ++used[s.allocator][s.layout];
  }
  for (const char* a : {"baseline", "all"}) {
    ASSERT_EQ(used[a].size(), 4u) << a;
    for (const auto& [copy, n] : used[a]) EXPECT_EQ(n, 2) << a << " copy " << copy;  // 8 rounds / 4
  }
  // Verify and warm-up use copy 0 without a shift.
  for (const auto& c : fake.calls)
    if (c.mode == "verify") EXPECT_EQ(c.library.find("layout"), std::string::npos);
  std::size_t measure_seen = 0;  // the first 6 measure calls are the warm-up pass
  for (const auto& c : fake.calls) {
    if (c.mode != "measure") continue;
    if (measure_seen++ >= 6) break;
    EXPECT_EQ(c.library.find("layout"), std::string::npos);
    EXPECT_EQ(c.stack_shift, "");
  }
  // The summary: per_layout for the variants (4 copies), none for glibc; placement per ratio.
  auto cells = summarize_run(r, 200);
  const CellSummary* all = find_cell(cells, "all", "w1");
  ASSERT_EQ(all->per_layout.size(), 4u);
  EXPECT_EQ(all->per_layout[2].layout, 2);
  EXPECT_EQ(all->per_layout[2].n, 2u);
  EXPECT_TRUE(find_cell(cells, "glibc", "w1")->per_layout.empty());
  ASSERT_NE(all->ratio_to("baseline"), nullptr);
  ASSERT_TRUE(all->ratio_to("baseline")->placement.has_value());
  EXPECT_EQ(all->ratio_to("baseline")->placement->layouts, 4u);
  EXPECT_DOUBLE_EQ(all->ratio_to("baseline")->placement->sd_log, 0.0);  // the fake's speed does not move
}

TEST(LayoutRotation, FewerCopiesThanLayoutsWrapAround) {
  RunResults r = make_run(6, 4, /*copies_all=*/2);
  FakeProcessRunner fake = make_fake();
  SchedulerObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  const auto seq = layout_sequence(6, 4, 99);
  for (const auto& s : r.samples) {
    const int l = seq[static_cast<std::size_t>(s.round - 1)];
    if (s.allocator == "all") EXPECT_EQ(s.layout, l % 2);
    if (s.allocator == "baseline") EXPECT_EQ(s.layout, l);
  }
}

TEST(LayoutRotation, OneLayoutIsTodaysBehaviour) {
  RunResults r = make_run(4, 1);
  FakeProcessRunner fake = make_fake();
  SchedulerObserver obs;
  ASSERT_TRUE(run_schedule(r, fake, obs));
  const auto calls = round_calls(fake, r);
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    const Sample& s = r.samples[i];
    EXPECT_EQ(s.layout, 0);
    const AllocatorSpec* a = r.find_allocator(s.allocator);
    EXPECT_EQ(calls[i].library, a->library);
    EXPECT_EQ(calls[i].stack_shift, "");
  }
  // The same argv as a spec without layouts.
  ChildSpec want = measure_spec("/fake/runner", r.allocators[0], r.workloads[0], 0.01, 30);
  EXPECT_EQ(want.argv.size(), 4u);  // no --alloclab-stack-shift
  ChildSpec shifted = measure_spec("/fake/runner", r.allocators[0], r.workloads[0], 0.01, 30, {}, 64);
  EXPECT_EQ(shifted.argv.back(), "--alloclab-stack-shift=0064");  // fixed width: same argv length
  EXPECT_TRUE(summarize_run(r, 100)[0].per_layout.empty());
  EXPECT_FALSE(summarize_run(r, 100)[0].ratios.empty());
}

TEST(LayoutRotation, StackShiftsAreDistinctMultiplesOf16) {
  std::set<int> seen;
  for (int j = 0; j < 256; ++j) {
    const int s = stack_shift_bytes(j);
    EXPECT_EQ(s % 16, 0);
    EXPECT_LT(s, 4096);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 256u);
  EXPECT_EQ(stack_shift_bytes(0), 0);
  EXPECT_EQ(stack_shift_bytes(1), 1040);
  EXPECT_EQ(stack_shift_bytes(4), 64);
}

class LayoutVerb : public ::testing::Test {
 protected:
  // A manifest whose baseline has `copies` layout copies (copy 0 included); "all" has none.
  void write_manifest(int copies) {
    json layouts = json::array();
    for (int c = 0; c < copies; ++c)
      layouts.push_back({{"copy", c}, {"pad_bytes", 16 * c}, {"library", lib("baseline", c)}});
    json m = {{"schema_version", 1},
              {"factors", json::array()},
              {"variants",
               {{{"name", "baseline"}, {"sets", {"default"}}, {"library", lib("baseline", 0)}, {"layouts", layouts}},
                {{"name", "all"}, {"sets", {"default"}}, {"library", lib("all", 0)}}}}};
    testing::write_text(manifest_, m.dump());
  }
  void SetUp() override {
    manifest_ = dir_.file("manifest.json");
    fake_ = make_fake();
    args_ = testing::fake_run_args(dir_, manifest_, 8);
  }
  TempDir dir_;
  std::string manifest_;
  RunArgs args_;
  FakeProcessRunner fake_;
};

TEST_F(LayoutVerb, ManifestWithoutCopiesWarnsAndRunsOneLayout) {
  write_manifest(1);
  args_.variants = "baseline,all";
  PreparedRun p = prepare_run(args_, {"harness"}, fake_);
  EXPECT_EQ(p.results.options.layouts, 1);
  EXPECT_EQ(std::count(p.warnings.begin(), p.warnings.end(), "the manifest lists no layout copies; --layouts 1"), 1);
}

TEST_F(LayoutVerb, RunRecordsLayoutsAndAslrOff) {
  write_manifest(5);
  args_.variants = "baseline,all";
  args_.aslr = false;
  ASSERT_EQ(run_verb(args_, {"harness", "run"}, fake_), kExitOk);
  EXPECT_EQ(fake_.aslr_calls, (std::vector<bool>{false}));
  RunResults r = load_results(args_.out);
  EXPECT_EQ(r.options.layouts, RunDefaults::kLayouts);
  EXPECT_FALSE(r.options.aslr);
  std::set<int> baseline_copies, all_copies;
  for (const auto& s : r.samples) (s.allocator == "baseline" ? baseline_copies : all_copies).insert(s.layout);
  EXPECT_EQ(baseline_copies, (std::set<int>{0, 1, 2, 3}));
  EXPECT_EQ(all_copies, (std::set<int>{0}));  // no copies in the manifest
  args_.aslr = true;
  args_.layouts = 0;
  EXPECT_THROW(prepare_run(args_, {"harness"}, fake_), HarnessError);
}

TEST_F(LayoutVerb, ValidateLayoutNeedsFourShiftedCopies) {
  write_manifest(4);  // 3 shifted
  ValidateArgs v;
  v.layout = true;
  v.run = args_;
  try {
    validate_verb(v, {"harness", "validate"}, fake_);
    FAIL() << "no error";
  } catch (const HarnessError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("at least 4"), std::string::npos) << e.what();
  }
}

TEST_F(LayoutVerb, ValidateLayoutMeasuresEachCopyFixedAndCountsFdr) {
  write_manifest(5);
  fake_.speed[lib("baseline", 2)] = 1.25e8;  // copy 2 is 25 % faster: placement
  ValidateArgs v;
  v.layout = true;
  v.run = args_;
  ::testing::internal::CaptureStdout();
  int rc = validate_verb(v, {"harness", "validate"}, fake_);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, kExitFailures) << out;  // 2 of 8 cells significant after FDR > 5 %
  EXPECT_NE(out.find("layout A/A′ cells"), std::string::npos) << out;
  EXPECT_NE(out.find("2 after FDR"), std::string::npos) << out;
  RunResults r = load_results(args_.out);
  std::vector<std::string> names;
  for (const auto& a : r.allocators) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"baseline", "baseline@L1", "baseline@L2", "baseline@L3", "baseline@L4"}));
  EXPECT_EQ(r.options.layouts, 1);
  for (const auto& s : r.samples) {
    EXPECT_EQ(s.status, Status::ok) << s.allocator << ": " << s.error;  // preload check: variant "baseline"
    EXPECT_EQ(s.layout, 0);
  }
  for (const auto& c : fake_.calls)
    if (c.mode == "measure") EXPECT_EQ(c.stack_shift, "");
  std::set<std::string> preloaded;
  for (const auto& c : fake_.calls) preloaded.insert(c.library);
  for (int c = 0; c < 5; ++c) EXPECT_TRUE(preloaded.count(lib("baseline", c))) << c;

  auto cells = summarize_run(r, 500);
  LayoutVerdict verdict =
      judge_layout(r, cells, {"baseline@L1", "baseline@L2", "baseline@L3", "baseline@L4"}, "baseline", 0.05);
  EXPECT_EQ(verdict.cells, 8u);
  EXPECT_EQ(verdict.significant, 2u);
  EXPECT_EQ(verdict.significant_fdr, 2u);
  EXPECT_DOUBLE_EQ(verdict.expected, 0.4);
  EXPECT_DOUBLE_EQ(verdict.share_fdr, 0.25);
  EXPECT_FALSE(verdict.passed);
  ASSERT_EQ(verdict.rows.size(), 2u);
  EXPECT_NEAR(verdict.rows[0].spread, 1.25, 1e-9);

  // Without the slow copy the copies agree: pass.
  fake_.speed.clear();
  fake_.calls.clear();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(validate_verb(v, {"harness", "validate"}, fake_), kExitOk);
  ::testing::internal::GetCapturedStdout();
}

// judge_layout on hand-made summaries: of 8 cells, 2 are significant raw (p = 0.001, 0.04);
// Benjamini-Hochberg over all 8 keeps 1 (q = 0.008 and 0.16).
TEST(JudgeLayout, BenjaminiHochbergOverAllCopyWorkloadCells) {
  RunResults r;
  std::vector<CellSummary> cells;
  std::vector<std::string> copies = {"baseline@L1", "baseline@L2"};
  // p-values of the 8 cells (2 copies × 4 workloads): 0.001, 0.04, then 0.5.
  const double p[8] = {0.001, 0.04, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
  for (int w = 0; w < 4; ++w) {
    WorkloadSpec ws;
    ws.name = fmt::format("w{}", w);
    r.workloads.push_back(ws);
    for (int c = 0; c < 2; ++c) {
      CellSummary cs;
      cs.allocator = copies[static_cast<std::size_t>(c)];
      cs.workload = ws.name;
      RatioRow row;
      row.reference = "baseline";
      const double pv = p[w * 2 + c];
      row.est.p_value = pv;
      row.est.ratio = pv < 0.05 ? 1.1 : 1.0;
      row.est.ci_low = pv < 0.05 ? 1.05 : 0.98;
      row.est.ci_high = pv < 0.05 ? 1.15 : 1.02;
      row.est.significant = pv < 0.05;
      cs.ratios.push_back(row);
      cells.push_back(cs);
    }
  }
  LayoutVerdict v = judge_layout(r, cells, copies, "baseline", 0.05);
  EXPECT_EQ(v.cells, 8u);
  EXPECT_EQ(v.significant, 2u);
  // q(0.001) = 8 * 0.001 = 0.008; q(0.04) = 8 / 2 * 0.04 = 0.16: one survives.
  EXPECT_EQ(v.significant_fdr, 1u);
  EXPECT_NEAR(v.rows[0].copies[0].q_value, 0.008, 1e-12);
  EXPECT_NEAR(v.rows[0].copies[1].q_value, 0.16, 1e-12);
  EXPECT_DOUBLE_EQ(v.share_fdr, 0.125);
  EXPECT_FALSE(v.passed);  // 12.5 % > 5 %
  EXPECT_NEAR(v.rows[0].spread, 1.1, 1e-12);
  EXPECT_NEAR(v.rows[1].spread, 1.0, 1e-12);
}

}  // namespace
}  // namespace alloclab::harness
