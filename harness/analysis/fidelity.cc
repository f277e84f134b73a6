// analysis/fidelity.cc — our family's effects beside an external family's, and their agreement.
#include "analysis/fidelity.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace alloclab::harness {
namespace {

const Effect* find_effect(const std::vector<Effect>& v, const std::string& label) {
  for (const auto& e : v)
    if (e.label == label) return &e;
  return nullptr;
}

const WorkloadAblation* find_workload(const AblationReport& rep, const std::string& w) {
  for (const auto& wa : rep.workloads)
    if (wa.workload == w) return &wa;
  return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The external builds have one layout copy: their effect takes the band of our same
// comparison on the same workload (see fidelity.h).
void borrow_placement(const Effect& ours, Effect& theirs) {
  theirs.placement = ours.placement;
  theirs.below_spread = theirs.placement && theirs.n && theirs.ratio > 0 &&
                        std::abs(std::log(theirs.ratio)) < std::log(placement_band(*theirs.placement));
}

Agreement classify(const Effect& ours, const Effect& theirs) {
  if (!ours.n || !theirs.n) return Agreement::missing;
  int a = counted_direction(ours), b = counted_direction(theirs);
  if (a == 0 && b == 0) return Agreement::both_null;
  if (a == b) return Agreement::same_direction;
  return a && b ? Agreement::opposite : Agreement::one_sided;
}

// A workload's agreement from its comparisons': any opposite, else any one-sided, else agree.
Agreement combine(const std::vector<FidelityComparison>& cs) {
  bool any = false, same = false, one_sided = false;
  for (const auto& c : cs) {
    if (c.agreement == Agreement::missing) continue;
    any = true;
    if (c.agreement == Agreement::opposite) return Agreement::opposite;
    one_sided = one_sided || c.agreement == Agreement::one_sided;
    same = same || c.agreement == Agreement::same_direction;
  }
  if (!any) return Agreement::missing;
  if (one_sided) return Agreement::one_sided;
  return same ? Agreement::same_direction : Agreement::both_null;
}

std::string word(int direction) { return direction > 0 ? "faster" : "slower"; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// The factor's counts, lists and one-line summary.
FactorFidelity summarize_factor(const FidelityReport& f, const std::string& factor) {
  FactorFidelity s;
  s.factor = factor;
  for (const auto& c : f.cells) {
    if (c.factor != factor || c.agreement == Agreement::missing) continue;
    ++s.compared;
    if (agrees(c.agreement)) {
      ++s.agree;
      ++(c.agreement == Agreement::same_direction ? s.same_direction : s.both_null);
      continue;
    }
    // The comparisons behind the workload's class, e.g. "w1 (add-one, remove-one)"; for opposite
    // ones, which way each side went: "w1 (add-one: alloclab faster, mimalloc slower)".
    std::map<std::pair<std::vector<std::string>*, std::string>, std::vector<std::string>> kinds;
    for (const auto& k : c.comparisons) {
      if (k.agreement != c.agreement) continue;
      int a = counted_direction(k.ours), b = counted_direction(k.theirs);
      if (c.agreement == Agreement::opposite)
        kinds[{&s.opposite, fmt::format(": alloclab {}, {} {}", word(a), f.family, word(b))}].push_back(k.kind);
      else if (a)
        kinds[{a > 0 ? &s.ours_only_gain : &s.ours_only_loss, ""}].push_back(k.kind);
      else
        kinds[{b > 0 ? &s.theirs_only_gain : &s.theirs_only_loss, ""}].push_back(k.kind);
    }
    for (auto& [key, ks] : kinds) key.first->push_back(c.workload + " (" + join(ks) + key.second + ")");
  }
  s.summary = fmt::format("{}: agrees on {} of {} workloads ({} same direction, {} both null)", factor, s.agree,
                          s.compared, s.same_direction, s.both_null);
  auto part = [&](const std::vector<std::string>& v, const std::string& what) {
    if (!v.empty()) s.summary += "; " + what + " on " + join(v);
  };
  part(s.ours_only_gain, "alloclab-only gain");
  part(s.ours_only_loss, "alloclab-only loss");
  part(s.theirs_only_gain, f.family + "-only gain");
  part(s.theirs_only_loss, f.family + "-only loss");
  part(s.opposite, "opposite");
  s.summary += ".";
  return s;
}

}  // namespace

std::string to_string(Agreement a) {
  switch (a) {
    case Agreement::same_direction: return "agree (same direction)";
    case Agreement::both_null: return "agree (both null)";
    case Agreement::opposite: return "disagree (opposite)";
    case Agreement::one_sided: return "disagree (one-sided)";
    case Agreement::missing: return "n/a";
  }
  return "?";
}

int counted_direction(const Effect& e) {
  if (!e.n || !e.counted()) return 0;
  return e.ratio > 1 ? 1 : e.ratio < 1 ? -1 : 0;
}

std::vector<std::string> external_families(const RunResults& r) {
  std::set<std::string> out;
  for (const auto& a : r.allocators)
    if (std::string f = variant_family(a); !f.empty() && f != kAlloclabFamily) out.insert(f);
  return {out.begin(), out.end()};
}

std::optional<FidelityReport> build_fidelity(const RunResults& r, const AblationReport& ours,
                                             const AblationOptions& opt, const std::string& family) {
  if (!contains(external_families(r), family)) return std::nullopt;
  AblationOptions o = opt;
  o.family = family;
  o.placements.clear();  // its ratios' placement entries are our baseline's copies, not its own
  const AblationReport theirs = build_ablation(r, o);

  FidelityReport f;
  f.family = family;
  f.has_instructions = ours.has_instructions;
  for (const auto& k : ours.factors) (contains(theirs.factors, k) ? f.factors : f.ours_only).push_back(k);
  for (const auto& k : theirs.factors)
    if (!k.empty() && !contains(ours.factors, k)) f.theirs_only.push_back(k);
  for (const auto& fam : theirs.families)
    if (fam.name == "add-one" || fam.name == "remove-one") {
      TestFamily t = fam;
      t.name = family + " " + fam.name;
      f.families.push_back(t);
    }

  for (const auto& factor : f.factors)
    for (const auto& wa : ours.workloads) {
      const WorkloadAblation* tw = find_workload(theirs, wa.workload);
      FidelityCell cell;
      cell.factor = factor;
      cell.workload = wa.workload;
      for (auto [kind, member] :
           {std::pair{"add-one", &WorkloadAblation::add_one}, std::pair{"remove-one", &WorkloadAblation::remove_one}}) {
        const Effect* a = find_effect(wa.*member, factor);
        const Effect* b = tw ? find_effect(tw->*member, factor) : nullptr;
        if (!a && !b) continue;
        FidelityComparison c;
        c.kind = kind;
        if (a) c.ours = *a;
        if (b) c.theirs = *b;
        borrow_placement(c.ours, c.theirs);
        c.agreement = classify(c.ours, c.theirs);
        cell.comparisons.push_back(std::move(c));
      }
      cell.agreement = combine(cell.comparisons);
      f.cells.push_back(std::move(cell));
    }
  for (const auto& factor : f.factors) f.per_factor.push_back(summarize_factor(f, factor));

  if (opt.placements.empty())
    f.notes.push_back(
        "this run had no layout copies (`harness run --layouts K`): neither family's effects are "
        "placement-checked beyond the placement-suspect rule");
  else
    f.notes.push_back(fmt::format(
        "the {0}:* builds have one layout copy each, so their own placement band cannot be measured: a {0} effect "
        "is held to the band of our same comparison on the same workload",
        family));
  if (!f.has_instructions)
    f.notes.push_back(
        "no instruction counts in these results (`harness run --callgrind`): instructions per malloc "
        "and the placement-suspect rule are missing on both sides");
  if (!f.ours_only.empty()) f.notes.push_back(fmt::format("only alloclab has {}: not compared", join(f.ours_only)));
  if (!f.theirs_only.empty())
    f.notes.push_back(fmt::format("only {} has {}: not compared", family, join(f.theirs_only)));
  if (theirs.baseline_name.empty()) f.notes.push_back(family + " has no baseline build: no add-one effects");
  if (theirs.all_name.empty()) f.notes.push_back(family + " has no `all` build: no remove-one effects");
  return f;
}

}  // namespace alloclab::harness
