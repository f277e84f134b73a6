// verbs/exec.h — `harness exec [--variants …] [--peers …] -- CMD ARGS…`: a real program once
// per allocator (glibc first), compared with the glibc run (run/exec.h runs them).
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
  }
  RunArgs selection;  // --variants, --workloads (unused), --peers, --allocator, paths, --style
  std::vector<std::string> command;
  double timeout = ExecDefaults::kTimeout;
};

CLI::App* add_exec_verb(CLI::App& app, ExecArgs& args);
int exec_verb(const ExecArgs& args, ProcessRunner& pr);

}  // namespace alloclab::harness
