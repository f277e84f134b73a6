// verbs/gate.cc — the `gate` verb.
#include "verbs/gate.h"

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "core/error.h"
#include "io/results_json.h"
#include "report/tables.h"
#include "verbs/flags.h"

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

CLI::App* add_gate_verb(CLI::App& app, GateArgs& a) {
  auto* gate = app.add_subcommand("gate",
                                  "CI regression gate: each allocator's ratio to a reference measured in the "
                                  "same run, against the same ratio in a baseline results file");
  GateOptions& o = a.options;
  a.max_regression = fmt::format("{:g}%", GateDefaults::kMaxRegression * 100);
  gate->add_option("--results", a.results, "Candidate results file")->required();
  gate->add_option("--baseline-results,--baseline", a.baseline_results, "Reference results file (e.g. from main)")
      ->required();
  gate->add_option("--max-regression", a.max_regression, "Allowed slowdown, e.g. 5% or 0.05")->capture_default_str();
  gate->add_option("--reference", o.reference, "Allocator the ratios are relative to")->capture_default_str();
  gate->add_option("--allocator", o.allocators,
                   "all (every variant / custom allocator but the reference; peers only by name) | NAME,...")
      ->capture_default_str();
  add_alpha_flag(*gate, o.alpha, "1 - confidence level of the CI");
  add_enum_option(*gate, "--metric", o.metric, "mallocs_per_sec, or instructions (callgrind counts)",
                  {{"mallocs_per_sec", Metric::mallocs_per_sec}, {"instructions", Metric::instructions}});
  add_style_flag(*gate, a.style);
  return gate;
}

int gate_verb(const GateArgs& a) {
  GateOptions opt = a.options;
  opt.max_regression = parse_fraction(a.max_regression);
  RunResults cand = load_results(a.results);
  RunResults base = load_results(a.baseline_results);
  GateReport rep = evaluate_gate(cand, base, opt);
  std::fputs(render_gate(rep, opt, a.style).c_str(), stdout);
  return rep.passed() ? kExitOk : kExitFailures;
}

}  // namespace alloclab::harness
