// io/placement_json.h — the optional placement objects of a results file's summary
// (summary.cells[].ratios[].placement, written by `harness run --layouts K`).
#pragma once

#include "analysis/placement.h"
#include "core/types.h"

namespace alloclab::harness {

// Every summary.cells[i].ratios[j].placement {layouts, spread, sd_log} as
// (cells[i].allocator, ratios[j].reference, cells[i].workload) -> Placement. Entries without a
// usable spread (missing, not a number, < 1) are left out; no summary gives an empty map.
PlacementMap placements_from_json(const json& results);

}  // namespace alloclab::harness
