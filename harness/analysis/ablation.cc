// analysis/ablation.cc — the ablation analysis: add-one, remove-one, 2^k effects, memory, counters.
#include "analysis/ablation.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "analysis/summary.h"
#include "stats/stats.h"

namespace alloclab::harness {
namespace {

// The family's variant with these factor bits (the families' bit strings can be alike: 11111
// is both `all` and `mimalloc:all`).
const AllocatorSpec* by_factors(const RunResults& r, const std::string& family, const std::string& bits) {
  for (const auto& a : r.allocators)
    if (a.kind == AllocatorKind::variant && a.factors == bits && variant_family(a) == family) return &a;
  return nullptr;
}

// The family's variant `base` is called ("baseline" in ours, "mimalloc:baseline" in mimalloc's).
const AllocatorSpec* by_name(const RunResults& r, const std::string& family, const std::string& base) {
  return r.find_allocator(family == kAlloclabFamily ? base : family + ":" + base);
}

// An estimate's ratio, CI, p and raw significance, into an effect (stats::RatioEstimate,
// stats::FactorialEffect).
template <typename Estimate>
void take_estimate(Effect& e, const Estimate& est) {
  e.ratio = est.ratio;
  e.ci_low = est.ci_low;
  e.ci_high = est.ci_high;
  e.p_value = est.p_value;
  e.significant = est.significant;
}

Effect paired_effect(const RunResults& r, const std::string& label, const std::string& cand, const std::string& ref,
                     const std::string& workload, int resamples) {
  Effect e;
  e.label = label;
  e.candidate = cand;
  e.reference = ref;
  Paired p = paired_values(r, cand, ref, workload);
  e.n = p.a.size();
  if (p.a.empty()) return e;
  take_estimate(e, stats::paired_ratio(p.a, p.b, r.options.alpha, comparison_seed(r.options.seed, cand, ref, workload),
                                       resamples));
  return e;
}

double sample_mallocs(const Sample& s) {
  return s.mallocs_per_sec * s.real_time_ns * 1e-9 * static_cast<double>(s.iterations);
}

// Median per-1000-malloc rate of every counter of a cell's ok samples with counters.
std::map<std::string, double> counter_rates(const RunResults& r, const std::string& a, const std::string& w) {
  std::map<std::string, std::vector<double>> rates;
  for (const auto& s : r.samples) {
    if (s.allocator != a || s.workload != w || s.status != Status::ok || !s.counters) continue;
    double m = sample_mallocs(s);
    if (m <= 0) continue;
    const json& c = *s.counters;
    const json* counters = c.contains("counters") && c["counters"].is_object() ? &c["counters"] : &c;
    for (const auto& [k, v] : counters->items())
      if (v.is_number()) rates[k].push_back(v.get<double>() / m * 1000);
  }
  std::map<std::string, double> out;
  for (auto& [k, v] : rates) out[k] = stats::median(v);
  return out;
}

// The (at most 4) counters whose per-1000-malloc rate moved most between `base` and `variant`.
std::vector<CounterShift> counter_shifts(const RunResults& r, const std::string& base, const std::string& variant,
                                         const std::string& w) {
  auto rb = counter_rates(r, base, w), rx = counter_rates(r, variant, w);
  std::vector<CounterShift> shifts;
  for (const auto& [name, vb] : rb)
    if (auto it = rx.find(name); it != rx.end() && (vb > 0 || it->second > 0)) shifts.push_back({name, vb, it->second});
  auto magnitude = [](const CounterShift& c) {
    return std::abs(std::log((c.variant_per_kmalloc + 1e-3) / (c.base_per_kmalloc + 1e-3)));
  };
  std::sort(shifts.begin(), shifts.end(),
            [&](const CounterShift& p, const CounterShift& q) { return magnitude(p) > magnitude(q); });
  if (shifts.size() > 4) shifts.resize(4);
  return shifts;
}

// Peak RSS of `variant` / `base`, paired by round (samples with a recorded RSS only).
Effect memory_effect(const RunResults& r, const std::string& variant, const std::string& base, const std::string& w,
                     int resamples) {
  Effect e;
  e.label = variant;
  e.candidate = variant;
  e.reference = base;
  std::map<int, double> rb, ra;
  for (const auto& s : r.samples)
    if (s.workload == w && s.status == Status::ok && s.peak_rss_kib > 0) {
      if (s.allocator == base) rb[s.round] = static_cast<double>(s.peak_rss_kib);
      if (s.allocator == variant) ra[s.round] = static_cast<double>(s.peak_rss_kib);
    }
  std::vector<double> va, vb;
  for (const auto& [round, v] : ra)
    if (rb.count(round)) {
      va.push_back(v);
      vb.push_back(rb[round]);
    }
  e.n = va.size();
  if (!e.n) return e;
  take_estimate(
      e, stats::paired_ratio(va, vb, r.options.alpha, comparison_seed(r.options.seed, variant, "rss", w), resamples));
  return e;
}

// Factorial effects for one workload (stats::factorial_effects on log mallocs/sec, bootstrap
// over whole rounds): rounds × combinations, NaN where a sample is missing or failed.
void factorial_effects(const RunResults& r, const AblationReport& rep, WorkloadAblation& wa,
                       const std::vector<const AllocatorSpec*>& combos, int resamples) {
  std::size_t n = combos.size();
  std::map<int, std::vector<double>> table;  // ascending rounds
  for (std::size_t v = 0; v < n; ++v)
    for (const auto& s : r.samples)
      if (s.allocator == combos[v]->name && s.workload == wa.workload && s.status == Status::ok) {
        auto& row = table[s.round];
        row.resize(n, std::nan(""));
        row[v] = s.mallocs_per_sec;
      }
  std::vector<std::vector<double>> rows;
  for (auto& [round, row] : table) rows.push_back(row);
  std::vector<std::string> bits;
  for (const auto* c : combos) bits.push_back(c->factors);
  stats::FactorialEffects fe = stats::factorial_effects(
      rows, bits, r.options.alpha, comparison_seed(r.options.seed, "factorial", "", wa.workload), resamples);
  auto effect = [&](const stats::FactorialEffect& f, std::string label) {
    Effect e;
    e.label = std::move(label);
    take_estimate(e, f);
    e.n = fe.n_rounds;
    return e;
  };
  for (const auto& f : fe.main_effects) wa.main_effects.push_back(effect(f, rep.factors[f.first]));
  for (const auto& f : fe.interactions)
    wa.interactions.push_back(effect(f, rep.factors[f.first] + " × " + rep.factors[f.second]));

  // The same contrasts on log(instructions per malloc), when every combination has a count:
  // two identical rows give the exact contrasts (the bootstrap is irrelevant).
  std::vector<double> ipm;
  for (const auto* c : combos)
    for (const auto& i : r.instructions)
      if (i.allocator == c->name && i.workload == wa.workload && i.status == Status::ok &&
          i.instructions_per_malloc > 0) {
        ipm.push_back(i.instructions_per_malloc);
        break;
      }
  if (ipm.size() != n || wa.main_effects.empty()) return;
  std::vector<std::vector<double>> two = {ipm, ipm};
  stats::FactorialEffects ie = stats::factorial_effects(two, bits, r.options.alpha, 1, 1);
  for (std::size_t i = 0; i < ie.main_effects.size() && i < wa.main_effects.size(); ++i)
    wa.main_effects[i].ins_ratio = ie.main_effects[i].ratio;
  for (std::size_t i = 0; i < ie.interactions.size() && i < wa.interactions.size(); ++i)
    wa.interactions[i].ins_ratio = ie.interactions[i].ratio;
}

const InstructionCount* find_ins(const RunResults& r, const std::string& a, const std::string& w) {
  for (const auto& i : r.instructions)
    if (i.allocator == a && i.workload == w && i.status == Status::ok && i.instructions_per_malloc > 0) return &i;
  return nullptr;
}

// Instructions beside a time effect and the two instruction flags (defaults.h: ReportDefaults).
void instruction_flags(const RunResults& r, const AblationOptions& opt, const std::string& w, Effect& e) {
  if (!e.candidate.empty()) {
    const InstructionCount *c = find_ins(r, e.candidate, w), *b = find_ins(r, e.reference, w);
    if (c && b) {
      e.ins_candidate = c->instructions_per_malloc;
      e.ins_reference = b->instructions_per_malloc;
      e.ins_ratio = c->instructions_per_malloc / b->instructions_per_malloc;
    }
  }
  if (!e.ins_ratio || e.n == 0) return;
  double change = std::abs(*e.ins_ratio - 1);
  e.placement_suspect = e.significant && change <= opt.suspect_max_ins_change;
  e.below_noise = !e.significant && change >= opt.below_noise_min_ins_change;
}

// The placement spread that applies and whether the effect is within it.
void placement_flag(const AblationOptions& opt, const std::string& run_reference, const std::string& w,
                    bool workload_wide, Effect& e) {
  e.placement = placement_for(opt.placements, e.candidate, e.reference, w, run_reference, workload_wide);
  if (e.placement && e.n && e.ratio > 0)
    e.below_spread = std::abs(std::log(e.ratio)) < std::log(placement_band(*e.placement));
}

// BH over one family of effects (those with pairs); the family's shape names its grid.
void correct_family(AblationReport& rep, const std::string& name, const std::string& rows,
                    std::vector<Effect> WorkloadAblation::*member) {
  std::vector<Effect*> effects;
  std::set<std::string> labels;
  std::size_t nw = 0;
  for (auto& wa : rep.workloads) {
    bool any = false;
    for (auto& e : wa.*member)
      if (e.n) {
        effects.push_back(&e);
        labels.insert(e.label);
        any = true;
      }
    nw += any;
  }
  if (effects.empty()) return;
  std::vector<FdrTest> tests;
  for (const Effect* e : effects) tests.push_back({e->p_value, e->ci_low > 1 || e->ci_high < 1});
  std::string shape = fmt::format("{} {} × {} workloads", labels.size(), rows, nw);
  TestFamily f = fdr_family(name, shape, tests, rep.alpha);
  for (std::size_t i = 0; i < effects.size(); ++i) {
    effects[i]->q_value = tests[i].q_value;
    effects[i]->raw_significant = tests[i].raw_significant;
    effects[i]->significant = tests[i].significant;
  }
  rep.families.push_back(f);
}

// Geometric mean over workloads of each variant's median per-round ratio to baseline.
std::vector<VariantScore> variant_scores(const RunResults& r, const std::string& family, const std::string& base) {
  std::vector<VariantScore> out;
  for (const auto& a : r.allocators) {
    if (a.kind != AllocatorKind::variant || a.name == base || variant_family(a) != family) continue;
    std::vector<double> medians;
    for (const auto& w : r.workloads) {
      Paired p = paired_values(r, a.name, base, w.name);
      std::vector<double> ratios;
      for (std::size_t i = 0; i < p.a.size(); ++i)
        if (p.a[i] > 0 && p.b[i] > 0) ratios.push_back(p.a[i] / p.b[i]);
      if (ratios.empty()) continue;
      medians.push_back(stats::median(ratios));
    }
    if (!medians.empty()) out.push_back({a.name, stats::geometric_mean(medians), medians.size()});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const VariantScore& x, const VariantScore& y) { return x.geomean > y.geomean; });
  return out;
}

}  // namespace

