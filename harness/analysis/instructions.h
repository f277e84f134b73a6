// analysis/instructions.h — instruction counts from a `harness callgrind` results file beside a
// timed run (`harness report FILE --instructions CALLGRIND.json`).
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

// Copies cg's ok instruction counts into r.instructions for the allocators and workloads r
// measured (replacing r's own count of the same cell). Returns notes that name what was
// skipped: allocators or workloads of cg that r does not have, failed counts. Throws
// HarnessError (exit 2) when cg has no instruction counts at all (not a callgrind results file).
std::vector<std::string> merge_instructions(RunResults& r, const RunResults& cg, const std::string& origin);

}  // namespace alloclab::harness
