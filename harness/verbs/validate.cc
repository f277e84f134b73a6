// verbs/validate.cc — A/A, A/A′ (layout) and planted-slowdown checks: a run of the right
// allocators, then the verdict.
#include "verbs/validate.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "analysis/summary.h"
#include "analysis/validation.h"
#include "core/error.h"
#include "report/tables.h"
#include "run/manifest.h"
#include "verbs/flags.h"

namespace alloclab::harness {
namespace {

const std::string kCopy = "baseline-copy";

// The run's allocators: baseline and its copy (--aa), baseline alone (--layout: its copies are
// added after prepare_run), or baseline and the planted variants.
RunArgs validation_run(const ValidateArgs& v) {
  if (int(v.aa) + int(v.planted) + int(v.layout) != 1)
    throw HarnessError("validate: pass exactly one of --aa, --planted or --layout");
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
    args.layouts = 1;  // baseline and baseline-copy: the same library in every round
    return args;
  }
  if (v.layout) {
    args.variants = "baseline";
    args.custom.clear();
    args.layouts = 1;  // each copy fixed, measured as a variant would be
    args.out_prefix = "validate-layout";
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

// --layout: baseline@L1 .. baseline@L(K-1), each a variant fixed to one copy of baseline's,
// inserted after baseline. Returns their names.
std::vector<std::string> add_layout_copies(PreparedRun& run, const RunArgs& args) {
  Manifest m = load_manifest(args.manifest);
  const VariantInfo* b = m.find("baseline");
  if (!b) throw HarnessError("validate --layout: the manifest " + args.manifest + " has no baseline variant");
  const int shifted = static_cast<int>(b->layouts.size()) - 1;
  if (shifted < ValidateDefaults::kLayoutMinShiftedCopies)
    throw HarnessError(fmt::format(
        "validate --layout: the manifest {} lists {} shifted layout cop{} of baseline; at least {} are needed "
        "(variants/CMakeLists.txt links them: reconfigure with -DALLOCLAB_LAYOUT_COPIES=5 (the default) and rebuild, "
        "or pass --manifest of a build that has them)",
        args.manifest, shifted, shifted == 1 ? "y" : "ies", ValidateDefaults::kLayoutMinShiftedCopies));
  auto& allocs = run.results.allocators;
  auto base = std::find_if(allocs.begin(), allocs.end(), [](const AllocatorSpec& a) { return a.name == "baseline"; });
  if (base == allocs.end()) throw HarnessError("validate --layout: baseline was not selected");
  std::vector<AllocatorSpec> copies;
  std::vector<std::string> names;
  for (int i = 1; i <= shifted; ++i) {
    AllocatorSpec c = *base;
    c.name = fmt::format("baseline@L{}", i);
    c.library = b->layouts[static_cast<std::size_t>(i)].library;
    c.layout_libraries.clear();  // one copy: this one, in every round
    c.factors.clear();           // not a factorial cell
    c.sets = {"layout"};
    c.expected_variant = "baseline";  // the copy reports alloclab_variant() "baseline"
    if (std::error_code ec; args.check_files && !std::filesystem::exists(c.library, ec))
      throw HarnessError(
          fmt::format("validate --layout: layout copy {} of baseline ({}) not found; build it with "
                      "`cmake --build build --target alloclab-variants`",
                      i, c.library));
    names.push_back(c.name);
    copies.push_back(std::move(c));
  }
  allocs.insert(base + 1, copies.begin(), copies.end());
  return names;
}

}  // namespace

CLI::App* add_validate_verb(CLI::App& app, ValidateArgs& v) {
  auto* val = app.add_subcommand("validate",
                                 "Check the harness: --aa (two copies of baseline must not differ), --layout "
                                 "(baseline's layout copies must not differ either) or --planted (--allocator "
                                 "planted-N=PATH slowdowns must be detected)");
  val->add_flag("--aa", v.aa, "A/A check: baseline vs baseline-copy (same library)");
  val->add_flag(
      "--layout", v.layout,
      fmt::format("A/A' check: baseline vs its layout copies 1..K-1 from the manifest (baseline@L1, ...; "
                  "at least {} needed), each fixed; fails when more than {:g}% of the copy x workload "
                  "cells are significant after Benjamini-Hochberg",
                  ValidateDefaults::kLayoutMinShiftedCopies, 100 * ValidateDefaults::kLayoutMaxSignificantShare));
  val->add_flag("--planted", v.planted, "Planted-slowdown detection");
  add_workloads_flag(*val, v.run);
  add_allocator_flag(*val, v.run.custom, "planted-N=PATH (repeatable)");
  add_round_flags(*val, v.run,
                  "Results file (default results/validate-aa-<UTC>.json, validate-layout-<UTC>.json, "
                  "validate-planted-<UTC>.json)");
  add_alpha_flag(*val, v.run.alpha);
  add_layout_flags(*val, v.run, "; --planted only: --aa and --layout always use 1");
  add_path_flags(*val, v.run.manifest, v.run.runner);
  add_style_flag(*val, v.run.style);
  return val;
}

int validate_verb(const ValidateArgs& v, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  RunArgs args = validation_run(v);
  PreparedRun run = prepare_run(args, command_line, pr);
  std::vector<std::string> copies;
  if (v.layout) copies = add_layout_copies(run, args);
  int rc = execute_run(run, args, pr);
  if (rc == kExitInterrupted) return rc;
  auto cells = summarize_run(run.results);
  double alpha = run.results.options.alpha;
  if (v.aa) {
    AaVerdict verdict = judge_aa(cells, kCopy, "baseline", alpha);
    std::fputs(render_aa(verdict, kCopy, alpha).c_str(), stdout);
    return verdict.passed ? rc : kExitFailures;
  }
  if (v.layout) {
    LayoutVerdict verdict = judge_layout(run.results, cells, copies, "baseline", alpha);
    std::fputs(render_layout(verdict, alpha, args.style.plain).c_str(), stdout);
    return verdict.passed ? rc : kExitFailures;
  }
  std::fputs(render_planted(judge_planted(run.results, cells), args.style.plain).c_str(), stdout);
  return rc;
}

}  // namespace alloclab::harness
