// report/svg.h — hand-written SVG horizontal bar charts of ratios with CI whiskers (for the
// Markdown ablation report). Bars start at the reference line (1.0) and go left or right.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/ablation.h"

namespace alloclab::harness {

struct Bar {
  std::string label;
  double value = 1, lo = 1, hi = 1;
  bool significant = false;
  std::string group;  // bars of a group share a colour band label (e.g. the workload)
};

// higher_is_better: significant bars above the reference are green, below red (throughput);
// false reverses it (memory: less is better).
std::string bar_chart_svg(const std::string& title, const std::string& axis_label, const std::vector<Bar>& bars,
                          double reference = 1.0, bool higher_is_better = true);

// Rows × columns of ratios on a diverging colour scale (log ratio; green > 1, red < 1, white 1;
// saturated at ±30 %), the percentage written in each cell, a black frame where `framed`.
struct HeatCell {
  double value = 1;
  bool present = false, framed = false;
  std::string mark;  // written after the percentage (✔ † ·)
};
std::string heat_map_svg(const std::string& title, const std::vector<std::string>& rows,
                         const std::vector<std::string>& columns, const std::vector<std::vector<HeatCell>>& cells,
                         const std::string& legend);

std::string xml_escape(const std::string& s);

// The ablation report's charts by kind, as SVG documents; kinds without a bar are left out:
// "heatmap" (workloads × factors: add-one, or the main effects when the factorial ran; framed
// where the effect counts), "memory" (the significant peak-RSS changes only, less = green),
// and the forest plots "add_one", "remove_one", "main_effects".
std::map<std::string, std::string> charts_for(const AblationReport& rep);

}  // namespace alloclab::harness
