// verbs/ab.h — `harness ab --base REV [--head REV|worktree]`: builds the base revision's variant
// libraries in a cached worktree build (run/revision_build.h), measures base and head libraries
// of the selected variants in the same shuffled rounds with this build's runner (the run verb's
// machinery: prepare_run / execute_run), counts their instructions with callgrind, and gates
// every (variant, workload) on head vs base (analysis/ab.h). Exit 0 pass, 1 regression (or a
// failed cell), 2 unusable input (unknown REV, a base build that fails, missing runner), 130
// interrupted (what was measured is written with "complete": false).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "run/process_runner.h"
#include "verbs/run.h"

namespace alloclab::harness {

enum class AbFormat { text, md };

struct AbArgs {
  RunArgs run;  // --variants, --workloads, rounds, layouts, --out, --manifest, --runner, --style
  std::string base, head = "worktree";
  std::string repo;       // "" = this build's source tree
  std::string cache_dir;  // "" = <build>/ab
  std::string max_regression, max_instructions_regression, max_instructions_regression_threaded;  // "5%", "0.05"
  bool instructions = true;
  AbFormat format = AbFormat::text;
  std::string json_out;  // --json FILE: the verdict
  std::string git = "git", cmake = "cmake";
};

CLI::App* add_ab_verb(CLI::App& app, AbArgs& args);
int ab_verb(const AbArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);

}  // namespace alloclab::harness
