// Two-sided rank tests: Mann-Whitney U (two independent samples) and Wilcoxon signed rank
// (paired differences). Checked against SciPy by tests/harness/scipy_rank_check.py.
#pragma once

#include <cstddef>
#include <span>

namespace alloclab::stats {

// Two-sided p-values. Exact distributions for small samples without ties, normal
// approximation with tie and continuity correction otherwise.
//   Mann-Whitney: exact when n1 + n2 <= kMannWhitneyExactMaxTotal and no value occurs twice
//     in the pooled sample; p = min(1, 2 * min(P(U <= u), P(U >= u))).
//   Signed rank: exact when n <= kSignedRankExactMaxN (after dropping zeros) and no two |d|
//     are equal; p = min(1, 2 * min(P(W+ <= w), P(W+ >= w))).
//   Normal: z = max(0, |S - E S| - 0.5) / sd(S) with the tie-corrected variance,
//     p = erfc(z / sqrt 2); sd(S) == 0 (everything tied) gives p = 1.
//     (Both statistics are multiples of 1/2 and so are their means, so |S - E S| is 0 or
//     >= 1/2 and the max(0, .) never clips a non-zero distance: the same p as SciPy's
//     mannwhitneyu(use_continuity=True) and wilcoxon(zero_method='wilcox', correction=True).)
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

}  // namespace alloclab::stats
