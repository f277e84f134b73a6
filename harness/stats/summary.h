// Per-cell summaries of noisy samples: median, mean, spread, distribution-free CI of the median.
#pragma once

#include <cstddef>
#include <span>

namespace alloclab::stats {

// Median of the finite values: the middle one for odd n, the midpoint 0.5 * (lo + hi) of the
// two middle ones for even n (the same expression summarize and paired_ratio use). No finite
// value (empty input, or only NaN/±inf) gives 0, like harness' old median_of on an empty
// vector — callers use 0 as "no data" (e.g. a cell without successful samples).
double median(std::span<const double> values);

// Geometric mean of the finite values > 0 (others skipped); 0 when none is left. Used to rank
// variants by their per-workload median ratios: a ranking, not a test.
double geometric_mean(std::span<const double> values);

// Per-cell summary of R samples (e.g. mallocs/sec of one allocator x workload, one per round).
// Non-finite samples are skipped; n counts the finite ones. n == 0: every field is 0.
struct Summary {
  std::size_t n = 0;
  double median = 0, mean = 0, stddev = 0;  // stddev: sample (n-1); 0 when n == 1
  double cv = 0;                            // stddev / mean (0 when mean == 0)
  double min = 0, max = 0;
  double ci_low = 0, ci_high = 0;  // 95 % CI of the median (distribution-free, order statistics)
};
// The CI is [x(k), x(n+1-k)] (1-based order statistics) with the largest k such that
// 2 * P(Binomial(n, 1/2) <= k-1) <= 0.05, so its coverage is >= 95 % for any continuous
// distribution. No such k exists for n <= 5: the CI is then [min, max] (coverage 1 - 2^(1-n),
// e.g. 93.75 % for n = 5). Exact binomial sums for n <= 1000, normal approximation above.
Summary summarize(std::span<const double> samples);

// The 1-based rank k of the lower end of summarize's CI for n samples (see above);
// n == 0 gives 0. Exposed for reports that want to say "between the 6th and 15th value".
std::size_t median_ci_rank(std::size_t n);

}  // namespace alloclab::stats
