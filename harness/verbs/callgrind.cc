// verbs/callgrind.cc — the `callgrind` verb: prepare a run (names, context) without timed
// rounds, count instructions (and by default the simulated branches and cache misses), write
// the results file, print the table.
#include "verbs/callgrind.h"

#include <cstdio>

#include "analysis/rerun_command.h"
#include "analysis/summary.h"
#include "io/results_json.h"
#include "report/progress.h"
#include "report/tables.h"
#include "run/callgrind.h"
#include "run/context.h"
#include "verbs/flags.h"

namespace alloclab::harness {

CLI::App* add_callgrind_verb(CLI::App& app, CallgrindArgs& a) {
  RunArgs& s = a.selection;
  auto* cg = app.add_subcommand("callgrind",
                                "Instructions per malloc (deterministic) with callgrind over the runner's "
                                "fixed-iterations mode; writes a results file with \"instructions\"");
  add_selection_flags(*cg, s);
  cg->add_option("--iterations", a.iterations,
                 "Whole workload runs inside the measured region (each run is many mallocs)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cg->add_flag("--mechanism,!--no-mechanism", a.mechanism,
               "Also simulate branch prediction and caches in the same region (callgrind --branch-sim=yes "
               "--cache-sim=yes): branches, mispredictions, D1/I1/LL misses per malloc; about twice as slow")
      ->capture_default_str();
  cg->add_option("--out,-o", a.out, "Results file (default results/callgrind-<UTC>.json)");
  cg->add_option("--valgrind", a.valgrind, "valgrind binary")->capture_default_str();
  cg->add_option("--timeout", a.timeout, "Per-child limit in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cg->add_option("--reference", s.reference, "Allocator the table's ratios are relative to")
      ->capture_default_str()
      ->each([&s](const std::string&) { s.reference_given = true; });
  add_path_flags(*cg, s.manifest, s.runner);
  add_style_flag(*cg, s.style);
  return cg;
}

int callgrind_verb(const CallgrindArgs& a, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  RunArgs args = a.selection;
  args.out_prefix = "callgrind";
  args.out = a.out;
  args.rounds = 1;
  PreparedRun prep = prepare_run(args, command_line, pr);
  RunResults& res = prep.results;
  res.options.rounds = 0;  // no timed rounds in this file
  // `gate --metric instructions` compares it: counts are only comparable under one valgrind.
  if (std::string v = capture_command(shell_word(a.valgrind) + " --version 2>/dev/null"); !v.empty())
    res.context["valgrind"] = v;
  for (const auto& w : prep.warnings) std::fprintf(stderr, "harness: warning: %s\n", w.c_str());
  CallgrindSettings cs;
  cs.valgrind = a.valgrind;
  cs.runner = args.runner;
  cs.iterations = a.iterations;
  cs.timeout_s = a.timeout;
  cs.mechanism = a.mechanism;
  ProgressPrinter progress(args.style);
  res.instructions = run_callgrind(res.allocators, res.workloads, cs, pr, progress);
  progress.finish();
  res.complete = !interrupt_requested();
  save_results(prep.out_path, res, summarize_run(res));
  std::fputs(render_instructions(res.instructions, res.options.reference, args.style.plain).c_str(), stdout);
  std::fprintf(stderr, "harness: results: %s\n", prep.out_path.c_str());
  if (!res.complete) return kExitInterrupted;
  for (const auto& i : res.instructions)
    if (i.status != Status::ok) return kExitFailures;
  return kExitOk;
}

}  // namespace alloclab::harness
