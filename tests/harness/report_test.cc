// The ablation report on synthetic results with known effects, and the gbench export.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/ablation.h"
#include "io/gbench_export.h"
#include "report/markdown.h"
#include "report/svg.h"

namespace alloclab::harness {
namespace {

// 2^3 factorial, log y = log 1e8 + sum beta_j bit_j + gamma bit0 bit1 + small round noise.
RunResults factorial_run(int rounds) {
  const double beta[3] = {0.10, -0.05, 0.0};
  const double gamma = 0.04;
  RunResults r;
  r.factor_names = {"x", "y", "z"};
  r.options.rounds = rounds;
  r.options.seed = 3;
  r.rounds_completed = rounds;
  r.complete = true;
  WorkloadSpec w;
  w.name = "w";
  r.workloads = {w};
  for (int m = 0; m < 8; ++m) {
    std::string bits;
    for (int j = 0; j < 3; ++j) bits += (m >> (2 - j)) & 1 ? '1' : '0';
    AllocatorSpec a;
    a.name = bits == "000" ? "baseline" : bits == "111" ? "all" : "v" + bits;
    a.kind = AllocatorKind::variant;
    a.factors = bits;
    r.allocators.push_back(a);
    for (int round = 1; round <= rounds; ++round) {
      double ly = std::log(1e8) + 0.002 * std::sin(round * 3.7 + m);
      for (int j = 0; j < 3; ++j) ly += beta[j] * (bits[j] - '0');
      ly += gamma * (bits[0] - '0') * (bits[1] - '0');
      Sample s;
      s.allocator = a.name;
      s.workload = "w";
      s.round = round;
      s.mallocs_per_sec = std::exp(ly);
      s.ns_per_op = 1e9 / s.mallocs_per_sec;
      s.real_time_ns = 1e11 / s.mallocs_per_sec;  // 100 mallocs per iteration in every cell
      s.iterations = 100;
      s.peak_rss_kib = bits[2] == '1' ? 2000 : 1000;
      s.counters = json{{"counters", {{"generic_calls", bits[0] == '1' ? 10 : 40}}}};
      r.samples.push_back(s);
    }
  }
  r.options.reference = "baseline";
  return r;
}

TEST(Report, FactorialEffectsAddOneRemoveOneMemoryAndCounters) {
  RunResults r = factorial_run(8);
  AblationReport rep = build_ablation(r, 500);
  ASSERT_TRUE(rep.factorial);
  EXPECT_EQ(rep.baseline_name, "baseline");
  EXPECT_EQ(rep.all_name, "all");
  ASSERT_EQ(rep.workloads.size(), 1u);
  const auto& wa = rep.workloads[0];
  ASSERT_EQ(wa.main_effects.size(), 3u);
  // Main effect of x: beta_x + gamma/2 (averaged over y); of y: beta_y + gamma/2; of z: 0.
  EXPECT_NEAR(std::log(wa.main_effects[0].ratio), 0.10 + 0.02, 0.003);
  EXPECT_NEAR(std::log(wa.main_effects[1].ratio), -0.05 + 0.02, 0.003);
  EXPECT_NEAR(std::log(wa.main_effects[2].ratio), 0.0, 0.003);
  EXPECT_TRUE(wa.main_effects[0].significant);
  ASSERT_EQ(wa.interactions.size(), 3u);
  EXPECT_EQ(wa.interactions[0].label, "x × y");
  EXPECT_NEAR(std::log(wa.interactions[0].ratio), 0.04 / 2, 0.003);
  // Add-one: x alone vs baseline = e^0.10; remove-one: all vs all-but-x = e^(0.10+0.04).
  ASSERT_EQ(wa.add_one.size(), 3u);
  EXPECT_NEAR(wa.add_one[0].ratio, std::exp(0.10), 0.01);
  EXPECT_EQ(wa.add_one[0].candidate, "v100");
  ASSERT_EQ(wa.remove_one.size(), 3u);
  EXPECT_NEAR(wa.remove_one[0].ratio, std::exp(0.14), 0.01);
  // Memory: z doubles peak RSS.
  for (const auto& e : wa.memory)
    EXPECT_NEAR(e.ratio, r.find_allocator(e.candidate)->factors[2] == '1' ? 2.0 : 1.0, 1e-9) << e.label;
  // Counters: x cuts generic_calls per malloc by 4x.
  ASSERT_TRUE(wa.counters.count("v100"));
  EXPECT_EQ(wa.counters.at("v100")[0].counter, "generic_calls");
  EXPECT_NEAR(wa.counters.at("v100")[0].variant_per_kmalloc / wa.counters.at("v100")[0].base_per_kmalloc, 0.25, 1e-9);

  auto charts = charts_for(rep);
  EXPECT_TRUE(charts.count("add_one"));
  EXPECT_TRUE(charts.count("main_effects"));
  EXPECT_EQ(charts["add_one"].rfind("<svg", 0), 0u);
  std::string md = render_report_md(r, rep, {{"add_one", "r-add_one.svg"}});
  EXPECT_NE(md.find("## w"), std::string::npos);
  EXPECT_NE(md.find("Main effects"), std::string::npos);
  EXPECT_NE(md.find("x × y"), std::string::npos);
  EXPECT_NE(md.find("![add_one](r-add_one.svg)"), std::string::npos);
  EXPECT_NE(md.find("generic_calls"), std::string::npos);
}

TEST(Report, WithoutTheFullFactorialSaysSo) {
  RunResults r = factorial_run(4);
  // Drop two combinations.
  std::erase_if(r.allocators, [](const AllocatorSpec& a) { return a.factors == "011" || a.factors == "101"; });
  AblationReport rep = build_ablation(r, 200);
  EXPECT_FALSE(rep.factorial);
  EXPECT_TRUE(rep.workloads[0].main_effects.empty());
  bool noted = false;
  for (const auto& n : rep.notes) noted = noted || n.find("6 of the 8") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(Report, SvgEscapesLabels) {
  std::string svg = bar_chart_svg("a<b", "axis", {{"x&y", 1.1, 1.0, 1.2, true, "g"}});
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  EXPECT_NE(svg.find("x&amp;y"), std::string::npos);
}

TEST(GbenchExport, OneEntryPerSamplePlusAggregates) {
  RunResults r = factorial_run(3);
  json g = to_gbench(r);
  ASSERT_TRUE(g.contains("context"));
  const json& b = g["benchmarks"];
  EXPECT_EQ(b.size(), 8u * (3u + 4u));
  EXPECT_EQ(b[0]["name"], "baseline/w");
  EXPECT_EQ(b[0]["run_type"], "iteration");
  EXPECT_EQ(b[3]["run_type"], "aggregate");
  EXPECT_EQ(b[3]["aggregate_name"], "mean");
  EXPECT_EQ(b[4]["aggregate_name"], "median");
  EXPECT_TRUE(b[0].contains("items_per_second"));
  EXPECT_EQ(b[0]["time_unit"], "ns");
}

}  // namespace
}  // namespace alloclab::harness
