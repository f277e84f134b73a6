// verbs/check.cc — the `check` verb.
#include "verbs/check.h"

#include <cstdio>

#include "core/error.h"
#include "io/results_json.h"

namespace alloclab::harness {

CLI::App* add_check_verb(CLI::App& app, CheckArgs& a) {
  auto* check = app.add_subcommand("check", "Validate results files against the schema (harness/results.schema.json)");
  check->add_option("files", a.files, "Results files")->required();
  return check;
}

int check_verb(const CheckArgs& a) {
  int rc = kExitOk;
  for (const auto& f : a.files) {
    try {
      RunResults r = load_results(f);
      std::printf("%s: valid (schema_version %d, %zu samples, %s)\n", f.c_str(), kSchemaVersion, r.samples.size(),
                  r.complete ? "complete" : "incomplete");
    } catch (const HarnessError& e) {
      std::printf("%s: INVALID: %s\n", f.c_str(), e.what());
      rc = kExitUsage;
    }
  }
  return rc;
}

}  // namespace alloclab::harness
