// run/callgrind.h — deterministic instruction counts: valgrind --tool=callgrind over the runner's
// fixed-iterations mode, counting only inside alloclab_measured_region; the total Ir divided
// by the mallocs the runner reports = instructions per malloc. Callgrind serialises threads
// and misses kernel work: report it beside time, never instead of it. No preload check here
// (the fixed-iterations output has no malloc_provider); the same LD_PRELOAD as `run` is used.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/defaults.h"
#include "core/types.h"
#include "run/process_runner.h"
#include "run/scheduler.h"

namespace alloclab::harness {

struct CallgrindSettings {
  std::string valgrind = "valgrind";
  std::string runner;
  std::int64_t iterations = CallgrindDefaults::kIterations;  // whole workload runs (each is many mallocs)
  double timeout_s = CallgrindDefaults::kRunMinTimeout;
  std::string out_dir;  // where callgrind.out files go ("" = a temp dir, removed afterwards)
};

ChildSpec callgrind_spec(const CallgrindSettings& s, const AllocatorSpec& a, const WorkloadSpec& w,
                         const std::string& out_file);

// Total Ir from a callgrind out file: the first number of its "summary:" line, else of its
// "totals:" line.
std::optional<std::int64_t> parse_callgrind_total(const std::string& text);

InstructionCount interpret_callgrind(const AllocatorSpec& a, const WorkloadSpec& w, const ChildResult& r,
                                     const std::optional<std::string>& out_text, double timeout_s);

// Every allocator × workload once, in order. Failures are recorded in the counts (status,
// error) and reported through observer.on_failure.
std::vector<InstructionCount> run_callgrind(const std::vector<AllocatorSpec>& allocators,
                                            const std::vector<WorkloadSpec>& workloads, const CallgrindSettings& s,
                                            ProcessRunner& pr, SchedulerObserver& observer);

}  // namespace alloclab::harness
