// analysis/ablation.h — the ablation analysis behind `harness report` (report/markdown.h and
// report/svg.h render it). Per workload: add-one contributions (variant X alone vs baseline), remove-one
// contributions (all vs all-but-X), and when all 2^k factor combinations ran, main effects
// and two-factor interactions on log(mallocs/sec) (bootstrap over rounds); memory cost (peak
// RSS ratios); the internal counters that moved most (when the run used --stats).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/defaults.h"
#include "core/types.h"

namespace alloclab::harness {

struct Effect {
  std::string label;                 // a factor, a variant, or "a × b"
  std::string candidate, reference;  // the variants compared (empty for factorial effects)
  double ratio = 1, ci_low = 1, ci_high = 1;
  double p_value = 1;  // 1 where no test applies (factorial effects: CI only)
  bool significant = false;
  std::size_t n = 0;  // pairs (rounds)
};

struct CounterShift {
  std::string counter;
  double base_per_kmalloc = 0, variant_per_kmalloc = 0;  // medians, per 1000 mallocs
};

struct WorkloadAblation {
  std::string workload;
  std::vector<Effect> add_one, remove_one;
  std::optional<Effect> all_vs_baseline;
  std::vector<Effect> main_effects, interactions;             // factorial only
  std::vector<Effect> memory;                                 // peak RSS, variant / baseline
  std::map<std::string, std::vector<CounterShift>> counters;  // add-one variant -> top shifts
};

struct AblationReport {
  std::vector<std::string> factors;
  std::string baseline_name, all_name;
  bool factorial = false;
  std::vector<WorkloadAblation> workloads;
  std::vector<std::string> notes;
};

AblationReport build_ablation(const RunResults& r, int resamples = ResampleDefaults::kReport);

}  // namespace alloclab::harness
