// report/markdown.cc — the ablation report's Markdown: verdicts and the plain summary first, the
// families of tests, the heat map of effects, the peers, memory (changed rows only), then one
// section per workload with every ratio, its p and q, instructions and placement flags.
#include "report/markdown.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/verdicts.h"
#include "report/effect_cells.h"
#include "report/fidelity_md.h"

namespace alloclab::harness {
namespace {

std::string pct(double ratio) { return fmt::format("{:+.1f}%", (ratio - 1) * 100); }

std::string mark(const Effect& e) { return effect_mark(e); }
std::string ratio_cell(const Effect& e) { return effect_ratio_cell(e); }

// "+4.2% ✔" for an effect with pairs, "–" without.
std::string effect_pct(const Effect* e) {
  if (!e || !e->n) return "–";
  std::string m = mark(*e);
  return pct(e->ratio) + (m.empty() ? "" : " " + m);
}

// What the instructions and the placement spread say about an effect ("" when nothing).
std::string flags(const Effect& e) {
  std::vector<std::string> f;
  if (e.placement_suspect) f.push_back("placement suspect: time moved, instructions identical");
  if (e.below_noise) f.push_back("below noise: instructions moved, time did not");
  if (e.below_spread && e.significant)
    f.push_back(fmt::format("smaller than the placement spread ({:.3f}×)", placement_band(*e.placement)));
  std::string out;
  for (const auto& s : f) out += (out.empty() ? "" : "; ") + s;
  return out;
}

std::string chart_line(const std::map<std::string, std::string>& svg, const std::string& kind, const std::string& alt) {
  auto it = svg.find(kind);
  if (it == svg.end()) return "";
  return fmt::format("![{}]({})\n\n", alt, it->second);
}

const Effect* find(const std::vector<Effect>& v, const std::string& f) {
  for (const auto& e : v)
    if (e.label == f) return &e;
  return nullptr;
}

std::string header_md(const RunResults& r) {
  std::string md;
  const json& c = r.context;
  md += "# alloclab ablation report\n\n";
  md += fmt::format("Commit `{}`, {} on {} ({} cores), {} round(s) per cell{}, seed {}, alpha {:g}.\n\n",
                    c.value("git_commit", std::string{"unknown"}), c.value("date_utc", std::string{"?"}),
                    c.value("cpu_model", std::string{"?"}), c.value("cores", 0), r.rounds_completed,
                    r.complete ? "" : " (**incomplete run**)", r.options.seed, r.options.alpha);
  return md;
}

std::string evidence_list(const std::vector<Evidence>& ev) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& e : ev) {
    if (shown == 4) {
      out += fmt::format(", +{} more", ev.size() - shown);
      break;
    }
    out += fmt::format("{}{} {:.3f}× ({})", shown ? ", " : "", e.workload, e.ratio, e.source);
    ++shown;
  }
  return out;
}

std::string verdicts_md(const AblationReport& rep, const std::vector<Verdict>& verdicts) {
  std::string md = "## Verdicts\n\n";
  if (verdicts.empty()) md += "No factors in these results: no verdicts.\n";
  for (const auto& v : verdicts) {
    md += fmt::format("- **{}** — {}", v.factor, to_string(v.kind));
    std::vector<std::string> parts;
    if (!v.conflicts.empty()) {
      std::string c = "disagree on ";
      for (std::size_t i = 0; i < v.conflicts.size(); ++i) c += (i ? ", " : "") + v.conflicts[i];
      parts.push_back(c);
    }
    if (!v.gains.empty()) parts.push_back("faster: " + evidence_list(v.gains));
    if (!v.losses.empty()) parts.push_back("slower: " + evidence_list(v.losses));
    if (v.discounted)
      parts.push_back(
          fmt::format("{} significant effect(s) not counted (placement suspect or within the placement "
                      "spread)",
                      v.discounted));
    for (std::size_t i = 0; i < parts.size(); ++i) md += (i ? "; " : ": ") + parts[i];
    md += ".\n";
  }
  md += fmt::format(
      "\nAn effect counts when it is significant after Benjamini-Hochberg within its family (q ≤ {:g} and the CI "
      "excludes 1) and is neither a placement suspect nor smaller than the placement spread; the effects looked "
      "at are add-one, remove-one{}.\n\n",
      rep.alpha, rep.factorial ? ", main effects and interactions" : "");
  return md;
}

