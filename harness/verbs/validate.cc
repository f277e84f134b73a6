// verbs/validate.cc — A/A and planted-slowdown checks: a run of the right allocators, then the
// verdict.
#include "verbs/validate.h"

#include <cstdio>

#include "analysis/summary.h"
#include "analysis/validation.h"
#include "core/error.h"
#include "report/tables.h"
#include "run/manifest.h"
#include "verbs/flags.h"

namespace alloclab::harness {
namespace {

const std::string kCopy = "baseline-copy";

// The run's allocators: baseline and its copy (--aa), or baseline and the planted variants.
RunArgs validation_run(const ValidateArgs& v) {
  if (v.aa == v.planted) throw HarnessError("validate: pass exactly one of --aa or --planted");
  RunArgs args = v.run;
  args.peers = "none";
  args.reference = "baseline";
  args.reference_given = true;
  if (args.variants.empty() || args.variants == "default") args.variants = "baseline";
  if (v.aa) {
    Manifest m = load_manifest(args.manifest);
    const VariantInfo* b = m.find("baseline");
    if (!b) throw HarnessError("validate --aa: the manifest has no baseline variant");
    args.custom.push_back(kCopy + "=" + b->library);
    args.out_prefix = "validate-aa";
    return args;
  }
  bool any = false;
  for (const auto& c : args.custom) any = any || c.rfind("planted", 0) == 0;
  if (!any) {
    // Default: the manifest's test-only planted variants (set "test").
    Manifest m = load_manifest(args.manifest);
    std::string names = "baseline";
    for (const auto& var : m.variants)
      if (var.name.rfind("planted", 0) == 0) names += "," + var.name;
    if (names == "baseline")
      throw HarnessError(
          "validate --planted: the manifest has no planted-* variants; pass one or more "
          "--allocator planted-N=PATH (a test-only library slower than baseline)");
    args.variants = names;
  }
  args.out_prefix = "validate-planted";
  return args;
}

}  // namespace

CLI::App* add_validate_verb(CLI::App& app, ValidateArgs& v) {
  auto* val = app.add_subcommand("validate",
                                 "Check the harness: --aa (two copies of baseline must not differ) or "
                                 "--planted (--allocator planted-N=PATH slowdowns must be detected)");
  val->add_flag("--aa", v.aa, "A/A check: baseline vs baseline-copy (same library)");
  val->add_flag("--planted", v.planted, "Planted-slowdown detection");
  add_workloads_flag(*val, v.run);
  add_allocator_flag(*val, v.run.custom, "planted-N=PATH (repeatable)");
  add_round_flags(*val, v.run, "Results file (default results/validate-aa-<UTC>.json, validate-planted-<UTC>.json)");
  add_alpha_flag(*val, v.run.alpha);
  add_path_flags(*val, v.run.manifest, v.run.runner);
  add_style_flag(*val, v.run.style);
  return val;
}

int validate_verb(const ValidateArgs& v, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  RunArgs args = validation_run(v);
  PreparedRun run = prepare_run(args, command_line, pr);
  int rc = execute_run(run, args, pr);
  if (rc == kExitInterrupted) return rc;
  auto cells = summarize_run(run.results);
  double alpha = run.results.options.alpha;
  if (v.aa) {
    AaVerdict verdict = judge_aa(cells, kCopy, "baseline", alpha);
    std::fputs(render_aa(verdict, kCopy, alpha).c_str(), stdout);
    return verdict.passed ? rc : kExitFailures;
  }
  std::fputs(render_planted(judge_planted(run.results, cells), args.style.plain).c_str(), stdout);
  return rc;
}

}  // namespace alloclab::harness
