// run/workloads.h — the runner's workloads (`alloclab-runner --list`) and --workloads selection.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

// Parses `runner --list` output: [{"name","family","description","default","threads","params"}].
// Throws HarnessError on malformed output.
std::vector<WorkloadSpec> parse_workload_list(const std::string& text);

// Runs `runner --list` (with no preload). Throws HarnessError with what to do when the runner
// is missing or fails.
std::vector<WorkloadSpec> list_workloads(ProcessRunner& pr, const std::string& runner);

// default | all | NAME,NAME,...; unknown names throw HarnessError listing the valid ones.
std::vector<WorkloadSpec> select_workloads(const std::vector<WorkloadSpec>& all, const std::string& arg);

}  // namespace alloclab::harness
