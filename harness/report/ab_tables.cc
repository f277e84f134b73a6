// report/ab_tables.cc — `harness ab`'s terminal tables.
#include "report/ab_tables.h"

#include <algorithm>

#include <fmt/format.h>

namespace alloclab::harness {
namespace {

std::size_t failed(const GateReport& g) {
  return static_cast<std::size_t>(
      std::count_if(g.cells.begin(), g.cells.end(), [](const GateCell& c) { return c.failed; }));
}

std::string pct(double rel) { return fmt::format("{:+.2f}%", (rel - 1) * 100); }

}  // namespace

std::string ab_verdict_line(const AbReport& rep, const AbContext& ctx) {
  std::size_t fi = failed(rep.instructions), ft = failed(rep.time);
  std::string ins = rep.instructions_measured
                        ? fmt::format("{} of {} instruction cells above +{:g}%", fi, rep.instructions.cells.size(),
                                      ctx.options.max_instructions_regression * 100)
                        : "instructions not measured";
  std::string time = fmt::format("{} of {} wall-time cells slower by more than {:g}%", ft, rep.time.cells.size(),
                                 ctx.options.max_regression * 100);
  return fmt::format("ab {}: {}; {} (head {} vs base {}){}", rep.passed() ? "passed" : "FAILED", ins, time,
                     ctx.head_rev == "worktree" ? "worktree" : ctx.head_sha.substr(0, 12), ctx.base_sha.substr(0, 12),
                     ctx.complete ? "" : " [INCOMPLETE: interrupted]");
}

std::string ab_provenance(const AbReport& rep, const AbContext& ctx) {
  std::string out = rep.instructions_measured ? "" : "Instructions were not measured (`--no-instructions`).\n\n";
  return out + fmt::format(
                   "Base {} and head {} were built from the same repository and measured in the same shuffled "
                   "rounds on this machine with the same runner (seed {}); results: `{}`{}.",
                   ctx.base_label(), ctx.head_label(), ctx.seed, ctx.results_path,
                   ctx.complete ? "" : " — **incomplete: interrupted**");
}

std::string render_ab(const AbReport& rep, const AbContext& ctx, const Style& style) {
  const bool plain = style.plain;
  std::string out;
  if (rep.instructions_measured) {
    out += fmt::format(
        "Instructions per malloc (callgrind, deterministic): head vs base, fails above +{:g}% (workloads with "
        "threads > 1: +{:g}%)\n",
        ctx.options.max_instructions_regression * 100, ctx.options.max_instructions_regression_threaded * 100);
    TextTable t({"variant", "workload", "head Ir/malloc", "base Ir/malloc", "change", "verdict"});
    for (const auto& c : rep.instructions.cells)
      t.add_row({c.allocator, c.workload, fmt::format("{:.2f}", c.candidate), fmt::format("{:.2f}", c.baseline),
                 pct(c.rel), c.failed ? "FAIL" : "ok"});
    out += t.render(plain);
    for (const auto& w : rep.instructions.warnings) out += "warning: " + w + "\n";
    out += "\n";
  }
  out += fmt::format(
      "mallocs/sec, head / base paired by round ({} rounds, {} layouts): fails when slower after BH, outside the "
      "placement band, and the CI's upper bound is below -{:g}%\n",
      ctx.rounds, ctx.layouts, ctx.options.max_regression * 100);
  TextTable t({"variant", "workload", "head M/s", "base M/s", "head/base [CI]", "p", "q", "placement", "verdict"});
  for (std::size_t i = 0; i < rep.time.cells.size(); ++i) {
    const GateCell& c = rep.time.cells[i];
    const AbTimeDetail& d = rep.time_detail[i];
    std::string band = d.placement_band ? fmt::format("±{:.1f}%{}", (*d.placement_band - 1) * 100,
                                                      d.inside_placement ? " (inside)" : "")
                                        : "n/a";
    t.add_row({c.allocator, c.workload, fmt::format("{:.2f}", c.candidate / 1e6),
               fmt::format("{:.2f}", c.baseline / 1e6), format_ratio(c.rel, c.ci_low, c.ci_high, c.significant, plain),
               fmt::format("{:.3g}", c.p_value), fmt::format("{:.3g}", c.q_value), band, c.failed ? "FAIL" : "ok"});
  }
  out += t.render(plain);
  for (const auto& w : rep.time.warnings) out += "warning: " + w + "\n";
  out += fmt::format(
      "Family {} (p: Wilcoxon signed-rank on the per-round head/base ratios); chance alone would mark about {:.1f} "
      "at p < {:g}: {} uncorrected, {} after BH. * = significant after BH.\n",
      rep.time.family.describe(), rep.time.family.expected_by_chance(), ctx.options.alpha, rep.time.family.raw,
      rep.time.family.fdr);
  if (ctx.rounds < 6)
    out += fmt::format(
        "note: with {} rounds no wall-time cell can be significant (an exact signed-rank test needs 6 pairs to reach "
        "p < 0.05); only the instruction gate can fail.\n",
        ctx.rounds);
  out += "\n" + ab_verdict_line(rep, ctx) + "\n";
  bool first = true;
  for (const GateReport* g : {&rep.instructions, &rep.time})
    for (const auto& c : g->cells) {
      if (!c.failed) continue;
      if (first) out += "failing cells:\n";
      first = false;
      out += fmt::format("  {}/{} ({}): {}\n    re-run: {}\n", c.allocator, c.workload,
                         g == &rep.instructions ? "instructions" : "mallocs/sec", pct(c.rel),
                         ctx.rerun_command(c.allocator, c.workload));
    }
  out += fmt::format("results: {}\n", ctx.results_path);
  return out;
}

}  // namespace alloclab::harness
