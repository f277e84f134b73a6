// report/ab_markdown.cc — `harness ab`'s Markdown.
#include "report/ab_markdown.h"

#include <fmt/format.h>

#include "report/ab_tables.h"

namespace alloclab::harness {
namespace {

std::string pct(double rel) { return fmt::format("{:+.2f}%", (rel - 1) * 100); }
std::string ci(const GateCell& c) {
  return fmt::format("{:+.1f}% [{:+.1f}%, {:+.1f}%]", (c.rel - 1) * 100, (c.ci_low - 1) * 100, (c.ci_high - 1) * 100);
}

}  // namespace

std::string render_ab_markdown(const AbReport& rep, const AbContext& ctx) {
  std::string md = fmt::format("## Performance gate: {}\n\n", rep.passed() ? "passed ✅" : "FAILED ❌");
  md += "**" + ab_verdict_line(rep, ctx) + "**\n\n";

  std::string failing;
  for (const auto& c : rep.instructions.cells)
    if (c.failed)
      failing +=
          fmt::format("| {} | {} | instructions/malloc | {} ({:.2f} → {:.2f}) | `{}` |\n", c.allocator, c.workload,
                      pct(c.rel), c.baseline, c.candidate, ctx.rerun_command(c.allocator, c.workload));
  for (const auto& c : rep.time.cells)
    if (c.failed)
      failing += fmt::format("| {} | {} | mallocs/sec | {} (q = {:.3g}) | `{}` |\n", c.allocator, c.workload, ci(c),
                             c.q_value, ctx.rerun_command(c.allocator, c.workload));
  if (!failing.empty())
    md +=
        "### Failing cells\n\n| variant | workload | metric | head vs base | re-run this cell "
        "|\n|---|---|---|---|---|\n" +
        failing + "\n";

  if (rep.instructions_measured) {
    md += fmt::format(
        "### Instructions per malloc (callgrind, deterministic; fails above +{:g}%, workloads with threads > 1 above "
        "+{:g}%)\n\n",
        ctx.options.max_instructions_regression * 100, ctx.options.max_instructions_regression_threaded * 100);
    md += "| variant | workload | base | head | change | verdict |\n|---|---|---:|---:|---:|---|\n";
    for (const auto& c : rep.instructions.cells)
      md += fmt::format("| {} | {} | {:.2f} | {:.2f} | {} | {} |\n", c.allocator, c.workload, c.baseline, c.candidate,
                        pct(c.rel), c.failed ? "**FAIL**" : "ok");
    for (const auto& w : rep.instructions.warnings) md += "\n- warning: " + w;
    md += "\n";
  } else {
    md += "Instructions were not measured (`--no-instructions`).\n\n";
  }

  md += fmt::format(
      "### mallocs/sec, head / base paired by round\n\n{} rounds, {} layouts rotated; a cell fails when it is slower "
      "after Benjamini-Hochberg (q ≤ {:g}), outside the placement band, and the CI's upper bound is below −{:g}%.\n\n",
      ctx.rounds, ctx.layouts, ctx.options.alpha, ctx.options.max_regression * 100);
  md +=
      "| variant | workload | base M/s | head M/s | head/base [CI] | p | q | placement band | verdict |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (std::size_t i = 0; i < rep.time.cells.size(); ++i) {
    const GateCell& c = rep.time.cells[i];
    const AbTimeDetail& d = rep.time_detail[i];
    std::string band = d.placement_band ? fmt::format("±{:.1f}%{}", (*d.placement_band - 1) * 100,
                                                      d.inside_placement ? " (inside)" : "")
                                        : "n/a";
    md += fmt::format("| {} | {} | {:.2f} | {:.2f} | {}{} | {:.3g} | {:.3g} | {} | {} |\n", c.allocator, c.workload,
                      c.baseline / 1e6, c.candidate / 1e6, ci(c), c.significant ? " *" : "", c.p_value, c.q_value, band,
                      c.failed ? "**FAIL**" : "ok");
  }
  for (const auto& w : rep.time.warnings) md += "\n- warning: " + w;
  md += fmt::format(
      "\nFamily {}: {} significant uncorrected, {} after BH (chance alone: about {:.1f}). * = significant after "
      "BH.\n\n",
      rep.time.family.describe(), rep.time.family.raw, rep.time.family.fdr, rep.time.family.expected_by_chance());
  md += fmt::format(
      "Base {} and head {} were built from the same repository and measured in the same shuffled rounds on this "
      "machine with the same runner (seed {}); results: `{}`{}.\n",
      ctx.base_rev == ctx.base_sha ? ctx.base_sha.substr(0, 12)
                                   : ctx.base_rev + " (" + ctx.base_sha.substr(0, 12) + ")",
      ctx.head_rev == "worktree" ? "(the working tree" + std::string(ctx.head_dirty ? ", modified" : "") + " at " +
                                       ctx.head_sha.substr(0, 12) + ")"
                                 : ctx.head_sha.substr(0, 12),
      ctx.seed, ctx.results_path, ctx.complete ? "" : " — **incomplete: interrupted**");
  return md;
}

}  // namespace alloclab::harness
