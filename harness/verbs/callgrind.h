// verbs/callgrind.h — `harness callgrind`: instructions per malloc (run/callgrind.h) for the
// selected allocators × workloads, written as a results file with an "instructions" section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/defaults.h"
#include "run/process_runner.h"
#include "verbs/run.h"

namespace alloclab::harness {

struct CallgrindArgs {
  CallgrindArgs() { selection.peers = "none"; }
  RunArgs selection;  // --variants, --workloads, --peers, --allocator, --reference, paths, --style
  std::int64_t iterations = CallgrindDefaults::kIterations;
  std::string out;  // "" = results/callgrind-<UTC>.json
  std::string valgrind = "valgrind";
  double timeout = CallgrindDefaults::kTimeout;
  bool mechanism = CallgrindDefaults::kMechanism;  // --mechanism / --no-mechanism
};

CLI::App* add_callgrind_verb(CLI::App& app, CallgrindArgs& args);
int callgrind_verb(const CallgrindArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);

}  // namespace alloclab::harness
