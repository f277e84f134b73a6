// gate and compare on the golden fixtures in fixtures/ (see make_fixtures.py).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/compare.h"
#include "analysis/gate.h"
#include "core/error.h"
#include "io/results_json.h"
#include "report/tables.h"
#include "test_util.h"
#include "verbs/gate.h"

#ifndef ALLOCLAB_HARNESS_FIXTURES
#error "ALLOCLAB_HARNESS_FIXTURES must point at tests/harness/fixtures"
#endif

namespace alloclab::harness {
namespace {

std::string fixture(const std::string& name) { return std::string(ALLOCLAB_HARNESS_FIXTURES) + "/" + name; }

using testing::cli;

TEST(Gate, PassesOnAFasterMachineWithTheSameRatios) {
  GateOptions opt;
  GateReport rep =
      evaluate_gate(load_results(fixture("candidate-pass.json")), load_results(fixture("reference.json")), opt);
  EXPECT_TRUE(rep.passed());
  EXPECT_EQ(rep.cells.size(), 2u);  // all × w1, w2 (peers are gated only when named)
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-pass.json"), "--baseline-results", fixture("reference.json"),
                 "--max-regression", "5%"}),
            0);
}

TEST(Gate, FailsOnARelativeRegressionAndNamesTheCell) {
  GateOptions opt;
  opt.max_regression = 0.05;
  GateReport rep =
      evaluate_gate(load_results(fixture("candidate-fail.json")), load_results(fixture("reference.json")), opt);
  EXPECT_FALSE(rep.passed());
  std::vector<std::string> failed;
  for (const auto& c : rep.cells)
    if (c.failed) failed.push_back(c.allocator + "/" + c.workload);
  EXPECT_EQ(failed, (std::vector<std::string>{"all/w1"}));
  // FDR over the 2 gated cells (all/w1, all/w2): w1's 6 candidate ratios all lie below the 6
  // baseline ratios, so its exact Mann-Whitney p = 2 / C(12, 6) = 2/924, q = 2/2 * p.
  EXPECT_EQ(rep.family.m, 2u);
  EXPECT_EQ(rep.family.describe(), "gate: 1 allocators × 2 workloads = 2 tests, BH at q = 0.05");
  for (const auto& c : rep.cells)
    if (c.workload == "w1") {
      EXPECT_NEAR(c.p_value, 2.0 / 924, 1e-12);
      EXPECT_LE(c.q_value, 2 * 2.0 / 924 + 1e-12);
      EXPECT_TRUE(c.significant);
    }
  for (const auto& c : rep.cells)
    if (c.allocator == "all" && c.workload == "w1") EXPECT_NEAR(c.rel, 0.85 / 1.10, 0.02);
  EXPECT_NE(render_gate(rep, opt, {}).find("all/w1"), std::string::npos);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-fail.json"), "--baseline", fixture("reference.json"),
                 "--max-regression", "5%"}),
            1);
  // A generous threshold lets it through; gating only glibc (by name) passes too, and glibc
  // as the reference sees the same regression of all.
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-fail.json"), "--baseline", fixture("reference.json"),
                 "--max-regression", "30%"}),
            0);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-fail.json"), "--baseline", fixture("reference.json"),
                 "--allocator", "glibc"}),
            0);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-fail.json"), "--baseline", fixture("reference.json"),
                 "--reference", "glibc"}),
            1);
}

TEST(Gate, MalformedOrMissingInputIsExitTwo) {
  EXPECT_EQ(cli({"gate", "--results", fixture("malformed.json"), "--baseline", fixture("reference.json")}), 2);
  EXPECT_EQ(cli({"gate", "--results", fixture("not-results.json"), "--baseline", fixture("reference.json")}), 2);
  EXPECT_EQ(cli({"gate", "--results", fixture("nope.json"), "--baseline", fixture("reference.json")}), 2);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-pass.json"), "--baseline", fixture("reference.json"),
                 "--max-regression", "lots"}),
            2);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-pass.json"), "--baseline", fixture("reference.json"),
                 "--reference", "mimalloc"}),
            2);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-pass.json")}), 2);  // missing flag
}

