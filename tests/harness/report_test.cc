// The ablation report on synthetic results with known effects, and the gbench export.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/ablation.h"
#include "analysis/instructions.h"
#include "analysis/verdicts.h"
#include "core/error.h"
#include "io/gbench_export.h"
#include "io/results_json.h"
#include "report/markdown.h"
#include "report/svg.h"
#include "test_util.h"

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

// The per-workload mechanism table: every allocator's counts per malloc with its ratio to the
// reference; absent when no count carries the simulation (an old file, --no-mechanism).
TEST(Report, MechanismTablePerWorkload) {
  RunResults r = factorial_run(4);
  AllocatorSpec tc;
  tc.name = "tcmalloc";
  tc.kind = AllocatorKind::peer;
  r.allocators.push_back(tc);
  auto count = [](const std::string& a, std::int64_t ir, std::int64_t bcm, std::int64_t d1, std::int64_t ll) {
    InstructionCount c;
    c.allocator = a;
    c.workload = "w";
    c.mallocs = c.frees = 1000;
    c.instructions = ir;
    c.instructions_per_malloc = ir / 1000.0;
    MechanismCount m;
    m.cond_branches = 10000;
    m.cond_mispredicts = bcm;
    m.d1_read_misses = d1;
    m.ll_read_misses = ll;
    c.mechanism = m;
    return c;
  };
  r.instructions = {count("baseline", 60000, 630, 400, 2), count("tcmalloc", 90000, 17, 200, 1)};
  std::string md = render_report_md(r, build_ablation(r, 200), {});
  EXPECT_NE(md.find("| allocator | instr/malloc | mispred/malloc | D1 miss/malloc | LL miss/malloc |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| baseline | 60.0 (1.00×) | 0.630 (1.00×) | 0.400 (1.00×) | 0.0020 (1.00×) |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| tcmalloc | 90.0 (1.50×) | 0.017 (0.03×) | 0.200 (0.50×) | 0.0010 (0.50×) |"), std::string::npos)
      << md;
  for (auto& c : r.instructions) c.mechanism.reset();
  EXPECT_EQ(render_report_md(r, build_ablation(r, 200), {}).find("mispred/malloc"), std::string::npos);
}

TEST(Report, SvgEscapesLabels) {
  std::string svg = bar_chart_svg("a<b", "axis", {{"x&y", 1.1, 1.0, 1.2, true, "g"}});
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  EXPECT_NE(svg.find("x&amp;y"), std::string::npos);
}

#ifndef ALLOCLAB_HARNESS_FIXTURES
#error "ALLOCLAB_HARNESS_FIXTURES must point at tests/harness/fixtures"
#endif
std::string fixture(const std::string& name) { return std::string(ALLOCLAB_HARNESS_FIXTURES) + "/" + name; }

const Effect& add_one(const AblationReport& rep, const std::string& w, const std::string& f) {
  for (const auto& wa : rep.workloads)
    if (wa.workload == w)
      for (const auto& e : wa.add_one)
        if (e.label == f) return e;
  throw std::runtime_error("no add-one " + f + " on " + w);
}