std::string summary_md(const AblationReport& rep, const std::vector<Verdict>& verdicts) {
  std::string md = "## Summary\n\n";
  for (const auto& l : plain_summary(rep, verdicts)) md += "- " + l + "\n";
  return md + "\n";
}

std::string families_md(const AblationReport& rep) {
  std::string md = "## Tests and what chance alone would give\n\n";
  md +=
      "| family | tests | expected by chance (m·α) | significant uncorrected | after BH |\n"
      "|---|---|---|---|---|\n";
  for (const auto& f : rep.families)
    md += fmt::format("| {} | {} | {:.1f} | {} | {} |\n", f.describe(), f.m, f.expected_by_chance(), f.raw, f.fdr);
  md += fmt::format(
      "\nHow to read: a ratio is candidate / reference mallocs per second, the median of per-round ratios (both "
      "measured in the same round), with a bootstrap CI; p is the Wilcoxon signed-rank p (factorial effects: a "
      "bootstrap p), q the Benjamini-Hochberg q-value within the family. Marks: **✔** significant after BH "
      "(q ≤ {0:g} and the CI excludes 1) and counted; **†** significant after BH but a placement suspect (time "
      "moved, instructions identical) or smaller than the placement spread, not counted; **·** p < {0:g} "
      "uncorrected only, not counted.\n\n",
      rep.alpha);
  for (const auto& n : rep.notes) md += "> Note: " + n + "\n>\n";
  if (!rep.notes.empty()) md += "\n";
  return md;
}

// Add-one and remove-one of every factor per workload (main effects when the factorial ran).
std::string overview_md(const AblationReport& rep, const std::map<std::string, std::string>& svg) {
  std::string md;
  if (rep.factors.empty()) return md;
  md += "## Effects per workload and factor\n\n";
  md += chart_line(svg, "heatmap", "heat map of effects");
  md += fmt::format(
      "Heat map colour: {} (green faster, red slower); a black frame marks a cell that counts. The same numbers, "
      "and remove-one beside add-one:\n\n",
      rep.factorial ? "the factor's main effect" : "add-one, the factor alone vs " + rep.baseline_name);
  md += "| workload | ";
  if (rep.factorial)
    for (const auto& f : rep.factors) md += f + " (main) | ";
  for (const auto& f : rep.factors) md += f + " (add-one) | ";
  for (const auto& f : rep.factors) md += f + " (remove-one) | ";
  md += rep.all_name + " vs " + rep.baseline_name + " |\n|---|";
  for (std::size_t i = 0; i < (rep.factorial ? 3 : 2) * rep.factors.size() + 1; ++i) md += "---|";
  md += "\n";
  for (const auto& wa : rep.workloads) {
    md += "| " + wa.workload + " | ";
    if (rep.factorial)
      for (const auto& f : rep.factors) md += effect_pct(find(wa.main_effects, f)) + " | ";
    for (const auto& f : rep.factors) md += effect_pct(find(wa.add_one, f)) + " | ";
    for (const auto& f : rep.factors) md += effect_pct(find(wa.remove_one, f)) + " | ";
    md += effect_pct(wa.all_vs_baseline ? &*wa.all_vs_baseline : nullptr) + " |\n";
  }
  return md + "\n";
}

std::string peers_md(const AblationReport& rep) {
  std::vector<std::string> peers;
  for (const auto& wa : rep.workloads)
    for (const auto& e : wa.peers)
      if (std::find(peers.begin(), peers.end(), e.label) == peers.end()) peers.push_back(e.label);
  if (peers.empty()) return "";
  std::string md =
      fmt::format("## Peers vs {}\n\nPeer / {} mallocs per second (< 1: the peer is slower).\n\n| workload | ",
                  rep.reference_name, rep.reference_name);
  for (std::size_t i = 0; i < peers.size(); ++i) md += peers[i] + (i + 1 < peers.size() ? " | " : " |");
  md += "\n|---|";
  for (std::size_t i = 0; i < peers.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& wa : rep.workloads) {
    md += "| " + wa.workload + " |";
    for (const auto& p : peers) {
      const Effect* e = find(wa.peers, p);
      md += " " + (e && e->n ? fmt::format("{:.2f}×{}", e->ratio, mark(*e).empty() ? "" : " " + mark(*e)) : "–") + " |";
    }
    md += "\n";
  }
  return md + "\n";
}

