// analysis/ablation.h — `harness report FILE --format md`: the ablation report for code review.
// Per workload: add-one contributions (variant X alone vs baseline), remove-one
// contributions (all vs all-but-X), and when all 2^k factor combinations ran, main effects
// and two-factor interactions on log(mallocs/sec) (bootstrap over rounds); memory cost (peak
// RSS ratios); the internal counters that moved most (when the run used --stats).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/svg.h"
#include "core/types.h"

namespace alloclab::harness {

struct Effect {
  std::string label;       // a factor, a variant, or "a × b"
  std::string candidate, reference;  // the variants compared (empty for factorial effects)
  double ratio = 1, ci_low = 1, ci_high = 1;
  double p_value = 1;      // 1 where no test applies (factorial effects: CI only)
  bool significant = false;
  std::size_t n = 0;       // pairs (rounds)
};

struct CounterShift {
  std::string counter;
  double base_per_kmalloc = 0, variant_per_kmalloc = 0;  // medians, per 1000 mallocs
};

struct WorkloadAblation {
  std::string workload;
  std::vector<Effect> add_one, remove_one;
  std::optional<Effect> all_vs_baseline;
  std::vector<Effect> main_effects, interactions;  // factorial only
  std::vector<Effect> memory;                      // peak RSS, variant / baseline
  std::map<std::string, std::vector<CounterShift>> counters;  // add-one variant -> top shifts
};

struct AblationReport {
  std::vector<std::string> factors;
  std::string baseline_name, all_name;
  bool factorial = false;
  std::vector<WorkloadAblation> workloads;
  std::vector<std::string> notes;
};

AblationReport build_ablation(const RunResults& r, int resamples = 2000);

// `svg_names` maps chart kinds ("add_one", "remove_one", "memory", "main_effects") to the
// file names the Markdown links to; charts_for() produces their content.
std::string render_report_md(const RunResults& r, const AblationReport& rep,
                             const std::map<std::string, std::string>& svg_names);
std::map<std::string, std::string> charts_for(const AblationReport& rep);

}  // namespace alloclab::harness