// fixtures/report-fdr.json (make_fixtures.py: fdr_fixture): exact signed-rank p-values
// 2/1024, 6/1024, 20/1024, 50/1024, 1, 1 and their BH q-values by hand.
TEST(ReportFdr, HandComputedBenjaminiHochberg) {
  RunResults r = load_results(fixture("report-fdr.json"));
  r.instructions.clear();  // time only here
  AblationReport rep = build_ablation(r, 2000);
  ASSERT_FALSE(rep.families.empty());
  const TestFamily& f = rep.families[0];
  EXPECT_EQ(f.describe(), "add-one: 3 factors × 2 workloads = 6 tests, BH at q = 0.05");
  EXPECT_EQ(f.m, 6u);
  EXPECT_DOUBLE_EQ(f.expected_by_chance(), 0.3);
  EXPECT_EQ(f.raw, 4u);
  EXPECT_EQ(f.fdr, 3u);
  struct Want {
    const char *w, *f;
    double p, q;
    bool raw, fdr;
  };
  const Want want[] = {{"w1", "a", 2.0 / 1024, 6 * 2.0 / 1024, true, true},
                       {"w1", "b", 6.0 / 1024, 3 * 6.0 / 1024, true, true},
                       {"w2", "a", 20.0 / 1024, 2 * 20.0 / 1024, true, true},
                       {"w2", "b", 50.0 / 1024, 1.5 * 50.0 / 1024, true, false},
                       {"w1", "c", 1, 1, false, false},
                       {"w2", "c", 1, 1, false, false}};
  for (const auto& x : want) {
    const Effect& e = add_one(rep, x.w, x.f);
    EXPECT_NEAR(e.p_value, x.p, 1e-12) << x.w << " " << x.f;
    EXPECT_NEAR(e.q_value, x.q, 1e-12) << x.w << " " << x.f;
    EXPECT_EQ(e.raw_significant, x.raw) << x.w << " " << x.f;
    EXPECT_EQ(e.significant, x.fdr) << x.w << " " << x.f;
  }
  auto v = factor_verdicts(rep);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].kind, VerdictKind::helps);  // a: w1, w2
  EXPECT_EQ(v[0].gains.size(), 2u);
  EXPECT_EQ(v[1].kind, VerdictKind::helps);  // b: w1 only (w2 did not survive BH)
  EXPECT_EQ(v[1].gains.size(), 1u);
  EXPECT_EQ(v[2].kind, VerdictKind::no_effect);
  std::string md = render_report_md(r, rep, {});
  EXPECT_NE(md.find("- **a** — helps"), std::string::npos);
  EXPECT_NE(md.find("| add-one: 3 factors × 2 workloads = 6 tests, BH at q = 0.05 | 6 | 0.3 | 4 | 3 |"),
            std::string::npos);
  EXPECT_LT(md.find("## Verdicts"), md.find("## Summary"));
  EXPECT_LT(md.find("## Summary"), md.find("## Per workload"));
}

// The same fixture with its instruction counts: a's time effects are placement suspects
// (instructions identical) exactly on w1 and w2; c moved 3 % in instructions but not in time.
TEST(ReportFdr, InstructionsFlagPlacementSuspects) {
  RunResults r = load_results(fixture("report-fdr.json"));
  AblationReport rep = build_ablation(r, 2000);
  EXPECT_TRUE(rep.has_instructions);
  for (const char* w : {"w1", "w2"}) {
    EXPECT_TRUE(add_one(rep, w, "a").placement_suspect) << w;
    EXPECT_FALSE(add_one(rep, w, "a").counted()) << w;
    EXPECT_FALSE(add_one(rep, w, "b").placement_suspect) << w;
    EXPECT_FALSE(add_one(rep, w, "c").placement_suspect) << w;
    EXPECT_TRUE(add_one(rep, w, "c").below_noise) << w;
    EXPECT_NEAR(*add_one(rep, w, "b").ins_ratio, 0.9, 1e-12);
  }
  EXPECT_TRUE(add_one(rep, "w1", "b").counted());
  EXPECT_TRUE(add_one(rep, "w2", "b").below_noise);  // not significant after BH, 10 % fewer instructions
  auto v = factor_verdicts(rep);
  EXPECT_EQ(v[0].kind, VerdictKind::no_effect);
  EXPECT_EQ(v[0].discounted, 2u);
  std::string md = render_report_md(r, rep, {});
  std::size_t n = 0;
  for (std::size_t at = md.find("placement suspect: time moved"); at != std::string::npos;
       at = md.find("placement suspect: time moved", at + 1)) {
    ++n;
    std::size_t line = md.rfind('\n', at);
    EXPECT_EQ(md.compare(line + 1, 6, "| a | "), 0);  // only a's rows
  }
  EXPECT_EQ(n, 2u);
  EXPECT_NE(md.find("100.00 / 100.00"), std::string::npos);

  // A placement band (exp(2 sd_log) = 1.062×) wider than b's w1 effect (1.055×): not counted either.
  AblationOptions opt;
  opt.resamples = 2000;
  opt.placements[{"b", "baseline", "w1"}] = Placement{4, 1.10, 0.03};
  AblationReport rp = build_ablation(r, opt);
  EXPECT_TRUE(add_one(rp, "w1", "b").below_spread);
  EXPECT_FALSE(add_one(rp, "w1", "b").counted());
  EXPECT_NE(render_report_md(r, rp, {}).find("smaller than the placement spread (1.062×)"), std::string::npos);
}

