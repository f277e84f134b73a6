// verbs/gate.h — `harness gate`: the CI regression gate (evaluation in analysis/gate.h).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "analysis/gate.h"
#include "report/text_table.h"

namespace alloclab::harness {

struct GateArgs {
  std::string results, baseline_results;
  std::string max_regression;  // "5%" or "0.05"; parse_fraction
  GateOptions options;
  Style style;
};

CLI::App* add_gate_verb(CLI::App& app, GateArgs& args);
int gate_verb(const GateArgs& args);

// "5%" -> 0.05, "0.05" -> 0.05, "5" -> 0.05. Throws HarnessError on anything else.
double parse_fraction(const std::string& text);

}  // namespace alloclab::harness
