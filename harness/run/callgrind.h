// run/callgrind.h — deterministic instruction counts: valgrind --tool=callgrind over the runner's
// fixed-iterations mode, counting only inside alloclab_measured_region; the total Ir divided
// by the mallocs the runner reports = instructions per malloc. With the mechanism simulation
// (the default) callgrind also simulates branch prediction and caches in the same region
// (--branch-sim=yes --cache-sim=yes, fixed cache geometry): branches, mispredictions, D1/I1
// and LL misses. Cachegrind cannot do this here: valgrind 3.19 has no region control for it
// (its start/stop client requests came in 3.22), so it would count start-up too. Callgrind
// serialises threads and misses kernel work: report it beside time, never instead of it. No
// preload check here (the fixed-iterations output has no malloc_provider); the same LD_PRELOAD
// as `run` is used. Address-space randomization does not reach the counts: valgrind places the
// client's stack and mappings itself, the same in every run (ctest harness.callgrind_repeat).
// What does vary: allocators that read the clock (ours: os_now_ms for retiring and purging;
// jemalloc's decay) decide differently when the run is slower, and 2-thread workloads switch
// threads at different points, so those cells differ slightly between runs.
#pragma once

#include <map>
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
  std::string out_dir;                             // where callgrind.out files go ("" = a temp dir, removed afterwards)
  bool mechanism = CallgrindDefaults::kMechanism;  // branch and cache simulation
};

ChildSpec callgrind_spec(const CallgrindSettings& s, const AllocatorSpec& a, const WorkloadSpec& w,
                         const std::string& out_file);

// Every event total of a callgrind out file by name ("Ir", "Bc", "D1mr", ...): the "events:"
// line names the columns of its "summary:" line (else of its "totals:" line); nullopt without
// either. Events missing from the line count 0, as callgrind writes them.
std::optional<std::map<std::string, std::int64_t>> parse_callgrind_events(const std::string& text);

// The branch and cache events of a parsed out file; nullopt unless it has both the branch
// (Bc) and the cache (D1mr) events. `caches` is the file's "desc: ... cache:" lines.
std::optional<MechanismCount> mechanism_from_events(const std::map<std::string, std::int64_t>& events,
                                                    const std::string& text);

InstructionCount interpret_callgrind(const AllocatorSpec& a, const WorkloadSpec& w, const ChildResult& r,
                                     const std::optional<std::string>& out_text, double timeout_s, bool mechanism);

// Every allocator × workload once, in order. Failures are recorded in the counts (status,
// error) and reported through observer.on_failure.
std::vector<InstructionCount> run_callgrind(const std::vector<AllocatorSpec>& allocators,
                                            const std::vector<WorkloadSpec>& workloads, const CallgrindSettings& s,
                                            ProcessRunner& pr, SchedulerObserver& observer);

}  // namespace alloclab::harness
