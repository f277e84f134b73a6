// Ratios of throughputs with bootstrap CIs and rank-test verdicts: paired (candidate and
// reference measured in the same rounds) and unpaired (two independent runs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace alloclab::stats {

// Candidate vs reference measured in the same rounds: pair i is (candidate[i], reference[i]).
struct RatioEstimate {
  std::size_t n_pairs = 0;
  double ratio = 1;                // median of per-pair ratios candidate/reference
  double ci_low = 1, ci_high = 1;  // bootstrap percentile CI of that median, level 1 - alpha
  double p_value = 1;              // two-sided Wilcoxon signed-rank test on log ratios
  bool significant = false;        // p_value < alpha AND the CI excludes 1
};
// Pairs where either value is <= 0 or non-finite, or whose ratio over/underflows, are
// skipped; n_pairs counts the rest. A verdict needs n_pairs >= kMinPairsForVerdict:
//   n_pairs == 0: ratio 1, CI [1, 1], p 1, not significant.
//   n_pairs 1-2: ratio = median of the ratios, CI = [min, max] of the ratios, p 1,
//                not significant.
//   n_pairs >= 3: CI from B = `resamples` bootstrap resamples of the pairs (each: n draws
//                Rng(seed).below(n) indexing the ascending-sorted ratios, then the median
//                of those n values): sort the resampled medians m[0..B-1], then
//                percentile_interval(m, alpha) (bootstrap.h): k = max(1, ceil(alpha/2 * B)),
//                CI = [m[k-1], m[B-k]] (the k-th smallest and k-th largest; B = 10000,
//                alpha = 0.05 gives m[249], m[9750]).
//                p from wilcoxon_signed_rank_p on the log ratios (computed as
//                sign * (max(c/r, r/c) - 1), which has the same signs, ties and order of
//                magnitudes as log(c/r) and needs no libm); pairs with c/r == 1 drop out.
// Note: the exact two-sided signed-rank p is at least 2^(1-n), so with alpha = 0.05 a
// verdict needs n_pairs >= 6 (n_pairs 5, all one way, gives p = 0.0625).
// Throws std::invalid_argument if the spans differ in length, alpha is not in (0, 1) or
// resamples < 1.
inline constexpr std::size_t kMinPairsForVerdict = 3;
RatioEstimate paired_ratio(std::span<const double> candidate, std::span<const double> reference, double alpha = 0.05,
                           std::uint64_t seed = 1, int resamples = 10000);

// Two independent samples a (e.g. the baseline run) and b (the candidate run) of one cell.
struct UnpairedRatio {
  std::size_t n_a = 0, n_b = 0;       // finite values used from each side
  double median_a = 0, median_b = 0;  // median() of each side
  double ratio = 1;                   // median_b / median_a (0 when median_a == 0)
  double ci_low = 1, ci_high = 1;     // bootstrap percentile CI of that ratio, level 1 - alpha
  double p_value = 1;                 // two-sided Mann-Whitney U test of a against b
  bool significant = false;           // p_value < alpha AND the CI excludes 1
};
// Non-finite values are skipped on each side independently (there are no pairs).
//   Either side empty: medians 0, ratio 1, CI [1, 1], p 1, not significant (n_a, n_b set).
//   Otherwise: CI from B = `resamples` bootstrap replicates, each drawing n_a values of a
//     (Rng(seed).below(n_a) indexing a's finite values in input order) and then n_b values
//     of b from the same stream; the replicate's statistic is median(b*) / median(a*), and
//     replicates with median(a*) == 0 (or a ratio that overflows) are dropped. The B' kept
//     statistics are sorted and percentile_interval(m, alpha) gives the CI; B' == 0 gives
//     CI [ratio, ratio].
//     p = mann_whitney_u_p(a, b): the distributions, not the medians, are compared, so a
//     significant verdict needs both a shifted distribution and a CI of the median ratio
//     that excludes 1. No minimum sample size; the exact two-sided Mann-Whitney p is at
//     least 2 / C(n_a + n_b, n_a), so alpha = 0.05 needs n_a + n_b >= 8 (4 + 4: p = 1/35).
// Same resampling as harness' compare_unpaired before issue 6 (same Rng stream, same draws,
// same ratios, for finite inputs); only the percentile rule changed, from linear interpolation
// at q (B-1) between order statistics to percentile_interval (for B = 10000, alpha = 0.05:
// [m[249], m[9750]] instead of about 0.025 m[249] + 0.975 m[250] and m[9749] + 0.025 (m[9750]
// - m[9749]); the new ends are resampled ratios, and the CI is never narrower whenever
// frac(alpha/2 * B) is 0 or >= alpha/2, as for every B the harness uses).
// Throws std::invalid_argument if alpha is not in (0, 1) or resamples < 1.
UnpairedRatio unpaired_ratio(std::span<const double> a, std::span<const double> b, double alpha = 0.05,
                             std::uint64_t seed = 1, int resamples = 10000);

}  // namespace alloclab::stats
