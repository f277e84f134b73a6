// report/gate_markdown.h — the gate's verdict as Markdown: a pull-request comment or a CI job
// summary (`harness gate --format md >> "$GITHUB_STEP_SUMMARY"`). Any verb that fills a
// GateReport (gate, ab) renders with it.
//
// Order: the verdict (PASS / FAIL / REFUSED, regressions, cells gated / not gated, warnings),
// differing measurement conditions, the failing cells with ratios, CIs, p and q and the command
// that re-runs each, instructions per malloc (when either side has counts), the cells not gated
// (collapsed when long), candidate cells without a reference, then every gated cell
// (collapsed).
#pragma once

#include <string>
#include <vector>

#include "analysis/gate.h"

namespace alloclab::harness {

std::string render_gate_markdown(const GateReport& report, const GateOptions& opt, const GateOutputContext& ctx);
// A verdict with several sections (`ab`: instructions, then wall time): "## title: PASS|FAIL|
// REFUSED" (the worst section), one verdict line per section, each section as above one heading
// level down, then `footer` (how it was measured).
std::string render_gate_markdown(const std::string& title, const std::vector<GateSection>& sections,
                                 const std::string& footer);

}  // namespace alloclab::harness
