// cli.cc — verbs and flags. Each verb's logic lives in its own file; this one only parses,
// dispatches and maps errors to exit codes (0 ok, 1 failures / failed gate, 2 usage or bad
// input, 130 interrupted).
#include "cli.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "run/allocators.h"
#include "analysis/summary.h"
#include "io/atomic_file.h"
#include "run/callgrind.h"
#include "analysis/compare.h"
#include "run/context.h"
#include "core/error.h"
#include "run/exec.h"
#include "analysis/gate.h"
#include "io/gbench_export.h"
#include "run/manifest.h"
#include "run/measurement.h"
#include "report/progress.h"
#include "analysis/ablation.h"
#include "report/markdown.h"
#include "report/svg.h"
#include "io/results_json.h"
#include "verbs/run.h"
#include "io/schema_validator.h"
#include "report/tables.h"
#include "report/text_table.h"
#include "analysis/validation.h"
#include "run/workloads.h"

#ifndef ALLOCLAB_DEFAULT_MANIFEST
#define ALLOCLAB_DEFAULT_MANIFEST "build/variants/manifest.json"
#endif
#ifndef ALLOCLAB_DEFAULT_RUNNER
#define ALLOCLAB_DEFAULT_RUNNER "build/bin/alloclab-runner"
#endif

