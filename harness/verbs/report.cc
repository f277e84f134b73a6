// verbs/report.cc — the `report` verb.
#include "verbs/report.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "analysis/ablation.h"
#include "io/atomic_file.h"
#include "io/results_json.h"
#include "report/markdown.h"
#include "report/svg.h"
#include "verbs/flags.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

namespace {

// report.md + "-add_one.svg" -> report-add_one.svg beside it.
std::string stem_path(const std::string& out, const std::string& suffix) {
  fs::path p(out);
  return (p.parent_path() / (p.stem().string() + suffix)).string();
}

}  // namespace

CLI::App* add_report_verb(CLI::App& app, ReportArgs& a) {
  auto* report = app.add_subcommand("report", "Ablation report (Markdown + SVG charts) from a results file");
  report->add_option("file", a.file, "Results file")->required();
  add_enum_option(*report, "--format", a.format, "md", {{"md", ReportFormat::md}});
  report->add_option("--out,-o", a.out, "Write the report here (SVG charts beside it); default: stdout, no charts");
  return report;
}

int report_verb(const ReportArgs& a) {
  RunResults r = load_results(a.file);
  AblationReport rep = build_ablation(r);
  std::map<std::string, std::string> names;
  if (a.out.empty()) {
    std::fputs(render_report_md(r, rep, names).c_str(), stdout);
    return kExitOk;
  }
  ensure_parent_dir(a.out);
  for (const auto& [kind, svg] : charts_for(rep)) {
    std::string path = stem_path(a.out, "-" + kind + ".svg");
    write_file_atomically(path, svg);
    names[kind] = fs::path(path).filename().string();
  }
  write_file_atomically(a.out, render_report_md(r, rep, names));
  std::fprintf(stderr, "harness: report: %s (+ %zu SVG charts)\n", a.out.c_str(), names.size());
  return kExitOk;
}

}  // namespace alloclab::harness
