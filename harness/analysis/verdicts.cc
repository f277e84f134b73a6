// analysis/verdicts.cc — the verdict rules of analysis/verdicts.h and the plain summary.
#include "analysis/verdicts.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace alloclab::harness {

std::string to_string(VerdictKind k) {
  switch (k) {
    case VerdictKind::helps: return "helps";
    case VerdictKind::no_effect: return "no effect";
    case VerdictKind::hurts: return "hurts";
    case VerdictKind::mixed: return "mixed";
    case VerdictKind::interacts: return "interacts";
  }
  return "?";
}

namespace {

const Effect* find_label(const std::vector<Effect>& v, const std::string& label) {
  for (const auto& e : v)
    if (e.label == label) return &e;
  return nullptr;
}

std::string pct(double ratio) { return fmt::format("{:+.1f}%", (ratio - 1) * 100); }

}  // namespace

std::vector<Verdict> factor_verdicts(const AblationReport& rep) {
  std::vector<Verdict> out;
  for (const auto& f : rep.factors) {
    Verdict v;
    v.factor = f;
    std::set<std::string> gain_w, loss_w;
    for (const auto& wa : rep.workloads) {
      std::vector<std::pair<const Effect*, std::string>> looked = {{find_label(wa.add_one, f), "add-one"},
                                                                   {find_label(wa.remove_one, f), "remove-one"},
                                                                   {find_label(wa.main_effects, f), "main effect"}};
      int up = 0, down = 0;
      for (const auto& [e, source] : looked) {
        if (!e) continue;
        if (e->significant && !e->counted()) ++v.discounted;
        if (!e->counted()) continue;
        Evidence ev{wa.workload, source, e->ratio};
        if (e->ratio > 1) {
          v.gains.push_back(ev);
          ++up;
        } else {
          v.losses.push_back(ev);
          ++down;
        }
      }
      if (up && down) v.conflicts.push_back(wa.workload);
      if (up) gain_w.insert(wa.workload);
      if (down) loss_w.insert(wa.workload);
      for (const auto& e : wa.interactions) {
        static const std::string sep = " × ";  // "×" is two bytes in UTF-8
        auto x = e.label.find(sep);
        if (x == std::string::npos) continue;
        std::string a = e.label.substr(0, x), b = e.label.substr(x + sep.size());
        if ((a == f || b == f) && e.counted())
          v.conflicts.push_back(fmt::format("{} with {} {:.3f}×", wa.workload, a == f ? b : a, e.ratio));
      }
    }
    if (!v.conflicts.empty())
      v.kind = VerdictKind::interacts;
    else if (!gain_w.empty() && !loss_w.empty())
      v.kind = VerdictKind::mixed;
    else if (!gain_w.empty())
      v.kind = VerdictKind::helps;
    else if (!loss_w.empty())
      v.kind = VerdictKind::hurts;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::string> plain_summary(const AblationReport& rep, const std::vector<Verdict>& verdicts) {
  std::vector<std::string> lines;
  // 1. Best variant.
  if (!rep.variants.empty()) {
    const VariantScore& b = rep.variants.front();
    std::string counted;
    if (b.variant == rep.all_name) {
      std::size_t up = 0, down = 0;
      for (const auto& wa : rep.workloads)
        if (wa.all_vs_baseline && wa.all_vs_baseline->counted()) (wa.all_vs_baseline->ratio > 1 ? up : down)++;
      counted =
          fmt::format("; against {} it counts faster on {} and slower on {} workloads", rep.baseline_name, up, down);
    }
    lines.push_back(fmt::format(
        "Best variant: **{}**, {:.3f}× {} (geometric mean of its per-workload median ratios over {} workloads; a "
        "ranking, not a test{}).",
        b.variant, b.geomean, rep.baseline_name, b.workloads, counted));
  } else {
    lines.push_back("Best variant: no variant could be compared with a baseline.");
  }
  // 2. What each counted effect is.
  std::string effects;
  for (const auto& v : verdicts) {
    if (!effects.empty()) effects += "; ";
    effects += fmt::format("{} {}", v.factor, to_string(v.kind));
    std::vector<std::string> bits;
    for (const auto& g : v.gains) bits.push_back(fmt::format("{} {}", g.workload, pct(g.ratio)));
    for (const auto& l : v.losses) bits.push_back(fmt::format("{} {}", l.workload, pct(l.ratio)));
    std::sort(bits.begin(), bits.end());
    bits.erase(std::unique(bits.begin(), bits.end()), bits.end());
    if (!bits.empty()) {
      effects += " (";
      for (std::size_t i = 0; i < bits.size() && i < 3; ++i) effects += (i ? ", " : "") + bits[i];
      if (bits.size() > 3) effects += fmt::format(", +{} more", bits.size() - 3);
      effects += ")";
    }
  }
  lines.push_back("Counted effects: " + (effects.empty() ? std::string("none (no factors)") : effects) + ".");
  // 3. Chance.
  std::size_t m = 0, raw = 0, fdr = 0;
  for (const auto& f : rep.families) {
    m += f.m;
    raw += f.raw;
    fdr += f.fdr;
  }
  lines.push_back(fmt::format(
      "Chance: {} tests at alpha = {:g} would mark about {:.1f} significant with no real difference; {} were "
      "significant uncorrected, {} after Benjamini-Hochberg within each family.",
      m, rep.alpha, static_cast<double>(m) * rep.alpha, raw, fdr));
  // 4. Placement.
  std::size_t suspects = 0, within = 0;
  double widest = 1;
  for (const auto& wa : rep.workloads)
    for (const auto* list : {&wa.add_one, &wa.remove_one, &wa.main_effects, &wa.peers})
      for (const auto& e : *list) {
        suspects += e.significant && e.placement_suspect;
        within += e.significant && e.below_spread;
        if (e.placement) widest = std::max(widest, placement_band(*e.placement));
      }
  std::string placement;
  if (rep.has_placement)
    placement = fmt::format(
        "Placement: layout copies moved ratios by up to {:.3f}× (two SDs of the between-copy variance component); {} "
        "significant effects are smaller than that and are not counted",
        widest, within);
  else
    placement =
        "Placement: this run had no layout copies (`harness run --layouts K`); byte-identical code moved by "
        "16–2752 B measured −12 % … +29 % on this machine class, so a time effect alone may be code placement";
  if (rep.has_instructions)
    placement += fmt::format(
        "; {} significant time effects have identical instruction counts (placement suspects, "
        "not counted).",
        suspects);
  else
    placement += "; no instruction counts (`harness run --callgrind`, or `harness report --instructions F`).";
  lines.push_back(placement);
  // 5. Memory.
  std::size_t changed_cells = 0, unchanged_w = 0;
  const Effect* largest = nullptr;
  std::string largest_w;
  for (const auto& wa : rep.workloads) {
    bool any = false;
    for (const auto& e : wa.memory)
      if (e.significant) {
        any = true;
        ++changed_cells;
        if (!largest || std::abs(std::log(e.ratio)) > std::abs(std::log(largest->ratio))) {
          largest = &e;
          largest_w = wa.workload;
        }
      }
    unchanged_w += !any;
  }
  if (largest)
    lines.push_back(fmt::format(
        "Memory: {} variant × workload cells changed peak RSS after FDR (largest: {} on {}, {:.3f}×); {} workloads "
        "unchanged.",
        changed_cells, largest->label, largest_w, largest->ratio, unchanged_w));
  else
    lines.push_back(
        fmt::format("Memory: no significant change of peak RSS after FDR ({} workloads).", rep.workloads.size()));
  return lines;
}

}  // namespace alloclab::harness
