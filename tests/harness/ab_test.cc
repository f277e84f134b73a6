// harness ab's gate on synthetic runs (analysis/ab.h), its renderers and the library -> target
// mapping of the revision build. The real builds and runs: tests/ab/ab_revisions_test.sh.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/ab.h"
#include "core/error.h"
#include "io/gate_verdict_json.h"
#include "report/ab_tables.h"
#include "report/gate_markdown.h"
#include "run/revision_build.h"

namespace alloclab::harness {
namespace {

const std::vector<AbPair> kPairs = {{"baseline", "baseline", "base:baseline"}};

// Rounds 1..n of head and base on workload w: base 1e8 mallocs/sec, head = base * ratio(round);
// layout = (round - 1) % 2 for both sides.
void add_rounds(RunResults& r, const std::string& w, int n, double (*ratio)(int)) {
  for (int round = 1; round <= n; ++round)
    for (const char* a : {"baseline", "base:baseline"}) {
      Sample s;
      s.allocator = a;
      s.workload = w;
      s.round = round;
      s.layout = (round - 1) % 2;
      s.mallocs_per_sec = 1e8 * (std::string(a) == "baseline" ? ratio(round) : 1.0);
      r.samples.push_back(s);
    }
}

RunResults two_sided(const std::vector<std::string>& workloads) {
  RunResults r;
  r.options.seed = 11;
  for (const char* a : {"baseline", "base:baseline"}) {
    AllocatorSpec s;
    s.name = a;
    r.allocators.push_back(s);
  }
  for (const auto& w : workloads) r.workloads.push_back({w});
  return r;
}

InstructionCount ins(const std::string& a, const std::string& w, double ipm) {
  InstructionCount c;
  c.allocator = a;
  c.workload = w;
  c.mallocs = 1000;
  c.instructions = static_cast<std::int64_t>(ipm * 1000);
  c.instructions_per_malloc = ipm;
  return c;
}

TEST(Ab, SlowerHeadFailsAndAnEqualOnePasses) {
  RunResults r = two_sided({"slow", "same"});
  add_rounds(r, "slow", 8, [](int round) { return 0.80 + 0.002 * round; });  // -20 %, every round
  add_rounds(r, "same", 8, [](int round) { return round % 2 ? 1.004 : 0.996; });
  AbReport rep = evaluate_ab(r, kPairs, AbOptions{});
  ASSERT_EQ(rep.time.cells.size(), 2u);
  EXPECT_FALSE(rep.instructions_measured);
  const GateCell& slow = rep.time.cells[0];
  EXPECT_EQ(slow.workload, "slow");
  EXPECT_NEAR(slow.rel, 0.809, 1e-9);           // median of 0.802 .. 0.816
  EXPECT_NEAR(slow.p_value, 2.0 / 256, 1e-12);  // exact signed rank, 8 pairs all one way
  EXPECT_TRUE(slow.significant);
  EXPECT_TRUE(slow.failed);
  EXPECT_FALSE(rep.time.cells[1].failed);
  EXPECT_EQ(rep.time.family.m, 2u);
  EXPECT_FALSE(rep.passed());
  EXPECT_DOUBLE_EQ(slow.candidate, 1e8 * 0.809);  // head median
  EXPECT_DOUBLE_EQ(slow.baseline, 1e8);
}

TEST(Ab, ASlowdownWithinThePlacementBandIsNotCounted) {
  RunResults r = two_sided({"w"});
  // Layout copy 0 (odd rounds) 25 % slower, copy 1 7 % slower: significant, CI below -5 %, but
  // the between-copy spread is as large as the effect: placement, not the change.
  add_rounds(r, "w", 8, [](int round) { return (round % 2 ? 0.75 : 0.93) + 0.001 * round; });
  AbReport rep = evaluate_ab(r, kPairs, AbOptions{});
  ASSERT_EQ(rep.time.cells.size(), 1u);
  const GateCell& c = rep.time.cells[0];
  EXPECT_TRUE(c.significant);
  EXPECT_LT(c.ci_high, 0.95);
  ASSERT_TRUE(rep.time_detail[0].placement_band.has_value());
  EXPECT_GT(*rep.time_detail[0].placement_band, 1 / c.rel);
  EXPECT_TRUE(rep.time_detail[0].inside_placement);
  EXPECT_FALSE(c.failed);

  // The gate's Markdown and JSON carry the band: a column, and the numbers per cell.
  AbContext ctx;
  ctx.rounds = 8;
  ctx.layouts = 2;
  std::vector<GateSection> sections = ab_sections(rep, ctx);
  ASSERT_EQ(sections.size(), 1u);  // no instruction counts: no instruction section
  std::string md = render_gate_markdown("Performance gate", sections, ab_provenance(rep, ctx));
  EXPECT_NE(md.find("| head M/s | base M/s | change | 95% CI | p | q | placement band | verdict |"), std::string::npos)
      << md;
  EXPECT_NE(md.find(fmt::format("±{:.1f}% (inside) | ok |", (*rep.time_detail[0].placement_band - 1) * 100)),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Instructions were not measured"), std::string::npos) << md;
  json cell = gate_verdicts_to_json(sections, ab_verdict_context(rep, ctx))["sections"][0]["cells"][0];
  EXPECT_DOUBLE_EQ(cell["placement_band"].get<double>(), *rep.time_detail[0].placement_band);
  EXPECT_TRUE(cell["inside_placement"].get<bool>());
  EXPECT_EQ(cell["n_pairs"], 8);
}

TEST(Ab, TooFewRoundsCanNeverFailOnTime) {
  RunResults r = two_sided({"w"});
  add_rounds(r, "w", 3, [](int) { return 0.5; });  // halved, but 3 pairs: p >= 1/4
  AbReport rep = evaluate_ab(r, kPairs, AbOptions{});
  EXPECT_FALSE(rep.time.cells[0].significant);
  EXPECT_TRUE(rep.passed());
  AbContext ctx;
  ctx.rounds = 3;
  std::string md = render_gate_markdown("Performance gate", ab_sections(rep, ctx), "");
  EXPECT_NE(md.find("With 3 rounds no wall-time cell can be significant"), std::string::npos) << md;
  EXPECT_NE(md.find("the wall-time gate cannot fail"), std::string::npos) << md;
}

TEST(Ab, InstructionGateUsesTheThreshold) {
  RunResults r = two_sided({"more", "little", "fewer"});
  r.instructions = {ins("baseline", "more", 61),     ins("base:baseline", "more", 60),    // +1.67 %
                    ins("baseline", "little", 60.3), ins("base:baseline", "little", 60),  // +0.5 %
                    ins("baseline", "fewer", 50),    ins("base:baseline", "fewer", 60)};
  AbOptions opt;
  opt.max_instructions_regression = 0.01;
  AbReport rep = evaluate_ab(r, kPairs, opt);
  ASSERT_TRUE(rep.instructions_measured);
  ASSERT_EQ(rep.instructions.cells.size(), 3u);
  EXPECT_TRUE(rep.instructions.cells[0].failed);
  EXPECT_NEAR(rep.instructions.cells[0].rel, 61.0 / 60, 1e-12);
  EXPECT_FALSE(rep.instructions.cells[1].failed);
  EXPECT_FALSE(rep.instructions.cells[2].failed);
  EXPECT_FALSE(rep.passed());
  // No samples: every time cell is missing, with a warning each.
  EXPECT_TRUE(rep.time.cells.empty());
  EXPECT_EQ(rep.time.warnings.size(), 3u);

  AbContext ctx;
  ctx.base_rev = "main";
  ctx.base_sha = "0123456789abcdef0123456789abcdef01234567";
  ctx.head_sha = "fedcba9876543210fedcba9876543210fedcba98";
  ctx.rounds = 10;
  ctx.layouts = 4;
  ctx.min_time = 0.1;
  ctx.seed = 5;
  ctx.harness = "build/bin/harness";
  std::vector<GateSection> sections = ab_sections(rep, ctx);
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].report, &rep.instructions);  // the exact metric first
  std::string md = render_gate_markdown("Performance gate", sections, ab_provenance(rep, ctx));
  EXPECT_EQ(md.rfind("## Performance gate: FAIL", 0), 0u) << md;  // the verdict first
  EXPECT_LT(md.find("### Instructions per malloc: FAIL"), md.find("### mallocs/sec: PASS")) << md;
  std::string rerun = ctx.rerun_command("baseline", "more");
  EXPECT_EQ(rerun,
            "build/bin/harness ab --base 0123456789abcdef0123456789abcdef01234567 --variants baseline --workloads "
            "more --rounds 10 --layouts 4 --min-time 0.1 --seed 5");
  EXPECT_NE(md.find("#### Failing cells (1)\n\n| allocator | workload | head ipm | base ipm | change | verdict |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| baseline | more | 61.000 | 60.000 | +1.67% | **FAIL** |"), std::string::npos) << md;
  EXPECT_NE(md.find("  " + rerun + "\n"), std::string::npos) << md;
  EXPECT_NE(md.find("> **Warning:** baseline/more: no round with both sides ok; not gated"), std::string::npos) << md;
  EXPECT_EQ(md.find("cannot fail"), std::string::npos) << md;  // 10 rounds: the wall-time gate can fail
  EXPECT_NE(ctx.rerun_command("all", "w").find("--variants all,all "), std::string::npos);  // not every variant
  std::string text = render_ab(rep, ctx, Style{true, 0});
  EXPECT_LT(text.find("Instructions per malloc"), text.find("mallocs/sec, head / base")) << text;
  EXPECT_NE(text.find("baseline/more (instructions): +1.67%"), std::string::npos) << text;
  json v = gate_verdicts_to_json(sections, ab_verdict_context(rep, ctx));
  EXPECT_FALSE(v["passed"].get<bool>());
  EXPECT_EQ(v["verdict"], "fail");
  EXPECT_EQ(v["base"]["sha"], ctx.base_sha);
  ASSERT_EQ(v["sections"].size(), 2u);
  EXPECT_EQ(v["sections"][0]["metric"], "instructions");
  EXPECT_EQ(v["sections"][0]["verdict"], "fail");
  EXPECT_EQ(v["sections"][0]["cells"][0]["workload"], "more");
  EXPECT_EQ(v["sections"][0]["cells"][0]["rerun"], rerun);
  EXPECT_FALSE(v["sections"][0]["cells"][1].contains("rerun"));  // only the failing cells
  EXPECT_EQ(v["sections"][1]["verdict"], "pass");
}

TEST(Ab, ThreadedWorkloadsHaveTheWiderInstructionThreshold) {
  RunResults r = two_sided({"st", "mt2", "mt4"});
  for (auto& w : r.workloads) w.threads = w.name == "st" ? 1 : 2;
  r.instructions = {ins("baseline", "st", 102),  ins("base:baseline", "st", 100),    // +2 %: single-threaded fails
                    ins("baseline", "mt2", 102), ins("base:baseline", "mt2", 100),   // +2 %: threaded passes
                    ins("baseline", "mt4", 104), ins("base:baseline", "mt4", 100)};  // +4 %: threaded fails
  AbReport rep = evaluate_ab(r, kPairs, AbOptions{});
  ASSERT_EQ(rep.instructions.cells.size(), 3u);
  EXPECT_TRUE(rep.instructions.cells[0].failed);
  EXPECT_FALSE(rep.instructions.cells[1].failed);
  EXPECT_TRUE(rep.instructions.cells[2].failed);
}

TEST(Ab, NothingToCompareIsExitTwo) {
  RunResults r = two_sided({"w"});
  EXPECT_THROW(evaluate_ab(r, kPairs, AbOptions{}), HarnessError);
}

TEST(RevisionBuild, LibraryTarget) {
  EXPECT_EQ(library_target("/x/build/lib/liballoclab-baseline.so"), "alloclab-baseline");
  EXPECT_EQ(library_target("/x/lib/liballoclab-all-but-list_swap-layout3.so"), "alloclab-all-but-list_swap-layout3");
}

}  // namespace
}  // namespace alloclab::harness
