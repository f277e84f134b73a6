// report/markdown.h — `harness report FILE --format md`: the ablation report
// (analysis/ablation.h) as Markdown for code review.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/ablation.h"
#include "analysis/fidelity.h"
#include "core/types.h"

namespace alloclab::harness {

// `svg_names` maps chart kinds ("heatmap", "memory", "add_one", "remove_one", "main_effects")
// to the file names the Markdown links to; charts_for() (report/svg.h) produces their content.
// Order: verdicts, the five-line summary, chart files, the families of tests, the heat map and
// its table, peers, memory (changed rows only), the fidelity sections (report/fidelity_md.h: one
// per external family in `fidelity`; none without one), per-workload tables, forest plots.
std::string render_report_md(const RunResults& r, const AblationReport& rep,
                             const std::map<std::string, std::string>& svg_names,
                             const std::vector<FidelityReport>& fidelity = {});

}  // namespace alloclab::harness
