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

std::string AbContext::base_label() const {
  return base_rev == base_sha ? base_sha.substr(0, 12) : base_rev + " (" + base_sha.substr(0, 12) + ")";
}

std::string AbContext::head_label() const {
  if (head_rev != "worktree") return head_sha.substr(0, 12);
  return fmt::format("the working tree{} at {}", head_dirty ? ", modified," : "", head_sha.substr(0, 12));
}

std::vector<GateSection> ab_sections(const AbReport& rep, const AbContext& ctx) {
  std::vector<GateSection> out;
  auto section = [&](const GateReport& g, Metric metric, double max_regression, const std::string& title) {
    GateSection s;
    s.report = &g;
    s.options.metric = metric;
    s.options.max_regression = max_regression;
    s.options.reference = "base";
    s.options.allocators = "all";
    s.options.workloads = "all";
    s.options.alpha = ctx.options.alpha;
    s.context.title = title;
    s.context.candidate = "head " + ctx.head_label();
    s.context.baseline = "base " + ctx.base_label();
    for (const auto& c : g.cells)
      if (c.failed) s.context.rerun[c.allocator + "/" + c.workload] = ctx.rerun_command(c.allocator, c.workload);
    return s;
  };
  if (rep.instructions_measured) {
    GateSection s = section(rep.instructions, Metric::instructions, ctx.options.max_instructions_regression,
                            "Instructions per malloc");
    s.context.description = fmt::format(
        "Head against base, instructions per malloc (callgrind, deterministic): a cell fails when head / base is "
        "above +{:g}% (workloads with threads > 1: +{:g}%).",
        ctx.options.max_instructions_regression * 100, ctx.options.max_instructions_regression_threaded * 100);
    s.context.value_columns = {"head ipm", "base ipm"};
    out.push_back(std::move(s));
  }
  GateSection s = section(rep.time, Metric::mallocs_per_sec, ctx.options.max_regression, "mallocs/sec");
  s.context.description = fmt::format(
      "Head / base paired by round ({} rounds, {} layouts rotated; p: Wilcoxon signed-rank on the per-round "
      "ratios): a cell fails when it is slower after Benjamini-Hochberg (q ≤ {:g}), outside the placement band, "
      "and the CI's upper bound is below −{:g}%.",
      ctx.rounds, ctx.layouts, ctx.options.alpha, ctx.options.max_regression * 100);
  s.context.value_columns = {"head M/s", "base M/s"};
  s.context.value_scale = 1e-6;
  s.context.extra_column = "placement band";
  for (std::size_t i = 0; i < rep.time.cells.size() && i < rep.time_detail.size(); ++i) {
    const GateCell& c = rep.time.cells[i];
    const AbTimeDetail& d = rep.time_detail[i];
    std::string k = c.allocator + "/" + c.workload;
    s.context.extra_cells[k] = d.placement_band ? fmt::format("±{:.1f}%{}", (*d.placement_band - 1) * 100,
                                                              d.inside_placement ? " (inside)" : "")
                                                : "n/a";
    s.context.cell_json[k] = {{"n_pairs", d.n_pairs},
                              {"placement_band", d.placement_band ? json(*d.placement_band) : json(nullptr)},
                              {"inside_placement", d.inside_placement}};
  }
  if (ctx.rounds < 6)
    s.context.notes.push_back(fmt::format(
        "With {} rounds no wall-time cell can be significant (an exact signed-rank test needs 6 pairs to reach "
        "p < 0.05): the wall-time gate cannot fail; only the instruction gate can.",
        ctx.rounds));
  out.push_back(std::move(s));
  return out;
}

json ab_verdict_context(const AbReport& rep, const AbContext& ctx) {
  return {{"tool", "alloclab-harness"},
          {"verb", "ab"},
          {"complete", ctx.complete},
          {"base", {{"rev", ctx.base_rev}, {"sha", ctx.base_sha}}},
          {"head", {{"rev", ctx.head_rev}, {"sha", ctx.head_sha}, {"dirty", ctx.head_dirty}}},
          {"results", ctx.results_path},
          {"instructions_measured", rep.instructions_measured},
          {"options",
           {{"alpha", ctx.options.alpha},
            {"max_regression", ctx.options.max_regression},
            {"max_instructions_regression", ctx.options.max_instructions_regression},
            {"max_instructions_regression_threaded", ctx.options.max_instructions_regression_threaded},
            {"rounds", ctx.rounds},
            {"layouts", ctx.layouts},
            {"min_time", ctx.min_time},
            {"seed", ctx.seed}}}};
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
