// report/ab_tables.h — `harness ab`'s terminal output (its Markdown and JSON are the gate's:
// analysis/ab.h's ab_sections): the instruction cells first (exact), then
// the wall-time cells (paired head/base ratios), then the verdict and how to re-run a cell.
#pragma once

#include <string>

#include "analysis/ab.h"
#include "report/text_table.h"

namespace alloclab::harness {

std::string render_ab(const AbReport& rep, const AbContext& ctx, const Style& style);

// "ab FAILED: 2 of 4 instruction cells, 1 of 4 wall-time cells" / "ab passed: ..." (one line).
std::string ab_verdict_line(const AbReport& rep, const AbContext& ctx);

// The Markdown verdict's last paragraph: what was built and measured how, where the results are
// (the sections themselves are report/gate_markdown.h's).
std::string ab_provenance(const AbReport& rep, const AbContext& ctx);

}  // namespace alloclab::harness
