// analysis/gate.cc — the regression gate.
#include "analysis/gate.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/compare.h"
#include "analysis/summary.h"
#include "core/error.h"
#include "run/allocators.h"

namespace alloclab::harness {
namespace {

// Per-round ratios allocator / reference of one workload.
std::vector<double> round_ratios(const RunResults& r, const std::string& a, const std::string& ref,
                                 const std::string& w) {
  Paired p = paired_values(r, a, ref, w);
  std::vector<double> out;
  for (std::size_t i = 0; i < p.a.size(); ++i)
    if (p.b[i] > 0) out.push_back(p.a[i] / p.b[i]);
  return out;
}

const InstructionCount* find_ins(const RunResults& r, const std::string& a, const std::string& w) {
  for (const auto& i : r.instructions)
    if (i.allocator == a && i.workload == w && i.status == Status::ok && i.instructions_per_malloc > 0) return &i;
  return nullptr;
}

}  // namespace

bool GateReport::passed() const {
  return std::none_of(cells.begin(), cells.end(), [](const GateCell& c) { return c.failed; });
}

GateReport evaluate_gate(const RunResults& cand, const RunResults& base, const GateOptions& opt) {
  GateReport rep;
  bool ins = opt.metric == Metric::instructions;
  if (ins && (cand.instructions.empty() || base.instructions.empty()))
    throw HarnessError(
        "--metric instructions: both files need an \"instructions\" section "
        "(from `harness callgrind` or `harness run --callgrind`)");
  if (!cand.find_allocator(opt.reference) || !base.find_allocator(opt.reference))
    throw HarnessError(
        fmt::format("the reference allocator {} must be in both files (pass --reference NAME)", opt.reference));
  std::vector<std::string> names;
  if (opt.allocators == "all") {
    // Peers are not gated by default: their ratio to the reference moves whenever the
    // reference itself gets faster or slower, which is not their regression.
    for (const auto& a : cand.allocators)
      if (a.name != opt.reference && a.kind != AllocatorKind::peer) names.push_back(a.name);
  } else {
    names = split_list(opt.allocators);
    for (const auto& n : names)
      if (!cand.find_allocator(n)) throw HarnessError(fmt::format("--allocator {}: not in the candidate results", n));
  }

  for (const auto& a : names) {
    if (!base.find_allocator(a)) {
      rep.warnings.push_back(fmt::format("{} is not in the baseline results; not gated", a));
      continue;
    }
    for (const auto& w : cand.workloads) {
      if (!base.find_workload(w.name)) continue;
      GateCell c{a, w.name};
      if (ins) {
        const auto *ca = find_ins(cand, a, w.name), *cr = find_ins(cand, opt.reference, w.name);
        const auto *ba = find_ins(base, a, w.name), *br = find_ins(base, opt.reference, w.name);
        if (!ca || !cr || !ba || !br) {
          rep.warnings.push_back(fmt::format("{}/{}: no instruction count on one side; not gated", a, w.name));
          continue;
        }
        c.candidate = ca->instructions_per_malloc / cr->instructions_per_malloc;
        c.baseline = ba->instructions_per_malloc / br->instructions_per_malloc;
        c.rel = c.ci_low = c.ci_high = c.candidate / c.baseline;
        c.failed = c.rel > 1 + opt.max_regression;
        c.p_value = c.q_value = 0;  // deterministic counts: no test, the threshold alone decides
        c.significant = c.rel != 1;
      } else {
        auto cr = round_ratios(cand, a, opt.reference, w.name);
        auto br = round_ratios(base, a, opt.reference, w.name);
        if (cr.empty() || br.empty()) {
          rep.warnings.push_back(fmt::format("{}/{}: no successful paired samples on one side; not gated", a, w.name));
          continue;
        }
        UnpairedComparison u =
            compare_unpaired(br, cr, opt.alpha, comparison_seed(cand.options.seed, a, "gate", w.name));
        c.candidate = u.median_b;
        c.baseline = u.median_a;
        c.rel = u.ratio;
        c.ci_low = u.ci_low;
        c.ci_high = u.ci_high;
        c.p_value = u.p_value;  // Mann-Whitney U, candidate vs baseline per-round ratios
      }
      rep.cells.push_back(c);
    }
  }
  if (!ins && !rep.cells.empty()) {
    // FDR over the gated cells: a cell fails only if significant after BH and beyond the threshold.
    std::vector<FdrTest> tests;
    std::set<std::string> al, wl;
    for (const auto& c : rep.cells) {
      tests.push_back({c.p_value, c.ci_low > 1 || c.ci_high < 1});
      al.insert(c.allocator);
      wl.insert(c.workload);
    }
    rep.family =
        fdr_family("gate", fmt::format("{} allocators × {} workloads", al.size(), wl.size()), tests, opt.alpha);
    for (std::size_t i = 0; i < rep.cells.size(); ++i) {
      GateCell& c = rep.cells[i];
      c.q_value = tests[i].q_value;
      c.significant = tests[i].significant;
      c.failed = c.significant && c.ci_high < 1 - opt.max_regression;
    }
  }
  if (rep.cells.empty())
    throw HarnessError(
        "gate: no (allocator, workload) cell could be compared between the two files; check that "
        "they measured the same allocators and workloads");
  return rep;
}

}  // namespace alloclab::harness
