// run/exec.h — `harness exec`: run a real program once per allocator with it preloaded;
// report wall time, peak RSS, page faults, exit status and whether its stdout matched the
// glibc run (always run first).
#pragma once

#include <string>
#include <vector>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

struct ExecResult {
  std::string allocator;
  Status status = Status::ok;
  std::string error;
  int exit_code = -1;
  double wall_s = 0;
  std::int64_t peak_rss_kib = 0, page_faults = 0;
  bool stdout_matches = true;  // same stdout as the first (glibc) run
};

std::vector<ExecResult> run_exec(const std::vector<AllocatorSpec>& allocators, const std::vector<std::string>& command,
                                 double timeout_s, ProcessRunner& pr);
// Non-zero when any run crashed, timed out, did not preload, exited differently from the
// glibc run, or printed something else.
int exec_exit_code(const std::vector<ExecResult>& results);

}  // namespace alloclab::harness
