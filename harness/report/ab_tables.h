// report/ab_tables.h — `harness ab`'s terminal output: the instruction cells first (exact), then
// the wall-time cells (paired head/base ratios), then the verdict and how to re-run a cell.
#pragma once

#include <string>

#include "analysis/ab.h"
#include "report/text_table.h"

namespace alloclab::harness {

std::string render_ab(const AbReport& rep, const AbContext& ctx, const Style& style);

// "ab FAILED: 2 of 4 instruction cells, 1 of 4 wall-time cells" / "ab passed: ..." (one line).
std::string ab_verdict_line(const AbReport& rep, const AbContext& ctx);

}  // namespace alloclab::harness
