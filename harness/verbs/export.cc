// verbs/export.cc — the `export` verb.
#include "verbs/export.h"

#include <cstdio>

#include "io/atomic_file.h"
#include "io/gbench_export.h"
#include "io/results_json.h"
#include "verbs/flags.h"

namespace alloclab::harness {

CLI::App* add_export_verb(CLI::App& app, ExportArgs& a) {
  auto* exp = app.add_subcommand("export", "Convert a results file (e.g. to Google Benchmark JSON for compare.py)");
  exp->add_option("file", a.file, "Results file")->required();
  add_enum_option(*exp, "--format", a.format, "gbench", {{"gbench", ExportFormat::gbench}});
  exp->add_option("--out,-o", a.out, "Output file (default: stdout)");
  return exp;
}

int export_verb(const ExportArgs& a) {
  RunResults r = load_results(a.file);
  std::string text = to_gbench(r).dump(1) + "\n";
  if (a.out.empty())
    std::fputs(text.c_str(), stdout);
  else
    write_file_atomically(a.out, text);
  return kExitOk;
}

}  // namespace alloclab::harness
