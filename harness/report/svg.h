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

std::string bar_chart_svg(const std::string& title, const std::string& axis_label, const std::vector<Bar>& bars,
                          double reference = 1.0);

std::string xml_escape(const std::string& s);

// The ablation report's charts by kind ("add_one", "remove_one", "memory", "main_effects"), as
// SVG documents; kinds without a bar are left out.
std::map<std::string, std::string> charts_for(const AblationReport& rep);

}  // namespace alloclab::harness