std::vector<std::string> family_factor_names(const RunResults& r, const std::string& family) {
  if (family == kAlloclabFamily) return r.factor_names;
  std::size_t k = 0;
  for (const auto& a : r.allocators)
    if (variant_family(a) == family && !a.factors.empty()) k = std::max(k, a.factors.size());
  std::vector<std::string> names(k);
  const std::string prefix = family + ":";
  for (const auto& a : r.allocators) {
    if (variant_family(a) != family || a.factors.size() != k ||
        std::count(a.factors.begin(), a.factors.end(), '1') != 1)
      continue;
    std::string name = a.name.substr(prefix.size());
    if (name != "all" && name != "baseline" && name.rfind("all-but-", 0) != 0) names[a.factors.find('1')] = name;
  }
  for (std::size_t j = 0; j < k; ++j)
    if (names[j].empty() && k == r.factor_names.size()) names[j] = r.factor_names[j];
  return names;
}

AblationReport build_ablation(const RunResults& r, int resamples) {
  AblationOptions opt;
  opt.resamples = resamples;
  return build_ablation(r, opt);
}

AblationReport build_ablation(const RunResults& r, const AblationOptions& opt) {
  const int resamples = opt.resamples;
  const std::string& family = opt.family;
  AblationReport rep;
  rep.family = family;
  rep.alpha = r.options.alpha;
  rep.factors = family_factor_names(r, family);
  std::size_t k = rep.factors.size();
  std::string zeros(k, '0'), ones(k, '1');
  const AllocatorSpec* base = k ? by_factors(r, family, zeros) : by_name(r, family, "baseline");
  const AllocatorSpec* all = k ? by_factors(r, family, ones) : by_name(r, family, "all");
  if (!base) base = by_name(r, family, "baseline");
  if (!all) all = by_name(r, family, "all");
  rep.baseline_name = base ? base->name : "";
  rep.all_name = all ? all->name : "";
  rep.reference_name = r.find_allocator(r.options.reference) ? r.options.reference : rep.baseline_name;
  if (!base)
    rep.notes.push_back(
        "no baseline variant (all factors off) in these results: add-one contributions and memory cost are omitted");
  if (!all) rep.notes.push_back("no `all` variant (all factors on): remove-one contributions are omitted");
  if (k == 0) rep.notes.push_back("the results name no factors (config.factors): factorial effects are omitted");

  // The full design: every bit pattern present among the variants.
  std::vector<const AllocatorSpec*> combos;
  if (k > 0 && k < 16) {
    for (std::size_t m = 0; m < (std::size_t{1} << k); ++m) {
      std::string bits;
      for (std::size_t j = 0; j < k; ++j) bits += (m >> (k - 1 - j)) & 1 ? '1' : '0';
      if (const AllocatorSpec* a = by_factors(r, family, bits)) combos.push_back(a);
    }
    rep.factorial = combos.size() == (std::size_t{1} << k);
    if (!rep.factorial)
      rep.notes.push_back(
          fmt::format("{} of the {} factor combinations ran: main effects and interactions need the "
                      "full factorial (`-DALLOCLAB_FACTORIAL=ON`, `harness run --variants factorial`)",
                      combos.size(), std::size_t{1} << k));
  }

  for (const auto& w : r.workloads) {
    WorkloadAblation wa;
    wa.workload = w.name;
    for (std::size_t j = 0; j < k; ++j) {
      std::string alone = zeros, but = ones;
      alone[j] = '1';
      but[j] = '0';
      const AllocatorSpec* x = by_factors(r, family, alone);
      const AllocatorSpec* y = by_factors(r, family, but);
      if (base && x) {
        wa.add_one.push_back(paired_effect(r, rep.factors[j], x->name, base->name, w.name, resamples));
        auto shifts = counter_shifts(r, base->name, x->name, w.name);
        if (!shifts.empty()) wa.counters[x->name] = shifts;
      }
      if (all && y) wa.remove_one.push_back(paired_effect(r, rep.factors[j], all->name, y->name, w.name, resamples));
    }
    if (base && all) wa.all_vs_baseline = paired_effect(r, "all", all->name, base->name, w.name, resamples);
    if (base)
      for (const auto& a : r.allocators)
        if (variant_family(a) == family && a.name != base->name)
          wa.memory.push_back(memory_effect(r, a.name, base->name, w.name, resamples));
    if (!rep.reference_name.empty() && family == kAlloclabFamily)
      for (const auto& a : r.allocators)
        if (a.kind == AllocatorKind::peer && a.name != rep.reference_name)
          wa.peers.push_back(paired_effect(r, a.name, a.name, rep.reference_name, w.name, resamples));
    if (rep.factorial) factorial_effects(r, rep, wa, combos, resamples);
    rep.workloads.push_back(std::move(wa));
  }

  // One family per kind of comparison, then what instructions and placement say.
  correct_family(rep, "add-one", "factors", &WorkloadAblation::add_one);
  correct_family(rep, "remove-one", "factors", &WorkloadAblation::remove_one);
  {
    std::vector<Effect*> alls;
    for (auto& wa : rep.workloads)
      if (wa.all_vs_baseline && wa.all_vs_baseline->n) alls.push_back(&*wa.all_vs_baseline);
    if (!alls.empty()) {
      std::vector<FdrTest> tests;
      for (const Effect* e : alls) tests.push_back({e->p_value, e->ci_low > 1 || e->ci_high < 1});
      rep.families.push_back(fdr_family(rep.all_name + " vs " + rep.baseline_name,
                                        fmt::format("{} workloads", alls.size()), tests, rep.alpha));
      for (std::size_t i = 0; i < alls.size(); ++i) {
        alls[i]->q_value = tests[i].q_value;
        alls[i]->raw_significant = tests[i].raw_significant;
        alls[i]->significant = tests[i].significant;
      }
    }
  }
  correct_family(rep, "main effects", "factors", &WorkloadAblation::main_effects);
  correct_family(rep, "interactions", "factor pairs", &WorkloadAblation::interactions);
  correct_family(rep, "peers vs " + rep.reference_name, "peers", &WorkloadAblation::peers);
  correct_family(rep, "memory", "variants", &WorkloadAblation::memory);

  rep.has_instructions = !r.instructions.empty();
  rep.has_placement = !opt.placements.empty();
  const std::string& run_ref = rep.reference_name;
  for (auto& wa : rep.workloads) {
    for (auto* list : {&wa.add_one, &wa.remove_one, &wa.peers})
      for (auto& e : *list) {
        instruction_flags(r, opt, wa.workload, e);
        placement_flag(opt, run_ref, wa.workload, false, e);
      }
    if (wa.all_vs_baseline) {
      instruction_flags(r, opt, wa.workload, *wa.all_vs_baseline);
      placement_flag(opt, run_ref, wa.workload, false, *wa.all_vs_baseline);
    }
    for (auto* list : {&wa.main_effects, &wa.interactions})
      for (auto& e : *list) {
        instruction_flags(r, opt, wa.workload, e);
        placement_flag(opt, run_ref, wa.workload, true, e);
      }
  }
  if (base) rep.variants = variant_scores(r, family, base->name);
  bool any_counters =
      std::any_of(r.samples.begin(), r.samples.end(), [](const Sample& s) { return s.counters.has_value(); });
  if (!any_counters)
    rep.notes.push_back(
        "no internal counters in these results: run with `harness run --stats` to see which allocator "
        "events explain each effect");
  return rep;
}

}  // namespace alloclab::harness
