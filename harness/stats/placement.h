// Code placement: how much a ratio moves when only the layout of the code changes. The run
// rotates build-time layout copies (and stack offsets) over the rounds; grouping a cell's
// paired ratios by the layout copy they were measured with separates the between-layout
// variation (placement) from the round-to-round noise within one layout.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace alloclab::stats {

struct Placement {
  std::size_t layouts = 0;  // groups (copies) with at least min_per_group usable ratios
  double spread = 1;        // max / min of the groups' median ratios (>= 1)
  // Between-copy SD of the log ratio: the square root of the variance component sigma_b^2 of
  // a one-way random-effects model log r_gi = mu + b_g + e_gi, estimated by the method of
  // moments (ANOVA), truncated at 0:
  //   MSB = sum_g n_g (m_g - m)^2 / (k - 1),  MSW = sum_g sum_i (x_gi - m_g)^2 / (N - k),
  //   n0 = (N - sum_g n_g^2 / N) / (k - 1),   sigma_b^2 = max(0, (MSB - MSW) / n0),
  // with m_g the group means of the log ratios, m the grand mean, k groups, N values.
  // 0 when the copies differ no more than the rounds within a copy do.
  double sd_log = 0;
  bool valid() const { return layouts >= 2; }  // at least two copies with enough ratios
};

// ratios_by_copy[g] = the paired ratios (candidate / reference, > 0) measured with layout g.
// Non-finite and non-positive values are skipped; a group with fewer than min_per_group
// values left is ignored (min_per_group < 2 counts as 2: a single value has no within-copy
// spread). Fewer than two groups left: layouts = that count, spread 1, sd_log 0 (!valid()).
// The median of a group is stats::median (the midpoint of the two middle values for even n).
Placement placement(std::span<const std::vector<double>> ratios_by_copy, std::size_t min_per_group = 2);

// max / min over {1} ∪ ratios (non-finite and non-positive ratios skipped): how far apart
// the reference (ratio 1) and its copies are, e.g. baseline and its layout copies in
// `harness validate --layout`. Empty input gives 1.
double placement_spread(std::span<const double> ratios);

}  // namespace alloclab::stats
