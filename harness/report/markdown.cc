// report/markdown.cc — the ablation report's Markdown.
#include "report/markdown.h"

#include <fmt/format.h>

namespace alloclab::harness {
namespace {

std::string ratio_cell(const Effect& e) {
  if (e.n == 0) return "n/a";
  return fmt::format("{:.3f}× [{:.3f}, {:.3f}]{}", e.ratio, e.ci_low, e.ci_high, e.significant ? " **\\***" : "");
}

std::string pct(double ratio) { return fmt::format("{:+.1f}%", (ratio - 1) * 100); }

// "+4.2%\\*" for an effect with pairs (the star when significant), "–" without.
std::string effect_pct(const Effect* e) {
  return e && e->n ? pct(e->ratio) + (e->significant ? "\\*" : "") : std::string("–");
}

// Title, the run's facts, how to read it, notes, chart links.
std::string header_md(const RunResults& r, const AblationReport& rep,
                      const std::map<std::string, std::string>& svg_names) {
  std::string md;
  const json& c = r.context;
  md += "# alloclab ablation report\n\n";
  md += fmt::format("Commit `{}`, {} on {} ({} cores), {} round(s) per cell{}, seed {}, alpha {:g}.\n\n",
                    c.value("git_commit", std::string{"unknown"}), c.value("date_utc", std::string{"?"}),
                    c.value("cpu_model", std::string{"?"}), c.value("cores", 0), r.rounds_completed,
                    r.complete ? "" : " (**incomplete run**)", r.options.seed, r.options.alpha);
  md +=
      "How to read: ratios are candidate / reference mallocs per second, the median of per-round ratios "
      "(both measured in the same round), with a bootstrap confidence interval; **\\*** marks a "
      "significant difference (Wilcoxon signed-rank p < alpha and the CI excludes 1). Add-one = the "
      "optimization alone vs baseline; remove-one = `all` vs `all` without it — a factor whose add-one "
      "and remove-one disagree interacts with the others.\n\n";
  for (const auto& n : rep.notes) md += "> Note: " + n + "\n>\n";
  if (!rep.notes.empty()) md += "\n";
  for (const auto& [kind, file] : svg_names) md += fmt::format("![{}]({})\n", kind, file);
  if (!svg_names.empty()) md += "\n";

  return md;
}

// Add-one and remove-one of every factor per workload in one table ("" without factors).
std::string overview_md(const AblationReport& rep) {
  std::string md;
  if (rep.factors.empty()) return md;
  md += "## Contributions per workload\n\n| workload | ";
  for (const auto& f : rep.factors) md += f + " (add-one) | ";
  for (const auto& f : rep.factors) md += f + " (remove-one) | ";
  md += "all vs baseline |\n|---|";
  for (std::size_t i = 0; i < 2 * rep.factors.size() + 1; ++i) md += "---|";
  md += "\n";
  for (const auto& wa : rep.workloads) {
    md += "| " + wa.workload + " | ";
    auto find = [](const std::vector<Effect>& v, const std::string& f) -> const Effect* {
      for (const auto& e : v)
        if (e.label == f) return &e;
      return nullptr;
    };
    for (const auto& f : rep.factors) {
      const Effect* e = find(wa.add_one, f);
      md += effect_pct(e) + " | ";
    }
    for (const auto& f : rep.factors) {
      const Effect* e = find(wa.remove_one, f);
      md += effect_pct(e) + " | ";
    }
    md += effect_pct(wa.all_vs_baseline ? &*wa.all_vs_baseline : nullptr) + " |\n";
  }
  md += "\n";
  return md;
}

// One workload's section: its effect tables, memory cost and counters.
std::string workload_md(const RunResults& r, const AblationReport& rep, const WorkloadAblation& wa) {
  std::string md;
  md += "## " + wa.workload + "\n\n";
  if (const WorkloadSpec* w = r.find_workload(wa.workload); w && !w->description.empty()) md += w->description + "\n\n";
  auto table = [&](const std::string& title, const std::vector<Effect>& effects, bool with_pairs) {
    if (effects.empty()) return;
    md += "**" + title + "**\n\n| factor | compared | ratio [CI] | p | n |\n|---|---|---|---|---|\n";
    for (const auto& e : effects)
      md += fmt::format("| {} | {} | {} | {} | {} |\n", e.label,
                        with_pairs ? fmt::format("{} / {}", e.candidate, e.reference) : std::string("2^k contrast"),
                        ratio_cell(e), with_pairs ? fmt::format("{:.3g}", e.p_value) : std::string("–"), e.n);
    md += "\n";
  };
  table("Add-one (optimization alone vs " + rep.baseline_name + ")", wa.add_one, true);
  table("Remove-one (" + rep.all_name + " vs all-but-X)", wa.remove_one, true);
  if (wa.all_vs_baseline) table("All optimizations", {*wa.all_vs_baseline}, true);
  table("Main effects (full factorial, on log mallocs/sec)", wa.main_effects, false);
  table("Two-factor interactions (ratio > 1: the pair gains more together than apart)", wa.interactions, false);
  if (!wa.memory.empty()) {
    md +=
        "**Memory cost (peak RSS vs " + rep.baseline_name + ")**\n\n| variant | RSS ratio [CI] | n |\n|---|---|---|\n";
    for (const auto& e : wa.memory) md += fmt::format("| {} | {} | {} |\n", e.label, ratio_cell(e), e.n);
    md += "\n";
  }
  if (!wa.counters.empty()) {
    md += "**Internal counters that moved (per 1000 mallocs, median; variant alone vs " + rep.baseline_name +
          ")**\n\n| variant | counter | baseline | variant | change |\n|---|---|---|---|---|\n";
    for (const auto& [variant, shifts] : wa.counters)
      for (const auto& s : shifts)
        md += fmt::format(
            "| {} | {} | {:.2f} | {:.2f} | {} |\n", variant, s.counter, s.base_per_kmalloc, s.variant_per_kmalloc,
            s.base_per_kmalloc > 0 ? pct(s.variant_per_kmalloc / s.base_per_kmalloc) : std::string("new"));
    md += "\n";
  }
  return md;
}

}  // namespace

std::string render_report_md(const RunResults& r, const AblationReport& rep,
                             const std::map<std::string, std::string>& svg_names) {
  std::string md = header_md(r, rep, svg_names) + overview_md(rep);
  for (const auto& wa : rep.workloads) md += workload_md(r, rep, wa);
  return md;
}
}  // namespace alloclab::harness
