// verbs/exec.h — `harness exec [flags] -- CMD ARGS…`: a real program measured like a workload:
// R shuffled rounds over the allocators (glibc always among them), paired ratios and the
// results JSON of `run` (one real workload named exec:<program>), its stdout compared with
// the glibc run in every sample (--no-check-output for programs whose output varies), the
// exit probe proving the allocator answered. A command that cannot start is exit 2.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/defaults.h"
#include "run/process_runner.h"
#include "verbs/run.h"

namespace alloclab::harness {

struct ExecArgs {
  ExecArgs() {
    selection.variants = "baseline,all";
    selection.peers = "glibc";
    selection.out_prefix = "exec";
  }
  RunArgs selection;  // --variants, --peers, --allocator, --rounds, --out, --seed, paths, --style
  std::vector<std::string> command;
  bool check_output = true;
};

CLI::App* add_exec_verb(CLI::App& app, ExecArgs& args);
int exec_verb(const ExecArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);

}  // namespace alloclab::harness
