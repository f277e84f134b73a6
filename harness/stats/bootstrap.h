// The one percentile rule for every bootstrap CI in harness/stats (paired_ratio,
// unpaired_ratio, factorial_effects).
#pragma once

#include <span>

namespace alloclab::stats {

struct Interval {
  double low = 0, high = 0;
};

// Percentile interval of level 1 - alpha from B bootstrap statistics sorted ascending,
// m[0] <= ... <= m[B-1]: k = max(1, ceil(alpha/2 * B)) (also capped at ceil(B/2), which only
// matters for pathological rounding), CI = [m[k-1], m[B-k]] — the k-th smallest and the
// k-th largest value, i.e. inverse-ECDF percentiles without interpolation, so both ends are
// resampled statistics (IEEE-exact: no arithmetic on the values, only on alpha and B).
// Examples: B = 10000, alpha = 0.05: [m[249], m[9750]]; B = 40: k = 1, [m[0], m[39]];
// B = 500: k = 13, [m[12], m[487]]; B = 1: [m[0], m[0]].
// Non-finite values are skipped (B counts the finite ones); the finite ones must be in
// ascending order. Throws std::invalid_argument if alpha is not in (0, 1), no value is
// finite, or the finite values are not sorted.
Interval percentile_interval(std::span<const double> sorted, double alpha);

}  // namespace alloclab::stats
