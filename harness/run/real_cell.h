// run/real_cell.h — one real-program child (or server + clients) of a cell: the allocator and
// the exit probe preloaded, the run, then the checks that make it a measurement or a failure:
// it started, did not time out or crash, exited as expected, printed what the glibc reference
// run printed (deterministic programs), and the probe proves the allocator answered.
//
//   batch:  throughput = 1 / wall_s (runs/s); wall, user, sys, peak RSS of the program (and
//           the children it waited for, e.g. g++'s cc1plus)
//   server: throughput = the load generator's requests/s; wall = the load generator's, user,
//           sys, peak RSS, exit status = the server's; the output compared is the check
//           client's (run/server_run.h)
#pragma once

#include <optional>
#include <string>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

struct RealRunSettings {
  std::string probe;      // the exit probe library
  double timeout_s = 30;  // when the program declares none
};

// The glibc reference run of a workload: what every cell's output and exit status is compared
// with. ok() false = the reference itself failed (every cell of the workload fails then).
struct RealReference {
  Status status = Status::ok;
  std::string error;
  std::optional<std::string> output;  // compared output (nullopt: not deterministic)
  int exit_status = 0;
  bool ok() const { return status == Status::ok; }
};

struct RealRun {
  Sample sample;                      // status, error and the measurements
  std::optional<std::string> output;  // the compared output (stdout, or the check client's)
  bool interrupted = false;
};

// One run of workload `w` (kind real) under `a`. `ref` null = this is the reference run
// (nothing to compare with; the expected exit status is the declared one unless it is "as
// glibc's").
RealRun run_real_program(const AllocatorSpec& a, const WorkloadSpec& w, const RealRunSettings& s,
                         const RealReference* ref, ProcessRunner& pr);

// The reference run: glibc (no allocator preloaded, the probe alone).
RealReference run_real_reference(const WorkloadSpec& w, const RealRunSettings& s, ProcessRunner& pr, bool& interrupted);

// "output differs from glibc's at byte N (line L): …" or "" when equal.
std::string describe_output_difference(const std::string& reference, const std::string& got);

}  // namespace alloclab::harness