std::string memory_md(const AblationReport& rep, const std::map<std::string, std::string>& svg) {
  bool any_memory = false;
  for (const auto& wa : rep.workloads) any_memory = any_memory || !wa.memory.empty();
  if (!any_memory) return "";
  std::string md = "## Memory (peak RSS vs " + rep.baseline_name + ")\n\n";
  std::vector<std::string> unchanged;
  std::string rows;
  for (const auto& wa : rep.workloads) {
    std::string changes;
    for (const auto& e : wa.memory)
      if (e.significant)
        changes += fmt::format("{}{} {:.3f}× [{:.3f}, {:.3f}] ({})", changes.empty() ? "" : "; ", e.label, e.ratio,
                               e.ci_low, e.ci_high, e.ratio < 1 ? "less" : "more");
    if (changes.empty())
      unchanged.push_back(wa.workload);
    else
      rows += "| " + wa.workload + " | " + changes + " |\n";
  }
  if (!rows.empty()) {
    md += chart_line(svg, "memory", "memory: significant changes of peak RSS");
    md += "Significant after BH only (< 1: less memory; the chart draws less memory in green, more in red).\n\n";
    md += "| workload | variants whose peak RSS changed |\n|---|---|\n" + rows + "\n";
  }
  if (!unchanged.empty()) {
    md += fmt::format("{} workloads unchanged (no variant's peak RSS changed significantly after BH): ",
                      unchanged.size());
    for (std::size_t i = 0; i < unchanged.size(); ++i) md += (i ? ", " : "") + unchanged[i];
    md += ".\n\n";
  }
  return md;
}

// One workload's callgrind counts with the simulated branch predictor and caches (`harness
// callgrind`, on by default): per malloc, every allocator, each with its ratio to the reference.
std::string mechanism_md(const RunResults& r, const std::string& reference, const std::string& workload) {
  auto find_count = [&r, &workload](const std::string& allocator) -> const InstructionCount* {
    for (const auto& i : r.instructions)
      if (i.allocator == allocator && i.workload == workload && i.status == Status::ok && i.mechanism) return &i;
    return nullptr;
  };
  auto cell = [](double v, double ref, const char* format) {
    std::string out = fmt::format(fmt::runtime(format), v);
    return ref > 0 ? out + fmt::format(" ({:.2f}×)", v / ref) : out;
  };
  const InstructionCount* ref = find_count(reference);
  std::string rows;
  for (const auto& a : r.allocators) {
    const InstructionCount* c = find_count(a.name);
    if (!c) continue;
    const MechanismCount& m = *c->mechanism;
    const MechanismCount* rm = ref ? &*ref->mechanism : nullptr;
    rows += fmt::format("| {} | {} | {} | {} | {} |\n", a.name,
                        cell(c->instructions_per_malloc, ref ? ref->instructions_per_malloc : 0, "{:.1f}"),
                        cell(c->per_malloc(m.mispredicts()), rm ? ref->per_malloc(rm->mispredicts()) : 0, "{:.3f}"),
                        cell(c->per_malloc(m.d1_misses()), rm ? ref->per_malloc(rm->d1_misses()) : 0, "{:.3f}"),
                        cell(c->per_malloc(m.ll_misses()), rm ? ref->per_malloc(rm->ll_misses()) : 0, "{:.4f}"));
  }
  if (rows.empty()) return "";
  std::string caches;
  for (const auto& i : r.instructions)
    if (i.workload == workload && i.mechanism && !i.mechanism->caches.empty()) caches = i.mechanism->caches;
  return "**Mechanism per malloc (callgrind; (ratio) vs " + reference +
         ")**\n\nmispred: conditional and indirect branches mispredicted; D1 miss: L1 data read and write misses; "
         "LL miss: last-level misses, data and instruction side. Valgrind's simulated branch predictor and caches" +
         (caches.empty() ? "" : " (" + caches + ")") +
         ", deterministic but not this CPU's.\n\n| allocator | instr/malloc | mispred/malloc | D1 miss/malloc | LL "
         "miss/malloc |\n|---|---|---|---|---|\n" +
         rows + "\n";
}

