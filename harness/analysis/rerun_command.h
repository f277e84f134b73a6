// analysis/rerun_command.h — the command that measures one (allocator, workload) cell again
// under the candidate's recorded conditions, and gates it: what a failing cell's report line
// tells the reader to run. Built from the results file alone (allocator kinds and libraries,
// config), so it works for any file the gate reads.
#pragma once

#include <string>

#include "analysis/gate.h"
#include "core/types.h"

namespace alloclab::harness {

// `harness run --variants baseline,all --peers none --workloads larson --rounds 10 --min-time 0.1
//  --layouts 4 --seed 7 --out rerun-all-larson.json` (or `harness callgrind ... --iterations K`
// for Metric::instructions), followed by `&& harness gate --results rerun-....json
// --baseline-results BASELINE --allocator all --workloads larson ...` when `baseline` is given.
std::string rerun_cell_command(const RunResults& candidate, const std::string& allocator, const std::string& workload,
                               const GateOptions& opt, const std::string& baseline = "");

// POSIX shell quoting, only when needed: "abc" stays, "a b" becomes 'a b'.
std::string shell_word(const std::string& s);

}  // namespace alloclab::harness
