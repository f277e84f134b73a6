// Statistics for noisy throughput samples: per-cell summaries, paired ratios with bootstrap
// confidence intervals, rank tests. Pure functions, deterministic for a given seed.
//
// Why paired: on a noisy 2-core machine one build's throughput moves 25-40 % between runs,
// but a round measures every cell once, so candidate and reference measured in the same
// round share that drift. The ratio candidate[i]/reference[i] cancels it; a comparison of
// the two unpaired samples (Mann-Whitney) does not.
//
// Determinism: the bootstrap uses its own PRNG (Rng below: xoshiro256** seeded through
// splitmix64, unbiased bounded draws by rejection) and only IEEE-exact operations (division,
// comparison, midpoint), so paired_ratio's ratio and CI are bit-identical on every platform
// for a given seed. p-values from the exact distributions are ratios of integer counts;
// those from the normal approximation go through std::erfc (libm, last-ulp differences).
//
// Non-finite inputs (NaN, ±inf) are skipped everywhere: a failed measurement must not
// poison a cell.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace alloclab::stats {

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
//                of those n values): sort the resampled medians m[0..B-1],
//                k = max(1, ceil(alpha/2 * B)), CI = [m[k-1], m[B-k]] (the k-th smallest and
//                k-th largest; B = 10000, alpha = 0.05 gives m[249], m[9750]).
//                p from wilcoxon_signed_rank_p on the log ratios (computed as
//                sign * (max(c/r, r/c) - 1), which has the same signs, ties and order of
//                magnitudes as log(c/r) and needs no libm); pairs with c/r == 1 drop out.
// Note: the exact two-sided signed-rank p is at least 2^(1-n), so with alpha = 0.05 a
// verdict needs n_pairs >= 6 (n_pairs 5, all one way, gives p = 0.0625).
// Throws std::invalid_argument if the spans differ in length, alpha is not in (0, 1) or
// resamples < 1.
inline constexpr std::size_t kMinPairsForVerdict = 3;
RatioEstimate paired_ratio(std::span<const double> candidate, std::span<const double> reference,
                           double alpha = 0.05, std::uint64_t seed = 1, int resamples = 10000);

// Two-sided p-values. Exact distributions for small samples without ties, normal
// approximation with tie and continuity correction otherwise.
//   Mann-Whitney: exact when n1 + n2 <= kMannWhitneyExactMaxTotal and no value occurs twice
//     in the pooled sample; p = min(1, 2 * min(P(U <= u), P(U >= u))).
//   Signed rank: exact when n <= kSignedRankExactMaxN (after dropping zeros) and no two |d|
//     are equal; p = min(1, 2 * min(P(W+ <= w), P(W+ >= w))).
//   Normal: z = max(0, |S - E S| - 0.5) / sd(S) with the tie-corrected variance,
//     p = erfc(z / sqrt 2); sd(S) == 0 (everything tied) gives p = 1.
// Non-finite values are dropped; an empty sample gives p = 1.
inline constexpr std::size_t kMannWhitneyExactMaxTotal = 60;  // counts <= C(60,30) < 2^63
inline constexpr std::size_t kSignedRankExactMaxN = 50;
double mann_whitney_u_p(std::span<const double> a, std::span<const double> b);
double wilcoxon_signed_rank_p(std::span<const double> differences);  // zeros are dropped

// The same tests with their statistic and the method used (for reports and tests).
struct RankTest {
  double statistic = 0;  // Mann-Whitney: U of the first sample (midranks); signed rank: W+
  double p_value = 1;
  std::size_t n = 0;   // observations used: n1 + n2, or the number of non-zero differences
  bool exact = false;  // true: exact null distribution; false: normal approximation
};
RankTest mann_whitney_u_test(std::span<const double> a, std::span<const double> b);
RankTest wilcoxon_signed_rank_test(std::span<const double> differences);

// The bootstrap's PRNG, exposed so other harness code (e.g. the round shuffle) can use the
// same platform-independent stream: xoshiro256** whose state is filled by splitmix64(seed).
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();                      // xoshiro256**
  std::uint64_t below(std::uint64_t bound);  // uniform in [0, bound), unbiased; bound >= 1
 private:
  std::uint64_t s_[4];
};
// splitmix64 step: advances state, returns the next output (Vigna's reference algorithm).
std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace alloclab::stats
