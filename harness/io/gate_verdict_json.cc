// io/gate_verdict_json.cc — the gate's JSON verdict (see the header).
#include "io/gate_verdict_json.h"

#include "io/atomic_file.h"

namespace alloclab::harness {
namespace {

json ungated_json(const std::vector<UngatedCell>& cells) {
  json a = json::array();
  for (const auto& u : cells)
    a.push_back({{"allocator", u.allocator}, {"workload", u.workload}, {"why", u.why}, {"detail", u.detail}});
  return a;
}

json count_or_null(double v) { return v > 0 ? json(v) : json(nullptr); }

}  // namespace

json gate_verdict_to_json(const GateReport& rep, const GateOptions& opt, const GateOutputContext& ctx) {
  json j;
  j["schema"] = "alloclab-gate-verdict";
  j["schema_version"] = 1;
  j["title"] = ctx.title;
  j["verdict"] = std::string(to_string(rep.verdict()));
  j["exit_code"] = rep.exit_code();
  j["verdict_line"] = rep.verdict_line(opt);
  j["metric"] = std::string(to_string(opt.metric));
  j["candidate"] = ctx.candidate;
  j["baseline"] = ctx.baseline;
  j["options"] = {{"max_regression", opt.max_regression},
                  {"reference", opt.reference},
                  {"allocators", opt.allocators},
                  {"workloads", opt.workloads},
                  {"alpha", opt.alpha},
                  {"allow_mismatch", opt.allow_mismatch},
                  {"allow_incomplete", opt.allow_incomplete},
                  {"allow_missing", opt.allow_missing}};
  j["counts"] = {{"reference_cells", rep.reference_cells()},
                 {"gated", rep.cells.size()},
                 {"not_gated", rep.ungated.size()},
                 {"regressions", rep.regressions()},
                 {"candidate_only", rep.candidate_only.size()}};
  j["refusals"] = rep.refusals;
  j["warnings"] = rep.warnings;
  j["mismatch_allowed"] = rep.mismatch_allowed;
  j["mismatches"] = json::array();
  for (const auto& m : rep.mismatches)
    j["mismatches"].push_back({{"field", m.field}, {"candidate", m.candidate}, {"reference", m.reference}});
  if (opt.metric == Metric::mallocs_per_sec && rep.family.m > 0)
    j["family"] = {{"name", rep.family.name},   {"shape", rep.family.shape}, {"m", rep.family.m},
                   {"alpha", rep.family.alpha}, {"raw", rep.family.raw},     {"fdr", rep.family.fdr}};
  j["cells"] = json::array();
  for (const auto& c : rep.cells) {
    json cell = {{"allocator", c.allocator},     {"workload", c.workload}, {"candidate", c.candidate},
                 {"baseline", c.baseline},       {"rel", c.rel},           {"ci_low", c.ci_low},
                 {"ci_high", c.ci_high},         {"p", c.p_value},         {"q", c.q_value},
                 {"significant", c.significant}, {"failed", c.failed}};
    if (auto it = ctx.rerun.find(c.allocator + "/" + c.workload); it != ctx.rerun.end()) cell["rerun"] = it->second;
    if (auto it = ctx.cell_json.find(c.allocator + "/" + c.workload); it != ctx.cell_json.end())
      cell.update(it->second);
    j["cells"].push_back(cell);
  }
  j["ungated"] = ungated_json(rep.ungated);
  j["candidate_only"] = ungated_json(rep.candidate_only);
  j["instructions"] = json::array();
  for (const auto& d : rep.instruction_deltas) {
    json i = {{"allocator", d.allocator},
              {"workload", d.workload},
              {"candidate", count_or_null(d.candidate)},
              {"baseline", count_or_null(d.baseline)}};
    if (d.both()) i["change"] = d.change();
    j["instructions"].push_back(i);
  }
  return j;
}

json gate_verdicts_to_json(const std::vector<GateSection>& sections, const json& context) {
  json j = context;
  GateVerdict v = combined_verdict(sections);
  j["schema"] = "alloclab-gate-verdicts";
  j["schema_version"] = 1;
  j["verdict"] = std::string(to_string(v));
  j["passed"] = v == GateVerdict::pass;
  j["sections"] = json::array();
  for (const auto& s : sections) j["sections"].push_back(gate_verdict_to_json(*s.report, s.options, s.context));
  return j;
}

void write_gate_verdicts(const std::string& path, const std::vector<GateSection>& sections, const json& context) {
  ensure_parent_dir(path);
  write_file_atomically(path, gate_verdicts_to_json(sections, context).dump(1) + "\n");
}

void write_gate_verdict(const std::string& path, const GateReport& rep, const GateOptions& opt,
                        const GateOutputContext& ctx) {
  ensure_parent_dir(path);
  write_file_atomically(path, gate_verdict_to_json(rep, opt, ctx).dump(1) + "\n");
}

}  // namespace alloclab::harness