TEST(ReportFdr, InstructionsFromACallgrindFile) {
  RunResults r = load_results(fixture("report-fdr.json"));
  r.instructions.clear();
  auto notes = merge_instructions(r, load_results(fixture("callgrind-extra.json")), "cg.json");
  EXPECT_EQ(r.instructions.size(), 8u);
  std::string all;
  for (const auto& n : notes) all += n + "\n";
  EXPECT_NE(all.find("allocators not in this run, skipped: hoard"), std::string::npos);
  EXPECT_NE(all.find("workloads not in this run, skipped: w9"), std::string::npos);
  RunResults none = load_results(fixture("reference.json"));
  EXPECT_THROW(merge_instructions(r, none, "ref.json"), HarnessError);
  using testing::cli;
  EXPECT_EQ(cli({"report", fixture("report-fdr.json"), "--instructions", fixture("malformed.json"), "--out",
                 ::testing::TempDir() + "/r.md"}),
            2);
  EXPECT_EQ(cli({"report", fixture("report-fdr.json"), "--instructions", fixture("reference.json"), "--out",
                 ::testing::TempDir() + "/r.md"}),
            2);
  EXPECT_EQ(cli({"report", fixture("report-fdr.json"), "--instructions", fixture("callgrind-extra.json"), "--out",
                 ::testing::TempDir() + "/r.md"}),
            0);
}

// The verdict rules on hand-made effects: interacts, mixed, hurts.
TEST(ReportFdr, VerdictRules) {
  AblationReport rep;
  rep.factors = {"x", "y", "z"};
  auto eff = [](const std::string& f, double ratio, bool sig) {
    Effect e;
    e.label = f;
    e.ratio = ratio;
    e.n = 10;
    e.significant = e.raw_significant = sig;
    return e;
  };
  WorkloadAblation w1, w2;
  w1.workload = "w1";
  w2.workload = "w2";
  // x: faster alone on w1, slower inside all on w1 -> interacts.
  w1.add_one = {eff("x", 1.10, true), eff("y", 1.05, true), eff("z", 0.95, true)};
  w1.remove_one = {eff("x", 0.95, true), eff("y", 1.0, false), eff("z", 0.97, true)};
  // y: slower on w2 -> mixed; z: slower everywhere -> hurts.
  w2.add_one = {eff("x", 1.0, false), eff("y", 0.90, true), eff("z", 0.9, true)};
  rep.workloads = {w1, w2};
  auto v = factor_verdicts(rep);
  EXPECT_EQ(v[0].kind, VerdictKind::interacts);
  EXPECT_EQ(v[0].conflicts, std::vector<std::string>{"w1"});
  EXPECT_EQ(v[1].kind, VerdictKind::mixed);
  EXPECT_EQ(v[2].kind, VerdictKind::hurts);
  // A significant interaction in the factorial makes both factors interact.
  rep.workloads[1].interactions = {eff("y × z", 1.05, true)};
  v = factor_verdicts(rep);
  EXPECT_EQ(v[1].kind, VerdictKind::interacts);
  EXPECT_EQ(v[2].kind, VerdictKind::interacts);
  EXPECT_EQ(plain_summary(rep, v).size(), 5u);
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
