// verbs/report.h — `harness report FILE --format md [--out F] [--instructions CALLGRIND.json]`: the ablation report
// (analysis/ablation.h) as Markdown with SVG charts beside it.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace alloclab::harness {

enum class ReportFormat { md };

struct ReportArgs {
  std::string file;
  ReportFormat format = ReportFormat::md;
  std::string out;           // "" = stdout, no charts
  std::string instructions;  // a `harness callgrind` results file ("" = none)
};

CLI::App* add_report_verb(CLI::App& app, ReportArgs& args);
int report_verb(const ReportArgs& args);

}  // namespace alloclab::harness