namespace alloclab::harness {
namespace fs = std::filesystem;

namespace {

struct Common {
  std::string manifest = ALLOCLAB_DEFAULT_MANIFEST;
  std::string runner = ALLOCLAB_DEFAULT_RUNNER;
  std::string style = "auto";
  Style to_style() const {
    Style s;
    s.plain = style == "plain";
    return s;
  }
};

void add_paths(CLI::App* app, Common& c) {
  app->add_option("--manifest", c.manifest, "Variant manifest written by the build")->capture_default_str();
  app->add_option("--runner", c.runner, "alloclab-runner binary")->capture_default_str();
}
void add_style(CLI::App* app, Common& c) {
  app->add_option("--style", c.style, "auto: live progress line on a terminal; plain: ASCII, one line per pass (CI logs)")
      ->check(CLI::IsMember({"auto", "plain"}))
      ->capture_default_str();
}

void add_selection(CLI::App* app, RunArgs& a) {
  app->add_option("--variants", a.variants,
                  "all | default | factorial | none | NAME,... (a lone `all` = every variant in the manifest except test-only ones; in a "
                  "list, `all` is the variant named all)")
      ->capture_default_str();
  app->add_option("--workloads", a.workloads, "default | all | NAME,... (see `harness list`)")->capture_default_str();
  app->add_option("--peers", a.peers, "all | none | NAME,... of glibc, mimalloc, jemalloc, tcmalloc (missing ones are "
                                      "skipped with a warning)")
      ->capture_default_str();
  app->add_option("--allocator", a.custom, "NAME=PATH: also measure this library (repeatable)");
}

void add_run_flags(CLI::App* app, RunArgs& a, Common& c) {
  add_selection(app, a);
  app->add_option("--rounds", a.rounds, fmt::format("Rounds: samples per cell (default {}, --quick {})",
                                                    RunDefaults::kRounds, RunDefaults::kQuickRounds));
  app->add_flag("--quick", a.quick, "Fewer rounds and a shorter --min-time, for a first look");
  app->add_option("--out,-o", a.out, "Results file (default results/run-<UTC>.json)");
  app->add_option("--seed", a.seed, "Seed of the shuffled order and the bootstraps (default: fresh, recorded)");
  app->add_option("--timeout", a.timeout, fmt::format("Per-child limit in seconds (default {:g})", RunDefaults::kTimeout));
  app->add_option("--min-time", a.min_time, fmt::format("--benchmark_min_time per child, seconds (default {:g}, "
                                                        "--quick {:g})",
                                                        RunDefaults::kMinTime, RunDefaults::kQuickMinTime));
  app->add_flag("--stats", a.stats, "Measure each variant's -stats twin and record its internal counters");
  app->add_option("--alpha", a.alpha, "Significance level")->capture_default_str();
  app->add_option("--reference", a.reference, "Allocator every ratio is relative to")->capture_default_str();
  app->add_option("--format", a.format, "json, or gbench: also write <out>.gbench.json (Google Benchmark format)")
      ->check(CLI::IsMember({"json", "gbench"}))
      ->capture_default_str();
  app->add_option("--jobs", a.jobs, "Children at a time (only 1: timing needs a quiet machine)")->capture_default_str();
  app->add_flag("--callgrind", a.callgrind, "After the rounds, count instructions per malloc with callgrind");
  app->add_option("--callgrind-iterations", a.callgrind_iterations, "Whole workload runs per callgrind child")
      ->capture_default_str();
  app->add_flag("!--no-warmup", a.warmup, "Skip the discarded warm-up pass");
  app->add_flag("!--no-verify", a.verify, "Skip the verify pass");
  add_paths(app, c);
  add_style(app, c);
}

void finish_args(RunArgs& a, const Common& c, CLI::App* app) {
  a.manifest = c.manifest;
  a.runner = c.runner;
  a.style = c.to_style();
  a.reference_given = app->count("--reference") > 0;
}

int list_verb(const Common& c, bool as_json) {
  PosixProcessRunner pr;
  json out = {{"variants", json::array()}, {"peers", json::array()}, {"workloads", json::array()}};
  std::vector<std::string> problems;
  try {
    Manifest m = load_manifest(c.manifest);
    for (const auto& v : m.variants)
      out["variants"].push_back({{"name", v.name}, {"sets", v.sets}, {"factors", v.factors}, {"options", v.options},
                                 {"library", v.library}});
  } catch (const HarnessError& e) {
    problems.push_back(e.what());
  }
  for (const auto& p : discover_peers(default_peer_search()))
    out["peers"].push_back({{"name", p.name}, {"found", p.found}, {"library", p.library}, {"looked_for", p.searched}});
  try {
    for (const auto& w : list_workloads(pr, c.runner))
      out["workloads"].push_back({{"name", w.name}, {"family", w.family}, {"default", w.is_default},
                                  {"threads", w.threads}, {"params", w.params}, {"description", w.description}});
  } catch (const HarnessError& e) {
    problems.push_back(e.what());
  }
  if (as_json) {
    std::printf("%s\n", out.dump(1).c_str());
  } else {
    bool plain = c.style == "plain";
    std::printf("Variants (%s):\n", c.manifest.c_str());
    TextTable tv({"name", "sets", "options"});
    for (const auto& v : out["variants"]) {
      std::string sets, opts;
      for (const auto& s : v["sets"]) sets += (sets.empty() ? "" : ",") + s.get<std::string>();
      for (const auto& [k, val] : v["options"].items()) opts += (opts.empty() ? "" : " ") + k + "=" + val.dump();
      tv.add_row({v["name"].get<std::string>(), sets, opts});
    }
    std::fputs(tv.render(plain).c_str(), stdout);
    std::printf("\nPeers:\n");
    TextTable tp({"name", "status", "library"});
    for (const auto& p : out["peers"])
      tp.add_row({p["name"].get<std::string>(), p["found"].get<bool>() ? "found" : "not installed",
                  p["name"] == "glibc" ? "(no preload) " + p["library"].get<std::string>()
                                       : (p["found"].get<bool>() ? p["library"].get<std::string>()
                                                                 : "looked for " + p["looked_for"].get<std::string>())});
    std::fputs(tp.render(plain).c_str(), stdout);
    std::printf("\nWorkloads (%s):\n", c.runner.c_str());
    TextTable tw({"name", "family", "default", "threads", "params"});
    for (const auto& w : out["workloads"])
      tw.add_row({w["name"].get<std::string>(), w["family"].get<std::string>(), w["default"].get<bool>() ? "yes" : "",
                  std::to_string(w["threads"].get<int>()), w["params"].dump()});
    std::fputs(tw.render(plain).c_str(), stdout);
  }
  for (const auto& p : problems) std::fprintf(stderr, "harness: warning: %s\n", p.c_str());
  return problems.empty() ? kExitOk : kExitUsage;
}

std::string stem_path(const std::string& out, const std::string& suffix) {
  fs::path p(out);
  return (p.parent_path() / (p.stem().string() + suffix)).string();
}

}  // namespace

int cli_main(int argc, char** argv) {
  std::vector<std::string> command_line(argv, argv + argc);
  CLI::App app{
      "alloclab harness: measure allocator variants and peers with the same runner, one fresh process per "
      "(allocator, workload, round); compare, gate and report on the results.\n"
      "Exit codes: 0 ok, 1 failed cells or failed gate, 2 usage or input error, 130 interrupted."};
  app.require_subcommand(1);
  Common common;

  // list
  bool list_json = false;
  auto* list = app.add_subcommand("list", "Show the variants, the peers found on this machine, and the workloads");
  add_paths(list, common);
  add_style(list, common);
  list->add_flag("--json", list_json, "Machine-readable output");

  // run
  RunArgs run_args;
  auto* run = app.add_subcommand("run", "Measure: R rounds × every (allocator, workload) in shuffled order, one "
                                        "fresh process each; write the results JSON and print the table");
  add_run_flags(run, run_args, common);

  // compare
  std::vector<std::string> compare_files_args;
  double compare_alpha = 0.05;
  std::string compare_reference;
  auto* compare = app.add_subcommand("compare", "Compare two results files (unpaired: Mann–Whitney U and a bootstrap "
                                                "CI of the ratio of medians), or one file against --reference");
  compare->add_option("files", compare_files_args, "A.json [B.json]")->required()->expected(1, 2)->check(CLI::ExistingFile);
  compare->add_option("--alpha", compare_alpha, "Significance level")->capture_default_str();
  compare->add_option("--reference", compare_reference, "With one file: the allocator to compare the others with");
  add_style(compare, common);

  // gate
  std::string gate_results, gate_baseline, gate_max = "5%";
  GateOptions gate_opt;
  auto* gate = app.add_subcommand("gate", "CI regression gate: each allocator's ratio to a reference measured in the "
                                          "same run, against the same ratio in a baseline results file");
  gate->add_option("--results", gate_results, "Candidate results file")->required();
  gate->add_option("--baseline-results,--baseline", gate_baseline, "Reference results file (e.g. from main)")->required();
  gate->add_option("--max-regression", gate_max, "Allowed slowdown, e.g. 5% or 0.05")->capture_default_str();
  gate->add_option("--reference", gate_opt.reference, "Allocator the ratios are relative to")->capture_default_str();
  gate->add_option("--allocator", gate_opt.allocators, "all (every variant / custom allocator but the reference; peers only by name) | NAME,...")->capture_default_str();
  gate->add_option("--alpha", gate_opt.alpha, "1 - confidence level of the CI")->capture_default_str();
  gate->add_option("--metric", gate_opt.metric, "mallocs_per_sec, or instructions (callgrind counts)")
      ->check(CLI::IsMember({"mallocs_per_sec", "instructions"}))
      ->capture_default_str();
  add_style(gate, common);

  // report
  std::string report_file, report_format = "md", report_out;
  auto* report = app.add_subcommand("report", "Ablation report (Markdown + SVG charts) from a results file");
  report->add_option("file", report_file, "Results file")->required();
  report->add_option("--format", report_format, "md")->check(CLI::IsMember({"md"}))->capture_default_str();
  report->add_option("--out,-o", report_out, "Write the report here (SVG charts beside it); default: stdout, no charts");

  // export
  std::string export_file, export_format = "gbench", export_out;
  auto* exp = app.add_subcommand("export", "Convert a results file (e.g. to Google Benchmark JSON for compare.py)");
  exp->add_option("file", export_file, "Results file")->required();
  exp->add_option("--format", export_format, "gbench")->check(CLI::IsMember({"gbench"}))->capture_default_str();
  exp->add_option("--out,-o", export_out, "Output file (default: stdout)");

  // check
  std::vector<std::string> check_files_args;
  auto* check = app.add_subcommand("check", "Validate results files against the schema (harness/results.schema.json)");
  check->add_option("files", check_files_args, "Results files")->required();

  // exec
  RunArgs exec_args;
  exec_args.variants = "baseline,all";
  exec_args.peers = "glibc";
  std::vector<std::string> exec_cmd;
  double exec_timeout = 600;
  auto* exec = app.add_subcommand("exec", "Run a real program once per allocator (preloaded) and compare wall time, "
                                          "peak RSS, exit status and stdout with the glibc run: exec [flags] -- CMD ARGS");
  add_selection(exec, exec_args);
  exec->add_option("--timeout", exec_timeout, "Per-run limit in seconds")->capture_default_str();
  exec->add_option("command", exec_cmd, "The program and its arguments (after --)")->required();
  add_paths(exec, common);
  add_style(exec, common);

  // callgrind
  RunArgs cg_args;
  cg_args.peers = "none";
  std::int64_t cg_iterations = 2;
  std::string cg_out, cg_valgrind = "valgrind";
  double cg_timeout = 600;
  auto* cg = app.add_subcommand("callgrind", "Instructions per malloc (deterministic) with callgrind over the runner's "
                                             "fixed-iterations mode; writes a results file with \"instructions\"");
  add_selection(cg, cg_args);
  cg->add_option("--iterations", cg_iterations, "Whole workload runs inside the measured region (each run is many mallocs)")->capture_default_str();
  cg->add_option("--out,-o", cg_out, "Results file (default results/callgrind-<UTC>.json)");
  cg->add_option("--valgrind", cg_valgrind, "valgrind binary")->capture_default_str();
  cg->add_option("--timeout", cg_timeout, "Per-child limit in seconds")->capture_default_str();
  cg->add_option("--reference", cg_args.reference, "Allocator the table's ratios are relative to")->capture_default_str();
  add_paths(cg, common);
  add_style(cg, common);

  // validate
  RunArgs val_args;
  bool val_aa = false, val_planted = false;
  auto* val = app.add_subcommand("validate", "Check the harness: --aa (two copies of baseline must not differ) or "
                                             "--planted (--allocator planted-N=PATH slowdowns must be detected)");
  val->add_flag("--aa", val_aa, "A/A check: baseline vs baseline-copy (same library)");
  val->add_flag("--planted", val_planted, "Planted-slowdown detection");
  val->add_option("--workloads", val_args.workloads, "default | all | NAME,...")->capture_default_str();
  val->add_option("--allocator", val_args.custom, "planted-N=PATH (repeatable)");
  val->add_option("--rounds", val_args.rounds, "Rounds");
  val->add_flag("--quick", val_args.quick, "Fewer rounds, shorter min-time");
  val->add_option("--min-time", val_args.min_time, "--benchmark_min_time per child");
  val->add_option("--seed", val_args.seed, "Seed");
  val->add_option("--alpha", val_args.alpha, "Significance level")->capture_default_str();
  val->add_option("--out,-o", val_args.out, "Results file");
  add_paths(val, common);
  add_style(val, common);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  try {
    PosixProcessRunner pr;
    if (*list) return list_verb(common, list_json);
    if (*run) {
      finish_args(run_args, common, run);
      install_interrupt_handlers();
      return run_verb(run_args, command_line, pr);
    }
    if (*compare) {
      Style st = common.to_style();
      RunResults a = load_results(compare_files_args[0]);
      if (compare_files_args.size() == 2) {
        RunResults b = load_results(compare_files_args[1]);
        auto rows = compare_files(a, b, compare_alpha);
        if (rows.empty())
          throw HarnessError("compare: the two files have no (allocator, workload) cell with successful samples in common");
        std::fputs(render_compare(rows, "A", "B", compare_alpha, st).c_str(), stdout);
        std::printf("A = %s\nB = %s\n", compare_files_args[0].c_str(), compare_files_args[1].c_str());
      } else {
        std::string ref = compare_reference.empty() ? a.options.reference : compare_reference;
        if (!a.find_allocator(ref))
          throw HarnessError(fmt::format("compare --reference {}: not in {}", ref, compare_files_args[0]));
        auto rows = compare_within(a, ref, compare_alpha);
        std::fputs(render_compare(rows, ref, "allocator", compare_alpha, st).c_str(), stdout);
        std::printf("Within %s, paired by round: ratio = allocator / %s.\n", compare_files_args[0].c_str(), ref.c_str());
      }
      return kExitOk;
    }
    if (*gate) {
      gate_opt.max_regression = parse_fraction(gate_max);
      RunResults cand = load_results(gate_results);
      RunResults base = load_results(gate_baseline);
      GateReport rep = evaluate_gate(cand, base, gate_opt);
      std::fputs(render_gate(rep, gate_opt, common.to_style()).c_str(), stdout);
      return rep.passed() ? kExitOk : kExitFailures;
    }
    if (*report) {
      RunResults r = load_results(report_file);
      AblationReport rep = build_ablation(r);
      std::map<std::string, std::string> names;
      if (!report_out.empty()) {
        ensure_parent_dir(report_out);
        for (const auto& [kind, svg] : charts_for(rep)) {
          std::string path = stem_path(report_out, "-" + kind + ".svg");
          write_file_atomically(path, svg);
          names[kind] = fs::path(path).filename().string();
        }
        write_file_atomically(report_out, render_report_md(r, rep, names));
        std::fprintf(stderr, "harness: report: %s (+ %zu SVG charts)\n", report_out.c_str(), names.size());
      } else {
        std::fputs(render_report_md(r, rep, names).c_str(), stdout);
      }
      return kExitOk;
    }
    if (*exp) {
      RunResults r = load_results(export_file);
      std::string text = to_gbench(r).dump(1) + "\n";
      if (export_out.empty())
        std::fputs(text.c_str(), stdout);
      else
        write_file_atomically(export_out, text);
      return kExitOk;
    }
    if (*check) {
      int rc = kExitOk;
      for (const auto& f : check_files_args) {
        try {
          RunResults r = load_results(f);
          std::printf("%s: valid (schema_version 1, %zu samples, %s)\n", f.c_str(), r.samples.size(),
                      r.complete ? "complete" : "incomplete");
        } catch (const HarnessError& e) {
          std::printf("%s: INVALID: %s\n", f.c_str(), e.what());
          rc = kExitUsage;
        }
      }
      return rc;
    }
    if (*exec) {
      install_interrupt_handlers();
      std::optional<Manifest> m;
      if (exec_args.variants != "none") m = load_manifest(common.manifest);
      SelectionRequest req{exec_args.variants, exec_args.peers, exec_args.custom, false, true};
      auto sel = select_allocators(m ? &*m : nullptr, req, discover_peers(default_peer_search()));
      for (const auto& w : sel.warnings) std::fprintf(stderr, "harness: warning: %s\n", w.c_str());
      // glibc first: the run every other stdout is compared with.
      std::vector<AllocatorSpec> allocs;
      AllocatorSpec glibc;
      glibc.name = "glibc";
      glibc.kind = AllocatorKind::peer;
      allocs.push_back(glibc);
      for (const auto& a : sel.allocators)
        if (a.name != "glibc") allocs.push_back(a);
      auto results = run_exec(allocs, exec_cmd, exec_timeout, pr);
      std::fputs(render_exec(results, common.to_style().plain).c_str(), stdout);
      if (interrupt_requested()) return kExitInterrupted;
      return exec_exit_code(results);
    }
    if (*cg) {
      install_interrupt_handlers();
      cg_args.manifest = common.manifest;
      cg_args.runner = common.runner;
      cg_args.style = common.to_style();
      cg_args.reference_given = cg->count("--reference") > 0;
      cg_args.out_prefix = "callgrind";
      cg_args.out = cg_out;
      cg_args.rounds = 1;
      PreparedRun prep = prepare_run(cg_args, command_line, pr);
      RunResults& res = prep.results;
      res.options.rounds = 0;  // no timed rounds in this file
      for (const auto& w : prep.warnings) std::fprintf(stderr, "harness: warning: %s\n", w.c_str());
      CallgrindSettings cs;
      cs.valgrind = cg_valgrind;
      cs.runner = common.runner;
      cs.iterations = cg_iterations;
      cs.timeout_s = cg_timeout;
      ProgressPrinter progress(cg_args.style, nullptr);
      res.instructions = run_callgrind(res.allocators, res.workloads, cs, pr, progress);
      progress.finish();
      res.complete = !interrupt_requested();
      save_results(prep.out_path, res, summarize_run(res));
      std::fputs(render_instructions(res.instructions, res.options.reference, cg_args.style.plain).c_str(), stdout);
      std::fprintf(stderr, "harness: results: %s\n", prep.out_path.c_str());
      if (!res.complete) return kExitInterrupted;
      for (const auto& i : res.instructions)
        if (i.status != Status::ok) return kExitFailures;
      return kExitOk;
    }
    if (*val) {
      val_args.manifest = common.manifest;
      val_args.runner = common.runner;
      val_args.style = common.to_style();
      install_interrupt_handlers();
      return validate_verb(val_aa, val_planted, val_args, command_line, pr);
    }
  } catch (const HarnessError& e) {
    std::fprintf(stderr, "harness: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "harness: internal error: %s\n", e.what());
    return kExitUsage;
  }
  return kExitUsage;
}

}  // namespace alloclab::harness