TEST(Gate, InstructionMetric) {
  RunResults cand = load_results(fixture("reference.json"));
  RunResults base = cand;
  auto ins = [](const std::string& a, double ipm) {
    InstructionCount i;
    i.allocator = a;
    i.workload = "w1";
    i.mallocs = 1000;
    i.instructions = static_cast<std::int64_t>(ipm * 1000);
    i.instructions_per_malloc = ipm;
    return i;
  };
  base.instructions = {ins("baseline", 100), ins("all", 80)};
  cand.instructions = {ins("baseline", 100), ins("all", 90)};  // +12.5 % relative
  GateOptions opt;
  opt.metric = Metric::instructions;
  opt.allocators = "all";
  opt.workloads = "w1";  // the only workload with counts (w2 would be named as not gated)
  EXPECT_FALSE(evaluate_gate(cand, base, opt).passed());
  opt.max_regression = 0.2;
  EXPECT_TRUE(evaluate_gate(cand, base, opt).passed());
  RunResults none = load_results(fixture("reference.json"));
  EXPECT_THROW(evaluate_gate(none, base, opt), HarnessError);
}

TEST(Gate, ParseFraction) {
  EXPECT_DOUBLE_EQ(parse_fraction("5%"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("0.05"), 0.05);
  EXPECT_DOUBLE_EQ(parse_fraction("5"), 0.05);
  EXPECT_THROW(parse_fraction("abc"), HarnessError);
  EXPECT_THROW(parse_fraction("150%"), HarnessError);
}

TEST(Compare, UnpairedBasics) {
  std::vector<double> a{100, 101, 99, 100.5, 99.5, 100}, b{120, 121, 119, 120.5, 119.5, 120};
  auto same = compare_unpaired(a, a, 0.05, 1, 2000);
  EXPECT_DOUBLE_EQ(same.ratio, 1);
  EXPECT_FALSE(same.significant);
  auto up = compare_unpaired(a, b, 0.05, 1, 2000);
  EXPECT_NEAR(up.ratio, 1.2, 1e-9);
  EXPECT_TRUE(up.significant);
  EXPECT_LT(up.ci_low, 1.2 + 1e-9);
  EXPECT_GT(up.ci_high, 1.2 - 1e-9);
  EXPECT_EQ(compare_unpaired(a, b, 0.05, 3, 500).ci_low, compare_unpaired(a, b, 0.05, 3, 500).ci_low);
}

TEST(Compare, TwoFilesAndWithinOne) {
  RunResults ref = load_results(fixture("reference.json"));
  RunResults pass = load_results(fixture("candidate-pass.json"));
  auto rows = compare_files(ref, pass, 0.05);
  ASSERT_EQ(rows.size(), 6u);
  for (const auto& r : rows) {
    EXPECT_TRUE(r.significant) << r.allocator << "/" << r.workload;  // the 2x faster machine
    EXPECT_NEAR(r.ratio, 2.0, 0.1);
  }
  for (const auto& r : rows) EXPECT_NEAR(r.q_value, r.p_value, 1e-12);  // all six at 2/924: q = p
  auto within = compare_within(ref, "baseline", 0.05);
  ASSERT_EQ(within.size(), 4u);
  for (const auto& r : within) EXPECT_NEAR(r.ratio, r.allocator == "all" ? 1.10 : 0.80, 0.03);
  EXPECT_EQ(cli({"compare", fixture("reference.json"), fixture("candidate-fail.json")}), 0);
  EXPECT_EQ(cli({"compare", fixture("reference.json"), "--reference", "glibc"}), 0);
  EXPECT_EQ(cli({"compare", fixture("reference.json"), "--reference", "hoard"}), 2);
  EXPECT_EQ(cli({"compare", fixture("malformed.json"), fixture("reference.json")}), 2);
  EXPECT_EQ(cli({"check", fixture("reference.json"), fixture("candidate-pass.json")}), 0);
  EXPECT_EQ(cli({"check", fixture("not-results.json")}), 2);
}

}  // namespace
}  // namespace alloclab::harness
