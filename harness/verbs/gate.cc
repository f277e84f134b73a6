// verbs/gate.cc — the `gate` verb.
#include "verbs/gate.h"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "analysis/rerun_command.h"
#include "core/error.h"
#include "io/gate_verdict_json.h"
#include "io/results_json.h"
#include "report/gate_markdown.h"
#include "report/tables.h"
#include "verbs/flags.h"

#ifndef ALLOCLAB_SOURCE_DIR
#define ALLOCLAB_SOURCE_DIR "."
#endif

namespace alloclab::harness {

double parse_fraction(const std::string& text) {
  std::string t = text;
  bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(t, &used);
    if (used != t.size()) throw std::invalid_argument(t);
  } catch (const std::exception&) {
    throw HarnessError(fmt::format("--max-regression {}: expected a percentage like 5% or a fraction like 0.05", text));
  }
  if (percent || v >= 1) v /= 100;
  if (v < 0 || v >= 1) throw HarnessError(fmt::format("--max-regression {}: must be between 0% and 100%", text));
  return v;
}

std::string default_instructions_reference() {
  return std::string(ALLOCLAB_SOURCE_DIR) + "/" + GateDefaults::kInstructionsReference;
}

GateOutputContext gate_output_context(const GateReport& rep, const RunResults& cand, const GateOptions& opt,
                                      const std::string& candidate_label, const std::string& baseline_label) {
  GateOutputContext ctx;
  ctx.candidate = candidate_label;
  ctx.baseline = baseline_label;
  for (const auto& c : rep.cells)
    if (c.failed)
      ctx.rerun[c.allocator + "/" + c.workload] =
          rerun_cell_command(cand, c.allocator, c.workload, opt, baseline_label);
  return ctx;
}

CLI::App* add_gate_verb(CLI::App& app, GateArgs& a) {
  auto* gate = app.add_subcommand("gate",
                                  "CI regression gate: each allocator's ratio to a reference measured in the "
                                  "same run, against the same ratio in a baseline results file");
  GateOptions& o = a.options;
  a.max_regression = fmt::format("{:g}%", GateDefaults::kMaxRegression * 100);
  gate->add_option("--results", a.results, "Candidate results file")->required();
  gate->add_option("--baseline-results,--baseline", a.baseline_results,
                   fmt::format("Reference results file (e.g. from main, on this machine); required for "
                               "mallocs_per_sec, default for --metric instructions: {}",
                               default_instructions_reference()));
  gate->add_option("--max-regression", a.max_regression, "Allowed slowdown, e.g. 5% or 0.05")->capture_default_str();
  gate->add_option("--reference", o.reference, "Allocator the ratios are relative to")->capture_default_str();
  gate->add_option("--allocator", o.allocators,
                   "all (every variant / custom allocator of the reference file but the reference; peers only by "
                   "name) | NAME,...")
      ->capture_default_str();
  gate->add_option("--workloads", o.workloads, "all (the reference file's) | NAME,...")->capture_default_str();
  add_alpha_flag(*gate, o.alpha, "1 - confidence level of the CI");
  add_enum_option(*gate, "--metric", o.metric, "mallocs_per_sec, or instructions (callgrind counts)",
                  {{"mallocs_per_sec", Metric::mallocs_per_sec}, {"instructions", Metric::instructions}});
  gate->add_flag("--allow-mismatch", o.allow_mismatch,
                 "Gate even when the files were measured under different conditions (CPU, compiler, rounds, "
                 "min-time, ...; listed with a warning) instead of refusing (exit 2)");
  gate->add_flag("--allow-incomplete", o.allow_incomplete,
                 "Gate a file with \"complete\": false (an interrupted run) instead of refusing (exit 2)");
  gate->add_flag("--allow-missing", o.allow_missing,
                 "Reference cells that cannot be gated (missing from the candidate, failed, no count) are listed "
                 "but do not fail the gate");
  add_enum_option(*gate, "--format", a.format, "text, or md (a pull-request comment / CI job summary)",
                  {{"text", GateFormat::text}, {"md", GateFormat::md}});
  gate->add_option("--json", a.json_out, "Also write the machine-readable verdict to FILE (atomically)");
  add_style_flag(*gate, a.style);
  return gate;
}

int gate_verb(const GateArgs& a) {
  GateOptions opt = a.options;
  opt.max_regression = parse_fraction(a.max_regression);
  GateOutputContext ctx;
  ctx.candidate = a.results;
  ctx.baseline = a.baseline_results;
  GateReport rep;
  RunResults cand;
  try {
    if (ctx.baseline.empty()) {
      // A committed timing reference would be valid only on the machine and under the conditions it
      // was recorded with (and refused everywhere else); instruction counts hold on any machine.
      if (opt.metric != Metric::instructions)
        throw HarnessError(
            "--baseline-results FILE is required for --metric mallocs_per_sec: record a reference on this machine "
            "under the candidate's conditions (e.g. `harness run ...` on main); only --metric instructions has a "
            "committed default");
      ctx.baseline = default_instructions_reference();
    }
    cand = load_results(a.results);
    RunResults base = load_results(ctx.baseline);
    rep = evaluate_gate(cand, base, opt);
  } catch (const HarnessError& e) {
    // CI reads the verdict file even when nothing could be gated.
    if (!a.json_out.empty()) {
      GateReport err;
      err.refusals = {e.what()};
      write_gate_verdict(a.json_out, err, opt, ctx);
    }
    throw;
  }
  ctx = gate_output_context(rep, cand, opt, ctx.candidate, ctx.baseline);

  for (const auto& w : rep.warnings) std::fprintf(stderr, "harness: WARNING: %s\n", w.c_str());
  for (const auto& r : rep.refusals) std::fprintf(stderr, "harness: gate refused: %s\n", r.c_str());
  std::string out =
      a.format == GateFormat::md ? render_gate_markdown(rep, opt, ctx) : render_gate(rep, opt, a.style, &ctx);
  std::fputs(out.c_str(), stdout);
  if (!a.json_out.empty()) write_gate_verdict(a.json_out, rep, opt, ctx);
  return rep.exit_code();
}

}  // namespace alloclab::harness
