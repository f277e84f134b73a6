// verbs/run.h — `harness run`: resolve names (all errors before any child runs), schedule,
// checkpoint after every round, print the table. prepare_run / execute_run are also used by
// `harness validate` and `harness callgrind`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/defaults.h"
#include "core/types.h"
#include "report/text_table.h"
#include "run/allocators.h"
#include "run/process_runner.h"

namespace alloclab::harness {

enum class RunFormat { json, gbench };  // gbench also writes <out>.gbench.json

struct RunArgs {
  std::string variants = "default", workloads = "default", peers = "all";
  std::vector<std::string> custom;  // NAME=PATH
  std::optional<int> rounds;
  std::optional<double> min_time, timeout;
  bool quick = false;
  std::string out;  // "" = results/<out_prefix>-<UTC>.json
  std::optional<std::uint64_t> seed;
  bool stats = false;
  double alpha = RunDefaults::kAlpha;
  std::string reference = "baseline";
  bool reference_given = false;
  RunFormat format = RunFormat::json;
  int jobs = 1;
  bool callgrind = false;
  std::int64_t callgrind_iterations = CallgrindDefaults::kIterations;
  bool warmup = true, verify = true;
  int layouts = RunDefaults::kLayouts;  // --layouts K
  bool aslr = true;                     // --aslr on|off
  std::string manifest, runner, valgrind = "valgrind";
  // Real programs (--workloads real, real:NAME; harness exec): programs.json, {bin}, the probe.
  std::string real_programs, real_bin, probe;
  // `harness exec -- CMD`: the one real workload (its stdout compared with glibc's unless
  // check_output is false); empty for `run`.
  std::vector<std::string> exec_command;
  bool check_output = true;
  Style style;
  // For tests: where peers are looked for, and whether library files must exist.
  std::optional<PeerSearch> peer_search;
  bool check_files = true;
  std::string out_prefix = "run";  // default file name prefix
  std::string shard;               // --shard K/N ("" = the whole matrix)
  bool print_tables = true;        // false: execute_run prints no tables (a verb prints its own)
};

struct PreparedRun {
  RunResults results;
  std::vector<std::string> warnings;
  std::string out_path;
};

CLI::App* add_run_verb(CLI::App& app, RunArgs& args);

// Throws HarnessError (exit 2) on bad flags, unknown names, missing files.
PreparedRun prepare_run(const RunArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);
// Runs the prepared schedule; returns the exit code (0, 1 = failed cells, 130 = interrupted).
int execute_run(PreparedRun& run, const RunArgs& args, ProcessRunner& pr);
int run_verb(const RunArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);

}  // namespace alloclab::harness
