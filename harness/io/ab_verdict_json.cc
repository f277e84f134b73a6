// io/ab_verdict_json.cc — `harness ab`'s JSON verdict.
#include "io/ab_verdict_json.h"

#include "io/atomic_file.h"

namespace alloclab::harness {

json ab_verdict_json(const AbReport& rep, const AbContext& ctx) {
  json j;
  j["tool"] = "alloclab-harness";
  j["verb"] = "ab";
  j["passed"] = rep.passed();
  j["complete"] = ctx.complete;
  j["base"] = {{"rev", ctx.base_rev}, {"sha", ctx.base_sha}};
  j["head"] = {{"rev", ctx.head_rev}, {"sha", ctx.head_sha}, {"dirty", ctx.head_dirty}};
  j["results"] = ctx.results_path;
  j["options"] = {{"alpha", ctx.options.alpha},
                  {"max_regression", ctx.options.max_regression},
                  {"max_instructions_regression", ctx.options.max_instructions_regression},
                  {"max_instructions_regression_threaded", ctx.options.max_instructions_regression_threaded},
                  {"rounds", ctx.rounds},
                  {"layouts", ctx.layouts},
                  {"min_time", ctx.min_time},
                  {"seed", ctx.seed}};
  json failing = json::array();
  json ins = json::array();
  for (const auto& c : rep.instructions.cells) {
    ins.push_back({{"variant", c.allocator},
                   {"workload", c.workload},
                   {"head_instructions_per_malloc", c.candidate},
                   {"base_instructions_per_malloc", c.baseline},
                   {"ratio", c.rel},
                   {"failed", c.failed}});
    if (c.failed)
      failing.push_back({{"variant", c.allocator},
                         {"workload", c.workload},
                         {"metric", "instructions_per_malloc"},
                         {"ratio", c.rel},
                         {"rerun", ctx.rerun_command(c.allocator, c.workload)}});
  }
  j["instructions"] = {
      {"measured", rep.instructions_measured}, {"cells", ins}, {"warnings", rep.instructions.warnings}};
  json time = json::array();
  for (std::size_t i = 0; i < rep.time.cells.size(); ++i) {
    const GateCell& c = rep.time.cells[i];
    const AbTimeDetail& d = rep.time_detail[i];
    time.push_back({{"variant", c.allocator},
                    {"workload", c.workload},
                    {"head_median_mallocs_per_sec", c.candidate},
                    {"base_median_mallocs_per_sec", c.baseline},
                    {"n_pairs", d.n_pairs},
                    {"ratio", c.rel},
                    {"ci_low", c.ci_low},
                    {"ci_high", c.ci_high},
                    {"p_value", c.p_value},
                    {"q_value", c.q_value},
                    {"significant", c.significant},
                    {"placement_band", d.placement_band ? json(*d.placement_band) : json(nullptr)},
                    {"inside_placement", d.inside_placement},
                    {"failed", c.failed}});
    if (c.failed)
      failing.push_back({{"variant", c.allocator},
                         {"workload", c.workload},
                         {"metric", "mallocs_per_sec"},
                         {"ratio", c.rel},
                         {"ci_low", c.ci_low},
                         {"ci_high", c.ci_high},
                         {"q_value", c.q_value},
                         {"rerun", ctx.rerun_command(c.allocator, c.workload)}});
  }
  const TestFamily& f = rep.time.family;
  j["time"] = {{"family", {{"name", f.name}, {"shape", f.shape}, {"m", f.m}, {"raw", f.raw}, {"fdr", f.fdr}}},
               {"cells", time},
               {"warnings", rep.time.warnings}};
  j["failing"] = failing;
  return j;
}

void write_ab_verdict(const std::string& path, const AbReport& rep, const AbContext& ctx) {
  write_file_atomically(path, ab_verdict_json(rep, ctx).dump(1) + "\n");
}

}  // namespace alloclab::harness
