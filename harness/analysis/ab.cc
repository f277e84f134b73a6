// analysis/ab.cc — the head-vs-base gate over one run.
#include "analysis/ab.h"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "analysis/placement.h"
#include "analysis/summary.h"
#include "core/error.h"
#include "stats/stats.h"

namespace alloclab::harness {
namespace {

const InstructionCount* find_ins(const RunResults& r, const std::string& a, const std::string& w) {
  for (const auto& i : r.instructions)
    if (i.allocator == a && i.workload == w && i.status == Status::ok && i.instructions_per_malloc > 0) return &i;
  return nullptr;
}

void instruction_cells(const RunResults& r, const std::vector<AbPair>& pairs, const AbOptions& opt, AbReport& rep) {
  rep.instructions_measured = !r.instructions.empty();
  if (!rep.instructions_measured) return;
  for (const auto& p : pairs)
    for (const auto& w : r.workloads) {
      if (w.is_real()) continue;  // callgrind runs runner workloads only
      const InstructionCount *h = find_ins(r, p.head, w.name), *b = find_ins(r, p.base, w.name);
      if (!h || !b) {
        rep.instructions.warnings.push_back(
            fmt::format("{}/{}: no instruction count for {}; not gated", p.variant, w.name, !h ? "head" : "base"));
        continue;
      }
      GateCell c{p.variant, w.name};
      c.candidate = h->instructions_per_malloc;
      c.baseline = b->instructions_per_malloc;
      c.rel = c.ci_low = c.ci_high = c.candidate / c.baseline;
      c.p_value = c.q_value = 0;  // deterministic: the threshold alone decides
      c.significant = c.rel != 1;
      c.failed =
          c.rel > 1 + (w.threads > 1 ? opt.max_instructions_regression_threaded : opt.max_instructions_regression);
      rep.instructions.cells.push_back(c);
    }
}

}  // namespace

std::string AbContext::rerun_command(const std::string& variant, const std::string& workload) const {
  std::string cmd = fmt::format("{} ab --base {}", harness, base_sha);
  if (head_rev != "worktree") cmd += " --head " + head_sha;
  if (!repo.empty()) cmd += " --repo " + repo;
  return cmd + fmt::format(" --variants {} --workloads {} --rounds {} --layouts {} --min-time {:g} --seed {}",
                           variant == "all" ? "all,all" : variant,  // a lone `all` selects every variant
                           workload, rounds, layouts, min_time, seed);
}

AbReport evaluate_ab(const RunResults& r, const std::vector<AbPair>& pairs, const AbOptions& opt) {
  AbReport rep;
  instruction_cells(r, pairs, opt, rep);

  std::vector<FdrTest> tests;
  std::set<std::string> variants, workloads;
  for (const auto& p : pairs)
    for (const auto& w : r.workloads) {
      Paired pv = paired_values(r, p.head, p.base, w.name);
      if (pv.a.empty()) {
        rep.time.warnings.push_back(fmt::format("{}/{}: no round with both sides ok; not gated", p.variant, w.name));
        continue;
      }
      stats::RatioEstimate est = stats::paired_ratio(
          pv.a, pv.b, opt.alpha, comparison_seed(r.options.seed, p.head, p.base, w.name), opt.resamples);
      GateCell c{p.variant, w.name};
      c.candidate = stats::median(pv.a);
      c.baseline = stats::median(pv.b);
      c.rel = est.ratio;
      c.ci_low = est.ci_low;
      c.ci_high = est.ci_high;
      c.p_value = est.p_value;
      AbTimeDetail d;
      d.n_pairs = est.n_pairs;
      if (auto pl = pair_placement(pv)) {
        Placement hp{static_cast<int>(pl->layouts), pl->spread, pl->sd_log};
        d.placement_band = placement_band(hp);
        d.inside_placement = std::abs(std::log(c.rel)) <= std::log(*d.placement_band);
      }
      tests.push_back({c.p_value, c.ci_low > 1 || c.ci_high < 1});
      variants.insert(p.variant);
      workloads.insert(w.name);
      rep.time.cells.push_back(c);
      rep.time_detail.push_back(d);
    }
  if (rep.time.cells.empty() && rep.instructions.cells.empty())
    throw HarnessError("ab: no (variant, workload) cell has results on both sides; nothing to gate");
  rep.time.family =
      fdr_family("ab", fmt::format("{} variants × {} workloads", variants.size(), workloads.size()), tests, opt.alpha);
  for (std::size_t i = 0; i < rep.time.cells.size(); ++i) {
    GateCell& c = rep.time.cells[i];
    c.q_value = tests[i].q_value;
    c.significant = tests[i].significant;
    c.failed = c.significant && !rep.time_detail[i].inside_placement && c.ci_high < 1 - opt.max_regression;
  }
  return rep;
}

}  // namespace alloclab::harness
