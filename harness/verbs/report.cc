// verbs/report.cc — the `report` verb.
#include "verbs/report.h"

#include <cstdio>
#include <filesystem>
#include <map>

#include "analysis/ablation.h"
#include "analysis/fidelity.h"
#include "analysis/instructions.h"
#include "io/atomic_file.h"
#include "io/placement_json.h"
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
  report->add_option("--instructions", a.instructions,
                     "A `harness callgrind` results file: instructions per malloc beside every ratio (allocators "
                     "and workloads this run lacks are named and skipped)");
  return report;
}

int report_verb(const ReportArgs& a) {
  json doc = load_json_file(a.file, "results file");
  RunResults r = results_from_json(doc, a.file);
  std::vector<std::string> notes;
  if (!a.instructions.empty()) notes = merge_instructions(r, load_results(a.instructions), a.instructions);
  AblationOptions opt;
  opt.placements = placements_from_json(doc);
  AblationReport rep = build_ablation(r, opt);
  rep.notes.insert(rep.notes.end(), notes.begin(), notes.end());
  // A run that holds an external family (mimalloc:*) too: its fidelity section.
  std::vector<FidelityReport> fidelity;
  for (const auto& family : external_families(r))
    if (auto f = build_fidelity(r, rep, opt, family)) fidelity.push_back(std::move(*f));
  std::map<std::string, std::string> names;
  if (a.out.empty()) {
    std::fputs(render_report_md(r, rep, names, fidelity).c_str(), stdout);
    return kExitOk;
  }
  ensure_parent_dir(a.out);
  for (const auto& [kind, svg] : charts_for(rep)) {
    std::string path = stem_path(a.out, "-" + kind + ".svg");
    write_file_atomically(path, svg);
    names[kind] = fs::path(path).filename().string();
  }
  write_file_atomically(a.out, render_report_md(r, rep, names, fidelity));
  std::fprintf(stderr, "harness: report: %s (+ %zu SVG charts)\n", a.out.c_str(), names.size());
  return kExitOk;
}

}  // namespace alloclab::harness
