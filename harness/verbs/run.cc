// verbs/run.cc — the `run` verb: its flags, and selection → schedule → results file → table.
#include "verbs/run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "analysis/summary.h"
#include "core/error.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/gbench_export.h"
#include "report/progress.h"
#include "report/tables.h"
#include "run/callgrind.h"
#include "run/context.h"
#include "run/manifest.h"
#include "run/preload_check.h"
#include "run/real_programs.h"
#include "run/scheduler.h"
#include "run/shards.h"
#include "run/workloads.h"
#include "verbs/flags.h"

namespace alloclab::harness {

namespace {

std::uint64_t fresh_seed() {
  auto t = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  return (t ^ (static_cast<std::uint64_t>(::getpid()) << 32)) % 1000000007ULL;
}

void warn(const std::string& w) { std::fprintf(stderr, "harness: warning: %s\n", w.c_str()); }

RunOptions options_from(const RunArgs& args) {
  RunOptions o;
  o.quick = args.quick;
  o.rounds = args.rounds.value_or(args.quick ? RunDefaults::kQuickRounds : RunDefaults::kRounds);
  o.min_time = args.min_time.value_or(args.quick ? RunDefaults::kQuickMinTime : RunDefaults::kMinTime);
  o.warmup_min_time = std::min(o.min_time, args.quick ? RunDefaults::kQuickWarmupMinTime : RunDefaults::kWarmupMinTime);
  o.timeout_s = args.timeout.value_or(RunDefaults::kTimeout);
  o.alpha = args.alpha;
  o.reference = args.reference;
  o.seed = args.seed.value_or(fresh_seed());
  o.stats = args.stats;
  o.warmup = args.warmup;
  o.verify = args.verify;
  o.runner = args.runner;
  o.layouts = args.layouts;
  o.aslr = args.aslr;
  if (o.layouts < 1) throw HarnessError("--layouts must be at least 1 (1 = no layout rotation)");
  if (o.rounds < 1) throw HarnessError("--rounds must be at least 1");
  if (!(o.min_time > 0)) throw HarnessError("--min-time must be positive (seconds)");
  if (!(o.timeout_s > 0)) throw HarnessError("--timeout must be positive (seconds)");
  return o;
}

// `<out without .json>.gbench.json`
std::string gbench_path(std::string out) {
  if (out.size() > 5 && out.compare(out.size() - 5, 5, ".json") == 0) out.resize(out.size() - 5);
  return out + ".gbench.json";
}

}  // namespace

CLI::App* add_run_verb(CLI::App& app, RunArgs& a) {
  auto* run = app.add_subcommand("run",
                                 "Measure: R rounds × every (allocator, workload) in shuffled order, one "
                                 "fresh process each; write the results JSON and print the table");
  add_selection_flags(*run, a);
  add_round_flags(*run, a);
  run->add_flag("--stats", a.stats, "Measure each variant's -stats twin and record its internal counters");
  add_alpha_flag(*run, a.alpha);
  add_layout_flags(*run, a);
  run->add_option("--reference", a.reference, "Allocator every ratio is relative to")
      ->capture_default_str()
      ->each([&a](const std::string&) { a.reference_given = true; });
  add_enum_option(*run, "--format", a.format, "json, or gbench: also write <out>.gbench.json (Google Benchmark format)",
                  {{"json", RunFormat::json}, {"gbench", RunFormat::gbench}});
  run->add_option("--jobs", a.jobs, "Children at a time (only 1: timing needs a quiet machine)")->capture_default_str();
  run->add_flag("--callgrind", a.callgrind, "After the rounds, count instructions per malloc with callgrind");
  run->add_option("--callgrind-iterations", a.callgrind_iterations, "Whole workload runs per callgrind child")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  run->add_flag("!--no-warmup", a.warmup, "Skip the discarded warm-up pass");
  run->add_flag("!--no-verify", a.verify, "Skip the verify pass");
  add_path_flags(*run, a.manifest, a.runner);
  add_real_flags(*run, a);
  add_style_flag(*run, a.style);
  run->add_option("--shard", a.shard,
                  "K/N: measure only shard K of N (workload i of the selection goes to shard (i mod N)+1; needs "
                  "--seed); combine the N files with `harness merge`");
  return run;
}

namespace {

void require_probe(const RunArgs& args, const std::string& why) {
  if (std::error_code ec; !std::filesystem::is_regular_file(args.probe, ec))
    throw HarnessError(
        fmt::format("{} needs the exit probe {}, which is not there; build it with `cmake --build build "
                    "--target alloclab-probe` or pass --probe FILE",
                    why, args.probe));
}

// --workloads: runner names (from `runner --list`) and real programs (real, real:NAME), in the
// order given; the runner is asked only when some runner workload is named. `harness exec`:
// its one command, which must be startable (exit 2 otherwise, before anything runs).
std::vector<WorkloadSpec> resolve_workloads(const RunArgs& args, ProcessRunner& pr) {
  if (!args.exec_command.empty()) return {exec_workload(args.exec_command, args.check_output)};
  std::vector<std::string> real, runner;
  for (const auto& n : split_list(args.workloads)) (is_real_workload_name(n) ? real : runner).push_back(n);
  std::vector<WorkloadSpec> out;
  if (!runner.empty()) {
    std::string names;
    for (const auto& n : runner) names += (names.empty() ? "" : ",") + n;
    out = select_workloads(list_workloads(pr, args.runner), names);
  }
  if (!real.empty()) {
    RealPaths paths = default_real_paths();
    if (!args.real_programs.empty()) paths.programs = args.real_programs;
    if (!args.real_bin.empty()) paths.bin_dir = args.real_bin;
    for (auto& w : select_real_programs(paths, real)) out.push_back(std::move(w));
  }
  if (out.empty())
    throw HarnessError(fmt::format("--workloads {} selects no workload; see `harness list`", args.workloads));
  return out;
}

}  // namespace

PreparedRun prepare_run(const RunArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  if (args.jobs != 1)
    throw HarnessError(
        "--jobs: only 1 is supported (concurrent children disturb each other's timing on a 2-core machine)");
  if (!(args.alpha > 0 && args.alpha < 1)) throw HarnessError("--alpha must be between 0 and 1, e.g. 0.05");
  RunOptions o = options_from(args);
  std::optional<ShardInfo> shard;
  if (!args.shard.empty()) {
    shard = parse_shard(args.shard);
    if (!args.seed) throw HarnessError("--shard needs --seed: every shard of a run must use the same seed");
  }
  if (!args.exec_command.empty()) {  // before anything else: a command that cannot start is exit 2
    std::string why;
    if (resolve_executable(args.exec_command[0], why).empty())
      throw HarnessError(fmt::format("the command cannot start: {}", why));
  }

  PreparedRun run;
  RunResults& res = run.results;

  // Allocators (names first: no child has run yet).
  std::optional<Manifest> manifest;
  if (args.variants != "none") {
    manifest = load_manifest(args.manifest);
    o.manifest = args.manifest;
    res.factor_names = manifest->factor_names;
  }
  SelectionRequest req;
  req.variants = args.variants;
  req.peers = args.peers;
  req.custom = args.custom;
  req.stats = args.stats;
  req.check_files = args.check_files;
  auto peers = discover_peers(args.peer_search.value_or(default_peer_search()));
  AllocatorSelection sel = select_allocators(manifest ? &*manifest : nullptr, req, peers);
  if (sel.allocators.empty())
    throw HarnessError("no allocator selected: pass --variants, --peers or --allocator NAME=PATH");
  run.warnings = sel.warnings;
  res.allocators = sel.allocators;
  res.skipped = sel.skipped;
  for (const auto& s : sel.skipped) res.failures.push_back({s.name, "", 0, Phase::setup, Status::skipped, s.reason});
  // A custom library must be one ld.so preloads and whose malloc a program then binds.
  if (args.check_files)
    for (const auto& a : res.allocators) {
      if (a.kind != AllocatorKind::custom) continue;
      require_probe(args, "--allocator " + a.name);
      if (std::string why = check_preloadable(a.library, args.probe, pr); !why.empty())
        throw HarnessError(fmt::format("--allocator {}={}: not an allocator library: {}", a.name, a.library, why));
    }

  // Layouts: without copies in the manifest there is nothing to rotate (one warning).
  if (o.layouts > 1 && manifest) {
    bool any = false;
    for (const auto& a : res.allocators) any = any || a.layout_libraries.size() > 1;
    bool variants = std::any_of(res.allocators.begin(), res.allocators.end(),
                                [](const AllocatorSpec& a) { return a.kind == AllocatorKind::variant; });
    if (variants && !any) {
      run.warnings.push_back("the manifest lists no layout copies; --layouts 1");
      o.layouts = 1;
    }
  }
  if (o.layouts > 1 && args.check_files)
    for (const auto& a : res.allocators)
      for (std::size_t c = 1; c < a.layout_libraries.size() && c < static_cast<std::size_t>(o.layouts); ++c)
        if (std::error_code ec; !std::filesystem::exists(a.layout_libraries[c], ec))
          throw HarnessError(
              fmt::format("variant {}: layout copy {} ({}) not found; build it with `cmake --build "
                          "build --target alloclab-variants`, or pass --layouts 1",
                          a.name, c, a.layout_libraries[c]));
  if (!o.aslr)
    if (std::string why = pr.set_child_aslr(false); !why.empty())
      throw HarnessError("--aslr off: cannot disable address-space randomization for the children: " + why +
                         "; run without --aslr off");

  // Workloads: the runner's own list, and the real programs.
  res.workloads = resolve_workloads(args, pr);
  if (shard) restrict_to_shard(res, *shard, o.manifest);
  if (std::any_of(res.workloads.begin(), res.workloads.end(), [](const WorkloadSpec& w) { return w.is_real(); })) {
    if (args.check_files) require_probe(args, "a real program");
    o.probe = args.probe;
  }

  // Reference.
  if (!res.find_allocator(o.reference)) {
    if (args.reference_given)
      throw HarnessError(
          fmt::format("--reference {} is not among the selected allocators; add it (e.g. --variants "
                      "{},...) or choose another",
                      o.reference, o.reference));
    std::string fallback = res.allocators.front().name;
    run.warnings.push_back(fmt::format("{} is not selected: ratios are relative to {} (pass --reference to choose)",
                                       o.reference, fallback));
    o.reference = fallback;
  }

  res.options = o;
  res.context = collect_context(command_line, o.seed, args.runner, o.manifest);
  run.out_path = args.out.empty() ? fmt::format("results/{}-{}.json", args.out_prefix, utc_compact_now()) : args.out;
  return run;
}

int execute_run(PreparedRun& run, const RunArgs& args, ProcessRunner& pr) {
  RunResults& res = run.results;
  for (const auto& w : run.warnings) warn(w);
  const bool runner_workloads =
      std::any_of(res.workloads.begin(), res.workloads.end(), [](const WorkloadSpec& w) { return !w.is_real(); });
  std::fprintf(stderr, "harness: %zu allocators × %zu workloads × %d rounds, seed %llu%s%s → %s\n",
               res.allocators.size(), res.workloads.size(), res.options.rounds,
               static_cast<unsigned long long>(res.options.seed),
               runner_workloads ? fmt::format(", min-time {:g} s", res.options.min_time).c_str() : "",
               fmt::format("{}{}", res.options.layouts > 1 ? fmt::format(", {} layouts", res.options.layouts) : "",
                           res.options.aslr ? "" : ", ASLR off")
                   .c_str(),
               run.out_path.c_str());

  if (res.shard)
    std::fprintf(stderr, "harness: shard %d/%d of %zu workloads\n", res.shard->index, res.shard->count,
                 res.shard->selection.size());

  Checkpointer checkpoint(run.out_path);
  checkpoint.save(res, ResampleDefaults::kInitialSave);  // an empty, valid file at once: the path is usable
  ProgressPrinter progress(args.style);
  ObserverList observers({&progress, &checkpoint});
  bool finished = run_schedule(res, pr, observers);
  if (finished && args.callgrind && !interrupt_requested()) {
    CallgrindSettings cs;
    cs.valgrind = args.valgrind;
    cs.runner = res.options.runner;
    cs.iterations = args.callgrind_iterations;
    cs.timeout_s = std::max(CallgrindDefaults::kRunMinTimeout, res.options.timeout_s);
    res.instructions = run_callgrind(res.allocators, res.workloads, cs, pr, progress);
    finished = !interrupt_requested();
  }
  progress.finish();
  res.complete = finished;
  auto cells = summarize_run(res);
  checkpoint.save(res, cells);

  if (args.print_tables) {
    std::fputs(render_run_table(res, cells, args.style).c_str(), stdout);
    if (!res.instructions.empty())
      std::fputs(render_instructions(res.instructions, res.options.reference, args.style.plain).c_str(), stdout);
    std::fflush(stdout);
  }
  if (args.format == RunFormat::gbench) {
    std::string g = gbench_path(run.out_path);
    write_file_atomically(g, to_gbench(res).dump(1) + "\n");
    std::fprintf(stderr, "harness: Google Benchmark JSON: %s\n", g.c_str());
  }
  if (!finished) {
    std::fprintf(stderr, "harness: interrupted: %d complete round(s) written to %s (marked \"complete\": false)\n",
                 res.rounds_completed, run.out_path.c_str());
    return kExitInterrupted;
  }
  std::fprintf(stderr, "harness: results: %s\n", run.out_path.c_str());
  if (has_failures(res)) {
    std::size_t n = 0;
    for (const auto& f : res.failures) n += f.phase != Phase::setup;
    std::fprintf(stderr, "harness: %zu failure(s); see \"failures\" in %s\n", n, run.out_path.c_str());
    return kExitFailures;
  }
  return kExitOk;
}

int run_verb(const RunArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  PreparedRun run = prepare_run(args, command_line, pr);
  return execute_run(run, args, pr);
}

}  // namespace alloclab::harness