// One workload's section: its effect tables, the callgrind mechanism counts, memory cost and
// counters.
std::string workload_md(const RunResults& r, const AblationReport& rep, const WorkloadAblation& wa) {
  std::string md;
  md += "### " + wa.workload + "\n\n";
  if (const WorkloadSpec* w = r.find_workload(wa.workload); w && !w->description.empty()) md += w->description + "\n\n";
  const bool ins = rep.has_instructions;
  auto table = [&](const std::string& title, const std::vector<Effect>& effects, bool with_pairs) {
    if (effects.empty()) return;
    md += "**" + title + "**\n\n| factor | compared | ratio [CI] | p | q | n |";
    md += ins ? " instructions/malloc | ins ratio |" : "";
    md += " note |\n|---|---|---|---|---|---|";
    md += ins ? "---|---|" : "";
    md += "---|\n";
    for (const auto& e : effects) {
      md += fmt::format("| {} | {} | {} | {:.3g} | {:.3g} | {} |", e.label,
                        with_pairs ? fmt::format("{} / {}", e.candidate, e.reference) : std::string("2^k contrast"),
                        ratio_cell(e), e.p_value, e.q_value, e.n);
      if (ins) {
        std::string ipm = e.ins_candidate && e.ins_reference
                              ? fmt::format("{:.2f} / {:.2f}", *e.ins_candidate, *e.ins_reference)
                              : std::string("–");
        md += fmt::format(" {} | {} |", ipm, e.ins_ratio ? fmt::format("{:.4f}×", *e.ins_ratio) : std::string("–"));
      }
      md += " " + flags(e) + " |\n";
    }
    md += "\n";
  };
  table("Add-one (optimization alone vs " + rep.baseline_name + ")", wa.add_one, true);
  table("Remove-one (" + rep.all_name + " vs all-but-X)", wa.remove_one, true);
  if (wa.all_vs_baseline) table("All optimizations", {*wa.all_vs_baseline}, true);
  table("Main effects (full factorial, on log mallocs/sec)", wa.main_effects, false);
  table("Two-factor interactions (ratio > 1: the pair gains more together than apart)", wa.interactions, false);
  table("Peers vs " + rep.reference_name, wa.peers, true);
  md += mechanism_md(r, rep.reference_name.empty() ? r.options.reference : rep.reference_name, wa.workload);
  if (!wa.memory.empty()) {
    md += "**Memory cost (peak RSS vs " + rep.baseline_name +
          ")**\n\n| variant | RSS ratio [CI] | p | q | n |\n|---|---|---|---|---|\n";
    for (const auto& e : wa.memory)
      md += fmt::format("| {} | {} | {:.3g} | {:.3g} | {} |\n", e.label, ratio_cell(e), e.p_value, e.q_value, e.n);
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

// Where the SVG files are, for a report pasted somewhere its images do not follow.
std::string files_md(const std::map<std::string, std::string>& svg) {
  if (svg.empty())
    return "Charts: none in this output (`harness report FILE --out DIR/report.md` writes the SVG files beside "
           "it); every chart's numbers are in the tables.\n\n";
  std::string md = "Charts (SVG files beside this report; every chart's numbers are also in a table): ";
  std::size_t i = 0;
  for (const auto& [kind, file] : svg) md += fmt::format("{}`{}`", i++ ? ", " : "", file);
  return md + ".\n\n";
}

std::string forest_md(const std::map<std::string, std::string>& svg) {
  std::string md;
  for (const std::string kind : {"add_one", "remove_one", "main_effects"}) md += chart_line(svg, kind, kind);
  return md.empty() ? md : "## Forest plots (ratios with CIs; the tables above have the numbers)\n\n" + md;
}

}  // namespace

std::string render_report_md(const RunResults& r, const AblationReport& rep,
                             const std::map<std::string, std::string>& svg_names,
                             const std::vector<FidelityReport>& fidelity) {
  const std::vector<Verdict> verdicts = factor_verdicts(rep);
  std::string md = header_md(r) + verdicts_md(rep, verdicts) + summary_md(rep, verdicts) + files_md(svg_names) +
                   families_md(rep) + overview_md(rep, svg_names) + peers_md(rep) + memory_md(rep, svg_names);
  for (const auto& f : fidelity) md += render_fidelity_md(f, rep.alpha);
  md += "## Per workload\n\n";
  for (const auto& wa : rep.workloads) md += workload_md(r, rep, wa);
  md += forest_md(svg_names);
  return md;
}
}  // namespace alloclab::harness
