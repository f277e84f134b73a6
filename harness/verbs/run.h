// verbs/run.h — `harness run`: resolve names (all errors before any child runs), schedule,
// save after every round, print the table. Also used by `harness validate`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/allocators.h"
#include "run/process_runner.h"
#include "report/text_table.h"
#include "core/types.h"

namespace alloclab::harness {

// Defaults, chosen so that the README's `harness run --variants all` (12 variants + 4 peers,
// the default workloads) fits in 10 minutes on 2 cores and `--quick` in 2 (see README.md).
struct RunDefaults {
  // An exact two-sided Wilcoxon signed-rank test on n pairs cannot reach p < 0.05 below
  // n = 6 (its smallest p is 2 / 2^n): fewer rounds can never mark a difference significant.
  static constexpr int kRounds = 10;
  static constexpr double kMinTime = 0.1;
  static constexpr double kWarmupMinTime = 0.02;
  static constexpr int kQuickRounds = 6;
  static constexpr double kQuickMinTime = 0.01;
  static constexpr double kQuickWarmupMinTime = 0.005;
  static constexpr double kTimeout = 30;
};

struct RunArgs {
  std::string variants = "default", workloads = "default", peers = "all";
  std::vector<std::string> custom;  // NAME=PATH
  std::optional<int> rounds;
  std::optional<double> min_time, timeout;
  bool quick = false;
  std::string out;  // "" = results/run-<UTC>.json
  std::optional<std::uint64_t> seed;
  bool stats = false;
  double alpha = 0.05;
  std::string reference = "baseline";
  bool reference_given = false;
  std::string format = "json";  // json | gbench (gbench also writes <out>.gbench.json)
  int jobs = 1;
  bool callgrind = false;
  std::int64_t callgrind_iterations = 2;
  bool warmup = true, verify = true;
  std::string manifest, runner, valgrind = "valgrind";
  Style style;
  // For tests: where peers are looked for, and whether library files must exist.
  std::optional<PeerSearch> peer_search;
  bool check_files = true;
  std::string out_prefix = "run";  // default file name prefix
};

struct PreparedRun {
  RunResults results;
  std::vector<std::string> warnings;
  std::string out_path;
};

// Throws HarnessError (exit 2) on bad flags, unknown names, missing files.
PreparedRun prepare_run(const RunArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);
// Runs the prepared schedule; returns the exit code (0, 1 = failed cells, 130 = interrupted).
int execute_run(PreparedRun& run, const RunArgs& args, ProcessRunner& pr);
int run_verb(const RunArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);

}  // namespace alloclab::harness
