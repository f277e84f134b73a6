// report/fidelity_md.cc — the fidelity section's Markdown.
#include "report/fidelity_md.h"

#include <fmt/format.h>

#include "report/effect_cells.h"

namespace alloclab::harness {
namespace {

// "95.00 / 100.00" (candidate / reference), "–" without counts.
std::string ins_cell(const Effect& e) {
  if (!e.ins_candidate || !e.ins_reference) return "–";
  return fmt::format("{:.2f} / {:.2f}", *e.ins_candidate, *e.ins_reference);
}

std::string how_to_read(const FidelityReport& f, double alpha) {
  return fmt::format(
      "The same optimizations in our replica (alloclab: `baseline`, `<factor>`, `all`, `all-but-<factor>`) and in "
      "real {0} with the same changes as patches (`{0}:baseline`, …), matched by factor name. Add-one is X alone "
      "vs baseline, remove-one is all vs all-but-X, each within its own family (ratio of mallocs per second, "
      "paired by round, with its bootstrap CI). Each family has its own Benjamini-Hochberg families, so the {0} "
      "builds change none of alloclab's q-values. A side **counts** (✔) when it is significant after its family's "
      "BH (q ≤ {1:g} and the CI excludes 1), not a placement suspect (time moved, instructions identical) and not "
      "inside the placement band; † = significant after BH but not counted, · = p < {1:g} uncorrected only. The "
      "{0} builds have no layout copies, so their own band cannot be measured: a {0} effect is held to the band "
      "of alloclab's same comparison on the same workload. Instructions per malloc (callgrind) are candidate / "
      "reference.\n\n"
      "**Agree**: both sides count in the same direction (same direction), or neither counts (both null). "
      "**Disagree**: both count in opposite directions (opposite), or only one side counts (one-sided: "
      "alloclab-only or {0}-only gain or loss). A workload agrees on an optimization when its add-one and "
      "remove-one both agree; it is opposite when either is opposite, else one-sided.\n\n",
      f.family, alpha);
}

std::string families_md(const FidelityReport& f) {
  if (f.families.empty()) return "";
  std::string md =
      "| family | tests | expected by chance (m·α) | significant uncorrected | after BH |\n"
      "|---|---|---|---|---|\n";
  for (const auto& t : f.families)
    md += fmt::format("| {} | {} | {:.1f} | {} | {} |\n", t.describe(), t.m, t.expected_by_chance(), t.raw, t.fdr);
  return md + "\n";
}

std::string factor_table(const FidelityReport& f, const std::string& factor) {
  std::string md = "### " + f.family + " fidelity: " + factor + "\n\n";
  md += fmt::format(
      "| workload | effect | alloclab ratio [CI] | alloclab instructions/malloc | {0} ratio [CI] | {0} "
      "instructions/malloc | agreement |\n|---|---|---|---|---|---|---|\n",
      f.family);
  for (const auto& c : f.cells) {
    if (c.factor != factor) continue;
    for (const auto& k : c.comparisons)
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", c.workload, k.kind, effect_ratio_cell(k.ours),
                        ins_cell(k.ours), effect_ratio_cell(k.theirs), ins_cell(k.theirs), to_string(k.agreement));
  }
  return md + "\n";
}

}  // namespace

std::string render_fidelity_md(const FidelityReport& f, double alpha) {
  std::string md = "## Fidelity: alloclab vs " + f.family + "\n\n" + how_to_read(f, alpha);
  if (f.factors.empty()) md += "No optimization ran in both families: nothing to compare.\n\n";
  for (const auto& s : f.per_factor) md += "- " + s.summary + "\n";
  if (!f.per_factor.empty()) md += "\n";
  md += families_md(f);
  for (const auto& n : f.notes) md += "> Note: " + n + "\n>\n";
  if (!f.notes.empty()) md += "\n";
  for (const auto& factor : f.factors) md += factor_table(f, factor);
  return md;
}

}  // namespace alloclab::harness
