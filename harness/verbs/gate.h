// verbs/gate.h — `harness gate`: the CI regression gate (evaluation in analysis/gate.h; outputs
// in report/tables.h (text), report/gate_markdown.h (md), io/gate_verdict_json.h (--json)).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "analysis/gate.h"
#include "report/text_table.h"

namespace alloclab::harness {

enum class GateFormat { text, md };

struct GateArgs {
  // baseline_results "" = the committed instruction reference for --metric instructions
  // (default_instructions_reference()); required for mallocs_per_sec.
  std::string results, baseline_results;
  std::string max_regression;  // "5%" or "0.05"; parse_fraction
  GateOptions options;
  GateFormat format = GateFormat::text;
  std::string json_out;  // --json FILE: the machine-readable verdict ("" = none)
  Style style;
};

CLI::App* add_gate_verb(CLI::App& app, GateArgs& args);
int gate_verb(const GateArgs& args);

// "5%" -> 0.05, "0.05" -> 0.05, "5" -> 0.05. Throws HarnessError on anything else.
double parse_fraction(const std::string& text);

// The outputs' context: the two labels, and for every failing cell the command that re-runs and
// re-gates it (analysis/rerun_command.h) from the candidate's recorded conditions.
GateOutputContext gate_output_context(const GateReport& report, const RunResults& candidate, const GateOptions& opt,
                                      const std::string& candidate_label, const std::string& baseline_label);

// The committed instruction-count reference in the source tree (GateDefaults::kInstructionsReference).
std::string default_instructions_reference();

}  // namespace alloclab::harness
