// Tests for harness/stats: rank-test p-values against brute-force enumeration and textbook
// values, bootstrap CI coverage, A/A false-positive rate, power on shifted data (paired and
// under shared per-round drift), edge cases. Deterministic: every data set is seeded.
#include "stats/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace alloclab::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- Independent reference implementations ----------------------------------------------

// Midrank of each value by counting (O(n^2), no sorting): 1 + #smaller + (#equal - 1) / 2.
std::vector<double> naive_midranks(const std::vector<double>& v) {
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    double less = 0, equal = 0;
    for (double x : v) {
      less += x < v[i];
      equal += x == v[i];
    }
    r[i] = 1 + less + (equal - 1) / 2;
  }
  return r;
}

// Exact permutation p of the Mann-Whitney U by enumerating every split of the pooled sample
// (ties handled by midranks): P(|U - E U| >= |u_obs - E U|).
double brute_force_mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> pooled(a);
  pooled.insert(pooled.end(), b.begin(), b.end());
  const std::size_t n = pooled.size(), n1 = a.size();
  const std::vector<double> rank = naive_midranks(pooled);
  const double offset = static_cast<double>(n1 * (n1 + 1)) / 2;
  const double mean = static_cast<double>(n1 * b.size()) / 2;
  double observed = -offset;
  for (std::size_t i = 0; i < n1; ++i) observed += rank[i];
  const double extreme = std::fabs(observed - mean) - 1e-9;
  double hits = 0, total = 0;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<std::size_t>(std::popcount(mask)) != n1) continue;
    double u = -offset;
    for (std::size_t i = 0; i < n; ++i)
      if (mask & (1u << i)) u += rank[i];
    total += 1;
    hits += std::fabs(u - mean) >= extreme;
  }
  return hits / total;
}

// Exact permutation p of the signed-rank W+ by enumerating all 2^n sign patterns (zeros
// dropped, ties by midranks): P(|W+ - E W+| >= |w_obs - E W+|).
double brute_force_signed_rank_p(const std::vector<double>& d_in) {
  std::vector<double> d;
  for (double x : d_in)
    if (x != 0) d.push_back(x);
  const std::size_t n = d.size();
  std::vector<double> mag(n);
  for (std::size_t i = 0; i < n; ++i) mag[i] = std::fabs(d[i]);
  const std::vector<double> rank = naive_midranks(mag);
  double observed = 0, total_rank = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total_rank += rank[i];
    if (d[i] > 0) observed += rank[i];
  }
  const double mean = total_rank / 2;
  const double extreme = std::fabs(observed - mean) - 1e-9;
  double hits = 0;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    double w = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (mask & (1u << i)) w += rank[i];
    hits += std::fabs(w - mean) >= extreme;
  }
  return hits / std::ldexp(1.0, static_cast<int>(n));
}

// Exact two-sided Mann-Whitney p for larger samples without ties, from Mann & Whitney's
// (1947) recursion on arrangement counts: f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
double recursion_mann_whitney_p(std::size_t m, std::size_t n, double u) {
  std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> memo;
  auto f = [&](auto&& self, std::size_t mm, std::size_t nn) -> const std::vector<double>& {
    auto key = std::make_pair(mm, nn);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    std::vector<double> c(mm * nn + 1, 0.0);
    if (mm == 0 || nn == 0) {
      c[0] = 1;
    } else {
      const std::vector<double> a = self(self, mm - 1, nn);  // last element from sample 1
      const std::vector<double> b = self(self, mm, nn - 1);  // last element from sample 2
      for (std::size_t k = 0; k < a.size(); ++k) c[k + nn] += a[k];
      for (std::size_t k = 0; k < b.size(); ++k) c[k] += b[k];
    }
    return memo.emplace(key, std::move(c)).first->second;
  };
  const std::vector<double>& c = f(f, m, n);
  double total = 0, le = 0;
  for (std::size_t k = 0; k < c.size(); ++k) {
    total += c[k];
    if (static_cast<double>(k) <= std::min(u, static_cast<double>(m * n) - u)) le += c[k];
  }
  return std::min(1.0, 2 * le / total);
}

// Exact two-sided signed-rank p for larger n without ties: P_n(w) = (P_{n-1}(w) +
// P_{n-1}(w - n)) / 2 on probabilities.
double recursion_signed_rank_p(std::size_t n, double w) {
  std::vector<double> p{1.0};
  for (std::size_t k = 1; k <= n; ++k) {
    std::vector<double> q(p.size() + k, 0.0);
    for (std::size_t s = 0; s < p.size(); ++s) {
      q[s] += p[s] / 2;
      q[s + k] += p[s] / 2;
    }
    p = std::move(q);
  }
  const double max_w = static_cast<double>(n * (n + 1)) / 2;
  double le = 0;
  for (std::size_t s = 0; s < p.size(); ++s)
    if (static_cast<double>(s) <= std::min(w, max_w - w)) le += p[s];
  return std::min(1.0, 2 * le);
}

// ---- Seeded synthetic data ----------------------------------------------------------------

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return (static_cast<double>(rng_.next() >> 11) + 1) * 0x1.0p-53; }  // (0, 1]
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {  // Box-Muller
    return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * std::numbers::pi * uniform());
  }

 private:
  Rng rng_;
};

struct Pairs {
  std::vector<double> candidate, reference;
};

// Round i: drift_i ~ U(drift_lo, drift_hi) shared by both, independent lognormal noise with
// sigma `noise` on each side, candidate scaled by `true_ratio`. Base throughput 1e6 ops/s.
Pairs make_pairs(Gen& g, int n, double true_ratio, double noise, double drift_lo = 1, double drift_hi = 1) {
  Pairs p;
  for (int i = 0; i < n; ++i) {
    const double drift = drift_lo == drift_hi ? drift_lo : g.uniform(drift_lo, drift_hi);
    p.candidate.push_back(1e6 * drift * true_ratio * std::exp(noise * g.normal()));
    p.reference.push_back(1e6 * drift * std::exp(noise * g.normal()));
  }
  return p;
}

// ---- PRNG -------------------------------------------------------------------------------

TEST(StatsRng, Splitmix64MatchesReferenceOutputs) {
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
}

TEST(StatsRng, Xoshiro256StarStarMatchesReferenceOutputs) {
  // From a transcription of Vigna's reference code, state filled by splitmix64(1).
  Rng rng(1);
  EXPECT_EQ(rng.next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(rng.next(), 0x853b559647364ceaULL);
  EXPECT_EQ(rng.next(), 0x92f89756082a4514ULL);
}

TEST(StatsRng, BelowIsInRangeAndRoughlyUniform) {
  Rng rng(7);
  std::vector<int> hist(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const std::uint64_t x = rng.below(7);
    ASSERT_LT(x, 7u);
    ++hist[x];
  }
  for (int h : hist) EXPECT_NEAR(h, 10000, 400);
  EXPECT_EQ(rng.below(1), 0u);
}

// ---- summarize ----------------------------------------------------------------------------

TEST(StatsSummarize, EmptyInputGivesZeros) {
  const Summary s = summarize({});
  EXPECT_EQ(s.n, 0u);
  EXPECT_EQ(s.median, 0);
  EXPECT_EQ(s.mean, 0);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.ci_low, 0);
  EXPECT_EQ(s.ci_high, 0);
}

TEST(StatsSummarize, SingleSample) {
  const std::vector<double> x{42.5};
  const Summary s = summarize(x);
  EXPECT_EQ(s.n, 1u);
  EXPECT_EQ(s.median, 42.5);
  EXPECT_EQ(s.mean, 42.5);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.min, 42.5);
  EXPECT_EQ(s.max, 42.5);
  EXPECT_EQ(s.ci_low, 42.5);
  EXPECT_EQ(s.ci_high, 42.5);
}

TEST(StatsSummarize, KnownValuesOddN) {
  const std::vector<double> x{9, 1, 8, 2, 7, 3, 6, 4, 5};  // 1..9 shuffled
  const Summary s = summarize(x);
  EXPECT_EQ(s.n, 9u);
  EXPECT_EQ(s.median, 5);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(7.5));
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(7.5) / 5);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 9);
  // n = 9: P(B <= 1) = 10/512 = 0.0195 <= 0.025, P(B <= 2) = 46/512 > 0.025 -> ranks 2 and 8.
  EXPECT_EQ(s.ci_low, 2);
  EXPECT_EQ(s.ci_high, 8);
}

TEST(StatsSummarize, EvenNMedianIsMidpoint) {
  const std::vector<double> x{4, 1, 3, 2};
  const Summary s = summarize(x);
  EXPECT_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(5.0 / 3));
}

TEST(StatsSummarize, MedianCiRanksMatchBinomialTables) {
  // Tiny n: no order statistics reach 95 %, the CI is [min, max].
  for (std::size_t n = 1; n <= 8; ++n) EXPECT_EQ(median_ci_rank(n), 1u) << n;
  EXPECT_EQ(median_ci_rank(0), 0u);
  EXPECT_EQ(median_ci_rank(9), 2u);
  EXPECT_EQ(median_ci_rank(10), 2u);   // P(B<=1)=11/1024, P(B<=2)=56/1024 > 0.025
  EXPECT_EQ(median_ci_rank(15), 4u);   // P(B<=3)=576/32768=0.0176, P(B<=4)=0.059
  EXPECT_EQ(median_ci_rank(20), 6u);   // P(B<=5)=0.0207, P(B<=6)=0.0577
  EXPECT_EQ(median_ci_rank(30), 10u);  // P(B<=9)=0.0214, P(B<=10)=0.0494
  // Normal-approximation branch continues the exact one without a jump.
  const double at_1000 = static_cast<double>(median_ci_rank(1000));
  const double at_1001 = static_cast<double>(median_ci_rank(1001));
  EXPECT_NEAR(at_1000, at_1001, 1.0);
  EXPECT_NEAR(at_1000, 1000 / 2.0 - 0.98 * std::sqrt(1000.0), 1.5);
}

TEST(StatsSummarize, CiUsesOrderStatistics) {
  std::vector<double> x;
  for (int i = 20; i >= 1; --i) x.push_back(i * 10.0);
  const Summary s = summarize(x);
  EXPECT_EQ(s.ci_low, 60);    // 6th smallest
  EXPECT_EQ(s.ci_high, 150);  // 15th smallest
  const std::vector<double> five{5, 1, 4, 2, 3};
  const Summary t = summarize(five);
  EXPECT_EQ(t.ci_low, 1);
  EXPECT_EQ(t.ci_high, 5);
}

TEST(StatsSummarize, NonFiniteSamplesAreSkipped) {
  const std::vector<double> x{3, kNaN, 1, kInf, 2, -kInf};
  const Summary s = summarize(x);
  EXPECT_EQ(s.n, 3u);
  EXPECT_EQ(s.median, 2);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.stddev, 1);
  const std::vector<double> none{kNaN, kInf};
  EXPECT_EQ(summarize(none).n, 0u);
}

TEST(StatsSummarize, AllEqualValuesHaveZeroSpread) {
  const std::vector<double> x(12, 0.1);
  const Summary s = summarize(x);
  EXPECT_EQ(s.n, 12u);
  EXPECT_EQ(s.median, 0.1);
  EXPECT_EQ(s.mean, 0.1);  // exact: the mean is shifted by the median
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.ci_low, 0.1);
  EXPECT_EQ(s.ci_high, 0.1);
}

// ---- Mann-Whitney U -----------------------------------------------------------------------

TEST(StatsMannWhitney, TextbookCompleteSeparationThreeVersusThree) {
  // U = 0; P(U <= 0) = 1 / C(6,3) = 1/20; two-sided p = 0.1.
  const std::vector<double> a{1, 2, 3}, b{4, 5, 6};
  const RankTest t = mann_whitney_u_test(a, b);
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.statistic, 0);
  EXPECT_DOUBLE_EQ(t.p_value, 0.1);
  EXPECT_DOUBLE_EQ(mann_whitney_u_p(b, a), 0.1);
  EXPECT_EQ(mann_whitney_u_test(b, a).statistic, 9);
}

TEST(StatsMannWhitney, TextbookFourVersusFiveSeparation) {
  // Complete separation: 2 / C(9,4) = 2/126.
  const std::vector<double> a{10, 11, 12, 13}, b{1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(mann_whitney_u_p(a, b), 2.0 / 126);
}

TEST(StatsMannWhitney, ExactMatchesBruteForceEnumeration) {
  Gen g(11);
  for (int trial = 0; trial < 30; ++trial) {
    const std::size_t n1 = 1 + trial % 7, n2 = 2 + (trial * 5) % 8;  // up to 7 vs 9
    std::vector<double> a, b;
    for (std::size_t i = 0; i < n1; ++i) a.push_back(g.normal() + std::fmod(0.1 * trial, 1.5));
    for (std::size_t i = 0; i < n2; ++i) b.push_back(g.normal());
    const RankTest t = mann_whitney_u_test(a, b);
    ASSERT_TRUE(t.exact);
    EXPECT_NEAR(t.p_value, brute_force_mann_whitney_p(a, b), 1e-12) << "trial " << trial;
    EXPECT_DOUBLE_EQ(t.p_value, mann_whitney_u_p(b, a)) << "symmetric in its arguments";
  }
}

TEST(StatsMannWhitney, NormalApproximationWithTiesAgreesWithBruteForce) {
  // 8 vs 8 with heavy ties (values rounded to integers) takes the normal branch.
  Gen g(12);
  for (int trial = 0; trial < 10; ++trial) {
    std::vector<double> a, b;
    for (int i = 0; i < 8; ++i) a.push_back(std::round(2 * g.normal() + 0.2 * trial));
    for (int i = 0; i < 8; ++i) b.push_back(std::round(2 * g.normal()));
    const RankTest t = mann_whitney_u_test(a, b);
    ASSERT_FALSE(t.exact);
    const double exact = brute_force_mann_whitney_p(a, b);
    EXPECT_NEAR(t.p_value, exact, 0.03 + 0.1 * exact) << "trial " << trial;
  }
}

TEST(StatsMannWhitney, NormalApproximationForLargeSamplesAgreesWithExactRecursion) {
  Gen g(13);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> a, b;
    for (int i = 0; i < 35; ++i) a.push_back(g.normal() + 0.15 * trial);
    for (int i = 0; i < 30; ++i) b.push_back(g.normal());
    const RankTest t = mann_whitney_u_test(a, b);  // 65 > kMannWhitneyExactMaxTotal
    ASSERT_FALSE(t.exact);
    const double exact = recursion_mann_whitney_p(35, 30, t.statistic);
    EXPECT_NEAR(t.p_value, exact, 0.005 + 0.05 * exact) << "trial " << trial;
  }
}

TEST(StatsMannWhitney, ExactAtTheSizeLimitAgreesWithRecursion) {
  Gen g(14);
  std::vector<double> a, b;
  for (int i = 0; i < 30; ++i) a.push_back(g.normal() + 0.5);
  for (int i = 0; i < 30; ++i) b.push_back(g.normal());
  const RankTest t = mann_whitney_u_test(a, b);
  ASSERT_TRUE(t.exact);
  EXPECT_NEAR(t.p_value, recursion_mann_whitney_p(30, 30, t.statistic), 1e-12);
}

TEST(StatsMannWhitney, EdgeCases) {
  const std::vector<double> empty, one{1}, three{1, 2, 3};
  EXPECT_EQ(mann_whitney_u_p(empty, three), 1);
  EXPECT_EQ(mann_whitney_u_p(three, empty), 1);
  EXPECT_EQ(mann_whitney_u_p(one, one), 1);      // a single tie: zero variance
  EXPECT_EQ(mann_whitney_u_p(three, three), 1);  // identical samples
  const std::vector<double> all_same(6, 2.0);
  EXPECT_EQ(mann_whitney_u_p(all_same, all_same), 1);
  const std::vector<double> with_nan{1, kNaN, 2, 3, kInf};
  EXPECT_DOUBLE_EQ(mann_whitney_u_p(with_nan, std::vector<double>{4, 5, 6}), 0.1);
}

// ---- Wilcoxon signed rank -----------------------------------------------------------------

TEST(StatsSignedRank, TextbookFiveAllPositive) {
  const std::vector<double> d{0.5, 1.2, 2.0, 3.1, 4.7};
  const RankTest t = wilcoxon_signed_rank_test(d);
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.statistic, 15);
  EXPECT_DOUBLE_EQ(t.p_value, 2.0 / 32);
  const std::vector<double> neg{-0.5, -1.2, -2.0, -3.1, -4.7};
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p(neg), 2.0 / 32);
}

TEST(StatsSignedRank, TextbookOneNegativeSmallestOfSix) {
  // n = 6, W+ = 20 (rank 1 negative): P(W+ >= 20) = P(W+ <= 1) = 2/64 -> p = 4/64.
  const std::vector<double> d{-1, 2, 3, 4, 5, 6};
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p(d), 4.0 / 64);
}

TEST(StatsSignedRank, ZerosAreDropped) {
  const std::vector<double> d{0, 1, 0, 2, 3, 4, 5, -0.0};
  const RankTest t = wilcoxon_signed_rank_test(d);
  EXPECT_EQ(t.n, 5u);
  EXPECT_DOUBLE_EQ(t.p_value, 0.0625);
}

TEST(StatsSignedRank, ExactMatchesBruteForceEnumeration) {
  Gen g(21);
  for (int trial = 0; trial < 30; ++trial) {
    const std::size_t n = 1 + trial % 14;
    std::vector<double> d;
    for (std::size_t i = 0; i < n; ++i) d.push_back(g.normal() + 0.05 * (trial % 10));
    const RankTest t = wilcoxon_signed_rank_test(d);
    ASSERT_TRUE(t.exact);
    EXPECT_NEAR(t.p_value, brute_force_signed_rank_p(d), 1e-12) << "trial " << trial;
  }
}

TEST(StatsSignedRank, NormalApproximationWithTiesAgreesWithBruteForce) {
  Gen g(22);
  for (int trial = 0; trial < 10; ++trial) {
    std::vector<double> d;
    for (int i = 0; i < 16; ++i) d.push_back(std::round(3 * g.normal() + 0.3 * trial));
    const RankTest t = wilcoxon_signed_rank_test(d);
    ASSERT_FALSE(t.exact);
    const double exact = brute_force_signed_rank_p(d);
    EXPECT_NEAR(t.p_value, exact, 0.03 + 0.1 * exact) << "trial " << trial;
  }
}

TEST(StatsSignedRank, NormalApproximationForLargeNAgreesWithExactRecursion) {
  Gen g(23);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> d;
    for (int i = 0; i < 60; ++i) d.push_back(g.normal() + 0.1 * trial);
    const RankTest t = wilcoxon_signed_rank_test(d);  // 60 > kSignedRankExactMaxN
    ASSERT_FALSE(t.exact);
    const double exact = recursion_signed_rank_p(60, t.statistic);
    EXPECT_NEAR(t.p_value, exact, 0.005 + 0.05 * exact) << "trial " << trial;
  }
}

TEST(StatsSignedRank, ExactAtTheSizeLimitAgreesWithRecursion) {
  Gen g(24);
  std::vector<double> d;
  for (int i = 0; i < 50; ++i) d.push_back(g.normal() + 0.3);
  const RankTest t = wilcoxon_signed_rank_test(d);
  ASSERT_TRUE(t.exact);
  EXPECT_NEAR(t.p_value, recursion_signed_rank_p(50, t.statistic), 1e-12);
}

TEST(StatsSignedRank, EdgeCases) {
  EXPECT_EQ(wilcoxon_signed_rank_p({}), 1);
  const std::vector<double> zeros(5, 0.0);
  EXPECT_EQ(wilcoxon_signed_rank_p(zeros), 1);
  const std::vector<double> one{3};
  EXPECT_EQ(wilcoxon_signed_rank_p(one), 1);  // 2 * 1/2
  const std::vector<double> with_nan{kNaN, 1, 2, kInf, 3, 4, 5};
  EXPECT_DOUBLE_EQ(wilcoxon_signed_rank_p(with_nan), 0.0625);
  const std::vector<double> balanced{-1, 1, -2, 2};  // ties, W+ = E W+
  EXPECT_EQ(wilcoxon_signed_rank_p(balanced), 1);
}

// ---- paired_ratio: edge cases -------------------------------------------------------------

TEST(StatsPairedRatio, EmptyInputHasNoVerdict) {
  const RatioEstimate r = paired_ratio({}, {});
  EXPECT_EQ(r.n_pairs, 0u);
  EXPECT_EQ(r.ratio, 1);
  EXPECT_EQ(r.ci_low, 1);
  EXPECT_EQ(r.ci_high, 1);
  EXPECT_EQ(r.p_value, 1);
  EXPECT_FALSE(r.significant);
}

TEST(StatsPairedRatio, OneAndTwoPairsGiveRangeButNoVerdict) {
  const std::vector<double> c1{150}, r1{100};
  const RatioEstimate one = paired_ratio(c1, r1);
  EXPECT_EQ(one.n_pairs, 1u);
  EXPECT_EQ(one.ratio, 1.5);
  EXPECT_EQ(one.ci_low, 1.5);
  EXPECT_EQ(one.ci_high, 1.5);
  EXPECT_EQ(one.p_value, 1);
  EXPECT_FALSE(one.significant);
  const std::vector<double> c2{150, 300}, r2{100, 100};
  const RatioEstimate two = paired_ratio(c2, r2);
  EXPECT_EQ(two.n_pairs, 2u);
  EXPECT_EQ(two.ratio, 2.25);
  EXPECT_EQ(two.ci_low, 1.5);
  EXPECT_EQ(two.ci_high, 3);
  EXPECT_EQ(two.p_value, 1);
  EXPECT_FALSE(two.significant);
}

TEST(StatsPairedRatio, SkipsNonPositiveAndNonFinitePairs) {
  const std::vector<double> c{110, kNaN, 0, 220, -5, 330, kInf, 440, 120, 1e300};
  const std::vector<double> r{100, 100, 100, 200, 100, 300, 100, kNaN, 100, 1e-300};
  const RatioEstimate est = paired_ratio(c, r);
  EXPECT_EQ(est.n_pairs, 4u);  // (110,100), (220,200), (330,300), (120,100); 1e600 overflows
  EXPECT_DOUBLE_EQ(est.ratio, 1.1);
}

TEST(StatsPairedRatio, AllEqualValuesAreNoDifference) {
  const std::vector<double> x(15, 1e6);
  const RatioEstimate r = paired_ratio(x, x);
  EXPECT_EQ(r.n_pairs, 15u);
  EXPECT_EQ(r.ratio, 1);
  EXPECT_EQ(r.ci_low, 1);
  EXPECT_EQ(r.ci_high, 1);
  EXPECT_EQ(r.p_value, 1);
  EXPECT_FALSE(r.significant);
}

TEST(StatsPairedRatio, FivePairsCannotReachAlphaFivePercent) {
  // Every candidate 50 % faster, but the exact signed-rank p for n = 5 is at least 1/16.
  const std::vector<double> c{150, 151, 152, 153, 154}, r{100, 100, 100, 100, 100};
  const RatioEstimate est = paired_ratio(c, r);
  EXPECT_DOUBLE_EQ(est.p_value, 0.0625);
  EXPECT_GT(est.ci_low, 1);
  EXPECT_FALSE(est.significant);
  const std::vector<double> c6{150, 151, 152, 153, 154, 155}, r6(6, 100.0);
  EXPECT_TRUE(paired_ratio(c6, r6).significant);  // p = 2/64
}

TEST(StatsPairedRatio, RejectsInvalidArguments) {
  const std::vector<double> a{1, 2, 3}, b{1, 2};
  EXPECT_THROW(paired_ratio(a, b), std::invalid_argument);
  EXPECT_THROW(paired_ratio(a, a, 0.0), std::invalid_argument);
  EXPECT_THROW(paired_ratio(a, a, 1.0), std::invalid_argument);
  EXPECT_THROW(paired_ratio(a, a, kNaN), std::invalid_argument);
  EXPECT_THROW(paired_ratio(a, a, 0.05, 1, 0), std::invalid_argument);
}

TEST(StatsPairedRatio, DeterministicForASeedAndPinnedAcrossPlatforms) {
  Gen g(31);
  const Pairs p = make_pairs(g, 15, 1.05, 0.05);
  const RatioEstimate a = paired_ratio(p.candidate, p.reference, 0.05, 99);
  const RatioEstimate b = paired_ratio(p.candidate, p.reference, 0.05, 99);
  EXPECT_EQ(a.ratio, b.ratio);
  EXPECT_EQ(a.ci_low, b.ci_low);
  EXPECT_EQ(a.ci_high, b.ci_high);
  EXPECT_EQ(a.p_value, b.p_value);
  // Golden bootstrap. The CI ends are bootstrap medians of these exact ratios, so they
  // depend only on the PRNG stream, the resampling and the percentile rule, never on libm.
  // Expected values come from an independent Python transcription of the documented
  // algorithm (xoshiro256** seeded by splitmix64, rejection `below`, median of n draws,
  // k = ceil(alpha/2 * B), CI = [m[k-1], m[B-k]]); both agree bit for bit.
  const std::vector<double> c{1.10, 1.02, 0.97, 1.21, 1.08, 1.15, 0.99, 1.06, 1.12, 1.04, 1.18, 1.01};
  const std::vector<double> r(c.size(), 1.0);
  struct Golden {
    std::uint64_t seed;
    int resamples;
    double low, high;
  };
  for (const Golden& want : {Golden{2, 40, 0x1.07ae147ae147bp+0, 0x1.228f5c28f5c29p+0},
                             Golden{3, 40, 0x1.0147ae147ae14p+0, 0x1.2666666666666p+0},
                             Golden{12345, 200, 0x1.028f5c28f5c29p+0, 0x1.228f5c28f5c29p+0},
                             Golden{1, 200, 0x1.03d70a3d70a3ep+0, 0x1.228f5c28f5c29p+0}}) {
    const RatioEstimate got = paired_ratio(c, r, 0.05, want.seed, want.resamples);
    EXPECT_EQ(got.ratio, 0.5 * (1.06 + 1.08));
    EXPECT_EQ(got.ci_low, want.low) << "seed " << want.seed;
    EXPECT_EQ(got.ci_high, want.high) << "seed " << want.seed;
    // Below 1: 0.99 and 0.97, ranks 2 and 4 by |log ratio| (|log 0.99| > |log 1.01|), so
    // W- = 6; 14 of the 4096 sign patterns have W- <= 6.
    EXPECT_DOUBLE_EQ(got.p_value, 2 * 14.0 / 4096);
  }
}

TEST(StatsPairedRatio, CiIsOrderedAndContainsTheEstimate) {
  Gen g(32);
  for (int trial = 0; trial < 50; ++trial) {
    const Pairs p = make_pairs(g, 3 + trial % 20, 1.0, 0.2);
    const RatioEstimate r = paired_ratio(p.candidate, p.reference, 0.05, trial, 500);
    EXPECT_LE(r.ci_low, r.ratio);
    EXPECT_GE(r.ci_high, r.ratio);
    EXPECT_GE(r.p_value, 0);
    EXPECT_LE(r.p_value, 1);
  }
}

// ---- paired_ratio: statistical behaviour on seeded synthetic data -------------------------

TEST(StatsPairedRatio, BootstrapCiCoversTheTrueRatio) {
  // 500 sets of n pairs, shared drift U(0.7, 1.3), lognormal noise sd 0.1 on each side, true
  // ratio 1.07 (the median of the per-pair ratios, as the log-noise is symmetric). The
  // percentile bootstrap of a median is discrete (for odd n its ends are data points), so
  // coverage sits somewhat below nominal: about 0.92 at n = 15, 0.93 at n = 20.
  constexpr int kSets = 500;
  constexpr double kTrue = 1.07;
  for (int n : {10, 15, 20}) {
    Gen g(41 + n);
    int covered = 0;
    for (int s = 0; s < kSets; ++s) {
      const Pairs p = make_pairs(g, n, kTrue, 0.1, 0.7, 1.3);
      const RatioEstimate r = paired_ratio(p.candidate, p.reference, 0.05, 1000 + s, 2000);
      covered += r.ci_low <= kTrue && kTrue <= r.ci_high;
    }
    const double coverage = static_cast<double>(covered) / kSets;
    RecordProperty("coverage_n" + std::to_string(n), std::to_string(coverage));
    EXPECT_GE(coverage, 0.90) << "n = " << n;
    EXPECT_LE(coverage, 0.99) << "n = " << n;
  }
}

TEST(StatsPairedRatio, AaComparisonsAreRarelySignificant) {
  // Two identical builds, 30 % multiplicative noise on each side, 15 rounds.
  Gen g(42);
  constexpr int kSets = 200;
  int flagged = 0;
  for (int s = 0; s < kSets; ++s) {
    const Pairs p = make_pairs(g, 15, 1.0, 0.3);
    flagged += paired_ratio(p.candidate, p.reference, 0.05, 2000 + s, 2000).significant;
  }
  const double rate = static_cast<double>(flagged) / kSets;
  RecordProperty("false_positive_rate", std::to_string(rate));
  EXPECT_LE(rate, 0.10);
}

TEST(StatsPairedRatio, AaWithSharedDriftIsRarelySignificant) {
  Gen g(43);
  constexpr int kSets = 200;
  int flagged = 0;
  for (int s = 0; s < kSets; ++s) {
    const Pairs p = make_pairs(g, 12, 1.0, 0.05, 0.6, 1.4);
    flagged += paired_ratio(p.candidate, p.reference, 0.05, 3000 + s, 2000).significant;
  }
  EXPECT_LE(static_cast<double>(flagged) / kSets, 0.10);
}

TEST(StatsPairedRatio, DetectsTenPercentShift) {
  Gen g(44);
  const Pairs p = make_pairs(g, 15, 1.10, 0.03);
  const RatioEstimate r = paired_ratio(p.candidate, p.reference);
  EXPECT_TRUE(r.significant);
  EXPECT_NEAR(r.ratio, 1.10, 0.03);
  EXPECT_GT(r.ci_low, 1.0);
  EXPECT_LT(r.p_value, 0.001);
  const RatioEstimate slower = paired_ratio(p.reference, p.candidate);  // the other way round
  EXPECT_TRUE(slower.significant);
  EXPECT_NEAR(slower.ratio, 1 / 1.10, 0.03);
  EXPECT_LT(slower.ci_high, 1.0);
}

TEST(StatsPairedRatio, PairingDetectsShiftHiddenByPerRoundDrift) {
  // Each round's machine state scales both builds by U(0.6, 1.4); independent noise 2 %.
  // Paired ratios cancel the drift; an unpaired rank test on the same samples sees a
  // 10 % shift inside +-40 % spread and mostly cannot tell.
  Gen g(45);
  constexpr int kSets = 100;
  int paired_hits = 0, unpaired_hits = 0;
  for (int s = 0; s < kSets; ++s) {
    const Pairs p = make_pairs(g, 15, 1.10, 0.02, 0.6, 1.4);
    const RatioEstimate r = paired_ratio(p.candidate, p.reference, 0.05, 4000 + s, 2000);
    paired_hits += r.significant && std::fabs(r.ratio - 1.10) < 0.03;
    unpaired_hits += mann_whitney_u_p(p.candidate, p.reference) < 0.05;
  }
  RecordProperty("paired_power", std::to_string(paired_hits));
  RecordProperty("unpaired_power", std::to_string(unpaired_hits));
  EXPECT_GE(paired_hits, 98);
  EXPECT_LE(unpaired_hits, 40);
  // One concrete data set, for the record.
  Gen one(46);
  const Pairs p = make_pairs(one, 15, 1.10, 0.02, 0.6, 1.4);
  EXPECT_TRUE(paired_ratio(p.candidate, p.reference).significant);
}

TEST(StatsPairedRatio, FivePercentShiftDetectedWithTwentyRounds) {
  // Paired noise 3 % per side (about 4 % on the ratio), 20 rounds, shared drift.
  Gen g(47);
  constexpr int kSets = 100;
  int hits = 0;
  for (int s = 0; s < kSets; ++s) {
    const Pairs p = make_pairs(g, 20, 1.05, 0.03, 0.6, 1.4);
    hits += paired_ratio(p.candidate, p.reference, 0.05, 5000 + s, 2000).significant;
  }
  RecordProperty("power", std::to_string(hits));
  EXPECT_GE(hits, 80);
}

// ---- median -----------------------------------------------------------------------------

TEST(StatsMedian, OddEvenEmptyAndNonFinite) {
  EXPECT_EQ(median(std::vector<double>{3, 1, 2}), 2);
  EXPECT_EQ(median(std::vector<double>{4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median(std::vector<double>{7}), 7);
  EXPECT_EQ(median({}), 0);  // "no data", as harness' median_of({}) was
  EXPECT_EQ(median(std::vector<double>{kNaN, 5, kInf, 1, -kInf}), 3);
  EXPECT_EQ(median(std::vector<double>{kNaN, kInf}), 0);
  const std::vector<double> even{0.1, 0.7, 0.2, 0.4};
  EXPECT_EQ(median(even), 0.5 * (0.2 + 0.4));  // the midpoint expression, bit for bit
  EXPECT_EQ(median(even), summarize(even).median);
}

// ---- percentile_interval ----------------------------------------------------------------

TEST(StatsPercentileInterval, HandComputedSmallB) {
  const std::vector<double> m{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // B = 10: alpha 0.2 -> k = ceil(1) = 1: [m0, m9]; alpha 0.5 -> k = ceil(2.5) = 3: [m2, m7];
  // alpha 0.05 -> k = max(1, ceil(0.25)) = 1.
  EXPECT_EQ(percentile_interval(m, 0.2).low, 1);
  EXPECT_EQ(percentile_interval(m, 0.2).high, 10);
  EXPECT_EQ(percentile_interval(m, 0.5).low, 3);
  EXPECT_EQ(percentile_interval(m, 0.5).high, 8);
  EXPECT_EQ(percentile_interval(m, 0.05).low, 1);
  EXPECT_EQ(percentile_interval(m, 0.05).high, 10);
  EXPECT_EQ(percentile_interval(m, 0.99).low, 5);  // k = ceil(4.95) = 5: the middle pair
  EXPECT_EQ(percentile_interval(m, 0.99).high, 6);
  std::vector<double> b41(41), b40(40), b1e4(10000);
  std::iota(b41.begin(), b41.end(), 0.0);
  std::iota(b40.begin(), b40.end(), 0.0);
  std::iota(b1e4.begin(), b1e4.end(), 0.0);
  EXPECT_EQ(percentile_interval(b40, 0.05).low, 0);  // 0.025 * 40 = 1 -> k = 1
  EXPECT_EQ(percentile_interval(b40, 0.05).high, 39);
  EXPECT_EQ(percentile_interval(b41, 0.05).low, 1);  // 1.025 -> k = 2
  EXPECT_EQ(percentile_interval(b41, 0.05).high, 39);
  EXPECT_EQ(percentile_interval(b1e4, 0.05).low, 249);
  EXPECT_EQ(percentile_interval(b1e4, 0.05).high, 9750);
  const std::vector<double> one{4.5};
  EXPECT_EQ(percentile_interval(one, 0.05).low, 4.5);
  EXPECT_EQ(percentile_interval(one, 0.05).high, 4.5);
}

TEST(StatsPercentileInterval, SkipsNonFiniteAndRejectsBadInput) {
  const std::vector<double> with_nan{kNaN, 1, 2, 3, 4, kInf};  // B = 4, alpha 0.5: k = 1
  EXPECT_EQ(percentile_interval(with_nan, 0.5).low, 1);
  EXPECT_EQ(percentile_interval(with_nan, 0.5).high, 4);
  EXPECT_EQ(percentile_interval(with_nan, 0.6).low, 2);  // k = ceil(1.2) = 2
  EXPECT_EQ(percentile_interval(with_nan, 0.6).high, 3);
  const std::vector<double> unsorted{1, 3, 2}, nothing{kNaN};
  EXPECT_THROW(percentile_interval(unsorted, 0.05), std::invalid_argument);
  EXPECT_THROW(percentile_interval(nothing, 0.05), std::invalid_argument);
  EXPECT_THROW(percentile_interval({}, 0.05), std::invalid_argument);
  EXPECT_THROW(percentile_interval(with_nan, 0.0), std::invalid_argument);
  EXPECT_THROW(percentile_interval(with_nan, 1.0), std::invalid_argument);
  EXPECT_THROW(percentile_interval(with_nan, kNaN), std::invalid_argument);
}

TEST(StatsPercentileInterval, AgreesWithTheOldFactorialIndexRuleForTheUsualB) {
  // report_md.cc's factorial bootstrap used [m[floor(a/2 (B-1))], m[ceil((1 - a/2)(B-1))]].
  // That is the same pair as k = ceil(a/2 B) unless frac(a/2 B) lies in (0, a/2) — never for
  // the B the harness uses — so moving the factorial to percentile_interval moves no number.
  for (double a : {0.05, 0.01, 0.1})
    for (std::size_t b : {std::size_t{1}, std::size_t{200}, std::size_t{500}, std::size_t{1000}, std::size_t{2000},
                          std::size_t{10000}}) {
      std::vector<double> m(b);
      std::iota(m.begin(), m.end(), 0.0);
      const Interval ci = percentile_interval(m, a);
      EXPECT_EQ(ci.low, m[static_cast<std::size_t>(std::floor(a / 2 * (b - 1)))]) << a << " " << b;
      EXPECT_EQ(ci.high, m[static_cast<std::size_t>(std::ceil((1 - a / 2) * (b - 1)))]) << a << " " << b;
    }
}

// ---- unpaired_ratio ---------------------------------------------------------------------

// compare.cc's compare_unpaired bootstrap before issue 6, transcribed (draws straight from the
// input-order samples, medians by sorting), with the percentile rule replaced by
// percentile_interval: unpaired_ratio must match it bit for bit.
Interval old_unpaired_draws_new_rule(const std::vector<double>& a, const std::vector<double>& b, double alpha,
                                     std::uint64_t seed, int resamples) {
  auto med = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  Rng rng(seed);
  std::vector<double> ratios, ra(a.size()), rb(b.size());
  for (int k = 0; k < resamples; ++k) {
    for (auto& x : ra) x = a[rng.below(a.size())];
    for (auto& x : rb) x = b[rng.below(b.size())];
    const double ma = med(ra);
    if (ma != 0) ratios.push_back(med(rb) / ma);
  }
  std::sort(ratios.begin(), ratios.end());
  return percentile_interval(ratios, alpha);
}

TEST(StatsUnpairedRatio, DeterministicAndTheSameDrawsAsTheOldCompareUnpaired) {
  Gen g(61);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> a, b;
    for (int i = 0; i < 3 + trial % 9; ++i) a.push_back(1e6 * std::exp(0.2 * g.normal()));
    for (int i = 0; i < 4 + trial % 7; ++i) b.push_back(1.05e6 * std::exp(0.2 * g.normal()));
    if (trial % 4 == 0) a.push_back(a[0]);  // ties
    const UnpairedRatio u = unpaired_ratio(a, b, 0.05, 700 + trial, 1000);
    const UnpairedRatio again = unpaired_ratio(a, b, 0.05, 700 + trial, 1000);
    EXPECT_EQ(u.ci_low, again.ci_low);
    EXPECT_EQ(u.ci_high, again.ci_high);
    EXPECT_EQ(u.p_value, again.p_value);
    const Interval want = old_unpaired_draws_new_rule(a, b, 0.05, 700 + trial, 1000);
    EXPECT_EQ(u.ci_low, want.low) << "trial " << trial;
    EXPECT_EQ(u.ci_high, want.high) << "trial " << trial;
    EXPECT_EQ(u.median_a, median(a));
    EXPECT_EQ(u.median_b, median(b));
    EXPECT_EQ(u.ratio, median(b) / median(a));
    EXPECT_EQ(u.p_value, mann_whitney_u_p(a, b));
    EXPECT_LE(u.ci_low, u.ratio);
    EXPECT_GE(u.ci_high, u.ratio);
  }
  // Another seed gives another (but still ordered) CI.
  const std::vector<double> a{1, 2, 3, 4, 5, 6, 7, 8}, b{2, 3, 4, 5, 6, 7, 8, 9};
  const UnpairedRatio s1 = unpaired_ratio(a, b, 0.05, 1, 200), s2 = unpaired_ratio(a, b, 0.05, 2, 200);
  EXPECT_TRUE(s1.ci_low != s2.ci_low || s1.ci_high != s2.ci_high);
}

TEST(StatsUnpairedRatio, IdenticalSamplesAreRatioOneAndNotSignificant) {
  const std::vector<double> a{100, 101, 99, 100.5, 99.5, 100};
  const UnpairedRatio u = unpaired_ratio(a, a, 0.05, 1, 2000);
  EXPECT_EQ(u.ratio, 1);
  EXPECT_EQ(u.p_value, 1);  // U = n1 n2 / 2 exactly
  EXPECT_FALSE(u.significant);
  EXPECT_LT(u.ci_low, 1);
  EXPECT_GT(u.ci_high, 1);
}

TEST(StatsUnpairedRatio, DetectsAKnownShift) {
  // The numbers harness' Compare.UnpairedBasics asserts about compare_unpaired.
  const std::vector<double> a{100, 101, 99, 100.5, 99.5, 100}, b{120, 121, 119, 120.5, 119.5, 120};
  const UnpairedRatio up = unpaired_ratio(a, b, 0.05, 1, 2000);
  EXPECT_NEAR(up.ratio, 1.2, 1e-9);
  EXPECT_TRUE(up.significant);
  EXPECT_LT(up.ci_low, 1.2 + 1e-9);
  EXPECT_GT(up.ci_high, 1.2 - 1e-9);
  EXPECT_GT(up.ci_low, 119 / 101.0 - 1e-12);  // every resampled ratio is >= min b / max a
  const UnpairedRatio down = unpaired_ratio(b, a, 0.05, 1, 2000);
  EXPECT_TRUE(down.significant);
  EXPECT_LT(down.ci_high, 1);
  // Seeded lognormal samples, 10 % apart, 3 % noise, 15 runs each.
  Gen g(62);
  std::vector<double> x, y;
  for (int i = 0; i < 15; ++i) x.push_back(1e6 * std::exp(0.03 * g.normal()));
  for (int i = 0; i < 15; ++i) y.push_back(1.1e6 * std::exp(0.03 * g.normal()));
  const UnpairedRatio r = unpaired_ratio(x, y);
  EXPECT_TRUE(r.significant);
  EXPECT_NEAR(r.ratio, 1.10, 0.03);
  EXPECT_GT(r.ci_low, 1);
  EXPECT_LT(r.p_value, 1e-4);
}

TEST(StatsUnpairedRatio, AaIsRarelySignificant) {
  Gen g(63);
  int flagged = 0;
  for (int s = 0; s < 200; ++s) {
    std::vector<double> x, y;
    for (int i = 0; i < 12; ++i) x.push_back(1e6 * std::exp(0.2 * g.normal()));
    for (int i = 0; i < 12; ++i) y.push_back(1e6 * std::exp(0.2 * g.normal()));
    flagged += unpaired_ratio(x, y, 0.05, 6000 + s, 1000).significant;
  }
  EXPECT_LE(flagged, 20);  // 10 % of 200; nominal 5 %
}

TEST(StatsUnpairedRatio, EdgeCasesAndInvalidArguments) {
  const std::vector<double> a{1, 2, 3}, nan_only{kNaN, kInf};
  const UnpairedRatio empty = unpaired_ratio(a, nan_only);
  EXPECT_EQ(empty.n_a, 3u);
  EXPECT_EQ(empty.n_b, 0u);
  EXPECT_EQ(empty.ratio, 1);
  EXPECT_EQ(empty.ci_low, 1);
  EXPECT_EQ(empty.ci_high, 1);
  EXPECT_EQ(empty.p_value, 1);
  EXPECT_FALSE(empty.significant);
  const std::vector<double> b{kNaN, 4, 6, kInf, 8};  // finite: 4, 6, 8
  const UnpairedRatio skip = unpaired_ratio(a, b, 0.05, 5, 300);
  const std::vector<double> b_finite{4, 6, 8};
  const UnpairedRatio clean = unpaired_ratio(a, b_finite, 0.05, 5, 300);
  EXPECT_EQ(skip.n_b, 3u);
  EXPECT_EQ(skip.ratio, 3);
  EXPECT_EQ(skip.ci_low, clean.ci_low);
  EXPECT_EQ(skip.ci_high, clean.ci_high);
  const std::vector<double> one_a{2}, one_b{3};
  const UnpairedRatio ones = unpaired_ratio(one_a, one_b);
  EXPECT_EQ(ones.ratio, 1.5);
  EXPECT_EQ(ones.ci_low, 1.5);
  EXPECT_EQ(ones.ci_high, 1.5);
  EXPECT_EQ(ones.p_value, 1);
  EXPECT_FALSE(ones.significant);
  const std::vector<double> zeros{0, 0, 0};
  const UnpairedRatio z = unpaired_ratio(zeros, a, 0.05, 1, 100);  // median_a == 0
  EXPECT_EQ(z.ratio, 0);
  EXPECT_EQ(z.ci_low, 0);
  EXPECT_EQ(z.ci_high, 0);
  EXPECT_THROW(unpaired_ratio(a, a, 0.0), std::invalid_argument);
  EXPECT_THROW(unpaired_ratio(a, a, 1.0), std::invalid_argument);
  EXPECT_THROW(unpaired_ratio(a, a, kNaN), std::invalid_argument);
  EXPECT_THROW(unpaired_ratio(a, a, 0.05, 1, 0), std::invalid_argument);
}

// ---- factorial_effects ------------------------------------------------------------------

std::vector<std::string> design_bits(std::size_t k) {
  std::vector<std::string> out;
  for (std::size_t m = 0; m < (std::size_t{1} << k); ++m) {
    std::string bits;
    for (std::size_t j = 0; j < k; ++j) bits += (m >> (k - 1 - j)) & 1 ? '1' : '0';
    out.push_back(bits);
  }
  return out;
}

// log y = log 1e8 + sum_j beta_j x_j + sum_{j<l} gamma_jl x_j x_l + round drift + noise, x in {0, 1}.
std::vector<std::vector<double>> factorial_data(Gen& g, const std::vector<std::string>& bits, int rounds,
                                                const std::vector<double>& beta,
                                                const std::map<std::pair<int, int>, double>& gamma, double noise,
                                                double drift) {
  std::vector<std::vector<double>> values;
  for (int r = 0; r < rounds; ++r) {
    const double round_drift = drift * g.normal();
    std::vector<double> row;
    for (const std::string& b : bits) {
      double ly = std::log(1e8) + round_drift + noise * g.normal();
      for (std::size_t j = 0; j < b.size(); ++j) ly += beta[j] * (b[j] - '0');
      for (const auto& [jl, gam] : gamma) ly += gam * (b[jl.first] - '0') * (b[jl.second] - '0');
      row.push_back(std::exp(ly));
    }
    values.push_back(row);
  }
  return values;
}

TEST(StatsFactorial, TwoFactorsKnownMultiplicativeEffects) {
  Gen g(71);
  const auto bits = design_bits(2);  // 00, 01, 10, 11
  // x: +10 %, y: -20 % (in log), together 6 % more; 30 % round drift cancels in every contrast.
  const auto values = factorial_data(g, bits, 10, {0.10, -0.20}, {{{0, 1}, 0.06}}, 0.002, 0.3);
  const FactorialEffects fe = factorial_effects(values, bits, 0.05, 9, 2000);
  EXPECT_EQ(fe.n_rounds, 10u);
  ASSERT_EQ(fe.main_effects.size(), 2u);
  ASSERT_EQ(fe.interactions.size(), 1u);
  // Main effect = beta + gamma/2 (averaged over the other factor); interaction = gamma / 2.
  EXPECT_NEAR(fe.main_effects[0].log_effect, 0.10 + 0.03, 0.002);
  EXPECT_NEAR(fe.main_effects[1].log_effect, -0.20 + 0.03, 0.002);
  EXPECT_NEAR(fe.interactions[0].log_effect, 0.03, 0.002);
  EXPECT_EQ(fe.main_effects[1].first, 1u);
  EXPECT_EQ(fe.main_effects[1].second, 1u);
  EXPECT_EQ(fe.interactions[0].first, 0u);
  EXPECT_EQ(fe.interactions[0].second, 1u);
  for (const auto* list : {&fe.main_effects, &fe.interactions})
    for (const FactorialEffect& e : *list) {
      EXPECT_TRUE(e.significant);
      EXPECT_LE(e.log_ci_low, e.log_effect);
      EXPECT_GE(e.log_ci_high, e.log_effect);
      EXPECT_EQ(e.ratio, std::exp(e.log_effect));
      EXPECT_EQ(e.ci_low, std::exp(e.log_ci_low));
      EXPECT_EQ(e.ci_high, std::exp(e.log_ci_high));
    }
  // Exact data without noise or drift: the contrasts are the hand values to rounding.
  std::vector<std::vector<double>> exact;
  for (int r = 0; r < 3; ++r)
    exact.push_back({100, 100 * std::exp(-0.2), 100 * std::exp(0.1), 100 * std::exp(0.1 - 0.2 + 0.06)});
  const FactorialEffects fx = factorial_effects(exact, bits, 0.05, 1, 50);
  EXPECT_NEAR(fx.main_effects[0].log_effect, 0.13, 1e-12);
  EXPECT_NEAR(fx.main_effects[1].log_effect, -0.17, 1e-12);
  EXPECT_NEAR(fx.interactions[0].log_effect, 0.03, 1e-12);
  EXPECT_NEAR(fx.main_effects[0].log_ci_low, 0.13, 1e-12);  // every round identical
  EXPECT_NEAR(fx.main_effects[0].log_ci_high, 0.13, 1e-12);
}

TEST(StatsFactorial, ThreeFactorsNullFactorAndInteractionOrder) {
  Gen g(72);
  const auto bits = design_bits(3);
  const auto values = factorial_data(g, bits, 12, {0.10, -0.05, 0.0}, {{{0, 1}, 0.04}}, 0.01, 0.2);
  const FactorialEffects fe = factorial_effects(values, bits, 0.05, 3, 2000);
  ASSERT_EQ(fe.main_effects.size(), 3u);
  ASSERT_EQ(fe.interactions.size(), 3u);
  EXPECT_NEAR(fe.main_effects[0].log_effect, 0.12, 0.01);
  EXPECT_NEAR(fe.main_effects[1].log_effect, -0.03, 0.01);
  EXPECT_NEAR(fe.main_effects[2].log_effect, 0.0, 0.01);
  EXPECT_TRUE(fe.main_effects[0].significant);
  EXPECT_TRUE(fe.main_effects[1].significant);
  EXPECT_LE(fe.main_effects[2].log_ci_low, 0.0);  // z does nothing: its CI covers 0 (here)
  EXPECT_GE(fe.main_effects[2].log_ci_high, 0.0);
  const std::pair<std::size_t, std::size_t> order[] = {{0, 1}, {0, 2}, {1, 2}};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(fe.interactions[i].first, order[i].first);
    EXPECT_EQ(fe.interactions[i].second, order[i].second);
  }
  EXPECT_NEAR(fe.interactions[0].log_effect, 0.02, 0.01);
  EXPECT_TRUE(fe.interactions[0].significant);
  EXPECT_NEAR(fe.interactions[1].log_effect, 0.0, 0.01);
  EXPECT_NEAR(fe.interactions[2].log_effect, 0.0, 0.01);

  // The combinations may come in any order: permuting columns and bit strings together
  // changes only the summation order.
  std::vector<std::size_t> perm{5, 2, 7, 0, 3, 6, 1, 4};
  std::vector<std::string> pbits;
  for (std::size_t c : perm) pbits.push_back(bits[c]);
  std::vector<std::vector<double>> pvalues;
  for (const auto& row : values) {
    std::vector<double> pr;
    for (std::size_t c : perm) pr.push_back(row[c]);
    pvalues.push_back(pr);
  }
  const FactorialEffects pf = factorial_effects(pvalues, pbits, 0.05, 3, 2000);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(pf.main_effects[i].log_effect, fe.main_effects[i].log_effect, 1e-12);
    EXPECT_NEAR(pf.main_effects[i].log_ci_low, fe.main_effects[i].log_ci_low, 1e-12);
    EXPECT_NEAR(pf.interactions[i].log_ci_high, fe.interactions[i].log_ci_high, 1e-12);
  }
}

// The bootstrap p-value: 2 (c + 1) / (B + 1) with c = replicates on the other side of 0.
TEST(StatsFactorial, BootstrapPValue) {
  Gen g(73);
  const auto bits = design_bits(3);
  const auto values = factorial_data(g, bits, 12, {0.10, -0.05, 0.0}, {{{0, 1}, 0.04}}, 0.01, 0.2);
  const int B = 2000;
  const FactorialEffects fe = factorial_effects(values, bits, 0.05, 3, B);
  // Strong effects: no replicate crosses 0, p is the floor 2 / (B + 1).
  EXPECT_DOUBLE_EQ(fe.main_effects[0].p_value, 2.0 / (B + 1));
  EXPECT_DOUBLE_EQ(fe.main_effects[1].p_value, 2.0 / (B + 1));
  // The null factor: well above alpha, and consistent with its CI covering 0.
  EXPECT_GT(fe.main_effects[2].p_value, 0.05);
  EXPECT_LE(fe.main_effects[2].p_value, 1.0);
  for (const auto* list : {&fe.main_effects, &fe.interactions})
    for (const FactorialEffect& e : *list)
      EXPECT_EQ(e.significant, e.p_value <= 0.05) << e.first;  // c < 50 iff p <= 100 / 2001
  // By hand: 2 rounds, 2 factors; the bootstrap draws rounds {0,0}, {0,1}, {1,0} or {1,1}.
  // Round 0 has x's effect +0.1 and round 1 -0.3 (log), so replicates are +0.1, -0.1, -0.1
  // or -0.3: the estimate -0.1 < 0, and the replicates >= 0 are the {0,0} draws.
  const auto b2 = design_bits(2);  // 00, 01, 10, 11
  std::vector<std::vector<double>> two = {{1, 1, std::exp(0.1), std::exp(0.1)}, {1, 1, std::exp(-0.3), std::exp(-0.3)}};
  const FactorialEffects f2 = factorial_effects(two, b2, 0.05, 5, 400);
  ASSERT_EQ(f2.main_effects.size(), 2u);
  EXPECT_NEAR(f2.main_effects[0].log_effect, -0.1, 1e-12);
  // About a quarter of 400 replicates are {0,0}: p = 2 (c + 1) / 401 near 0.5.
  EXPECT_GT(f2.main_effects[0].p_value, 0.35);
  EXPECT_LT(f2.main_effects[0].p_value, 0.65);
  // y does nothing in either round: every replicate is exactly 0, p = 1.
  EXPECT_DOUBLE_EQ(f2.main_effects[1].p_value, 1.0);
}

// report_md.cc's factorial_effects before issue 6, transcribed on plain data (its own index
// rule for the CI ends): factorial_effects must give the same numbers bit for bit.
struct OldEffect {
  double ratio, ci_low, ci_high;
  bool significant;
};
std::vector<OldEffect> old_factorial(const std::vector<std::vector<double>>& values,
                                     const std::vector<std::string>& bits, double a, std::uint64_t seed,
                                     int resamples) {
  const std::size_t n = bits.size(), k = bits[0].size();
  std::vector<std::vector<double>> rows;
  for (const auto& v : values) {
    std::vector<double> row(n);
    for (std::size_t c = 0; c < n; ++c) row[c] = std::log(v[c]);
    if (std::all_of(row.begin(), row.end(), [](double x) { return std::isfinite(x); })) rows.push_back(row);
  }
  std::vector<std::vector<int>> cs;
  auto bit = [&](std::size_t v, std::size_t j) { return bits[v][j] == '1' ? 1 : -1; };
  for (std::size_t j = 0; j < k; ++j) {
    cs.emplace_back();
    for (std::size_t v = 0; v < n; ++v) cs.back().push_back(bit(v, j));
  }
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t l = j + 1; l < k; ++l) {
      cs.emplace_back();
      for (std::size_t v = 0; v < n; ++v) cs.back().push_back(bit(v, j) * bit(v, l));
    }
  auto effects_of = [&](const std::vector<const std::vector<double>*>& sample) {
    std::vector<double> mean(n, 0);
    for (const auto* row : sample)
      for (std::size_t v = 0; v < n; ++v) mean[v] += (*row)[v];
    for (auto& m : mean) m /= static_cast<double>(sample.size());
    std::vector<double> eff;
    for (const auto& c : cs) {
      double sum = 0;
      for (std::size_t v = 0; v < n; ++v) sum += c[v] * mean[v];
      eff.push_back(sum / static_cast<double>(n / 2));
    }
    return eff;
  };
  std::vector<const std::vector<double>*> all;
  for (const auto& row : rows) all.push_back(&row);
  std::vector<double> point = effects_of(all);
  std::vector<std::vector<double>> boot(cs.size());
  Rng rng(seed);
  std::vector<const std::vector<double>*> pick(rows.size());
  for (int b = 0; b < resamples; ++b) {
    for (auto& p : pick) p = &rows[rng.below(rows.size())];
    auto e = effects_of(pick);
    for (std::size_t i = 0; i < cs.size(); ++i) boot[i].push_back(e[i]);
  }
  std::vector<OldEffect> out;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    auto& v = boot[i];
    std::sort(v.begin(), v.end());
    double lo = v[static_cast<std::size_t>(std::floor(a / 2 * (v.size() - 1)))];
    double hi = v[static_cast<std::size_t>(std::ceil((1 - a / 2) * (v.size() - 1)))];
    out.push_back({std::exp(point[i]), std::exp(lo), std::exp(hi), lo > 0 || hi < 0});
  }
  return out;
}

TEST(StatsFactorial, SameNumbersAsTheOldReportCode) {
  Gen g(73);
  for (std::size_t k : {1, 2, 3, 4})
    for (int resamples : {200, 500, 10000}) {
      const auto bits = design_bits(k);
      auto values = factorial_data(g, bits, 8, {0.1, -0.05, 0.02, 0.0}, {{{0, 1}, 0.04}}, 0.01, 0.1);
      values[3][0] = kNaN;  // a missing sample drops round 4 whole
      const FactorialEffects fe = factorial_effects(values, bits, 0.05, 17 + k, resamples);
      EXPECT_EQ(fe.n_rounds, 7u);
      const std::vector<OldEffect> old = old_factorial(values, bits, 0.05, 17 + k, resamples);
      ASSERT_EQ(old.size(), fe.main_effects.size() + fe.interactions.size());
      for (std::size_t i = 0; i < old.size(); ++i) {
        const FactorialEffect& e = i < k ? fe.main_effects[i] : fe.interactions[i - k];
        EXPECT_EQ(e.ratio, old[i].ratio) << k << " " << resamples << " " << i;
        EXPECT_EQ(e.ci_low, old[i].ci_low) << k << " " << resamples << " " << i;
        EXPECT_EQ(e.ci_high, old[i].ci_high) << k << " " << resamples << " " << i;
        EXPECT_EQ(e.significant, old[i].significant) << k << " " << resamples << " " << i;
      }
    }
}

TEST(StatsFactorial, IncompleteRoundsTooFewRoundsAndBadDesigns) {
  const auto bits = design_bits(2);
  std::vector<std::vector<double>> values{{1, 2, 3, 4}, {1, 0, 3, 4}, {1, 2, kInf, 4}, {1, 2, 3, -1}};
  const FactorialEffects one = factorial_effects(values, bits);
  EXPECT_EQ(one.n_rounds, 1u);  // only the first round is complete
  EXPECT_TRUE(one.main_effects.empty());
  EXPECT_TRUE(one.interactions.empty());
  values.push_back({2, 4, 6, 8});
  EXPECT_EQ(factorial_effects(values, bits).main_effects.size(), 2u);
  const std::vector<std::string> dup{"00", "01", "01", "11"}, short_design{"0", "1", "0"}, bad{"00", "01", "1x", "11"},
      ragged{"00", "01", "10", "1"};
  EXPECT_THROW(factorial_effects(values, dup), std::invalid_argument);
  EXPECT_THROW(factorial_effects(values, short_design), std::invalid_argument);
  EXPECT_THROW(factorial_effects(values, bad), std::invalid_argument);
  EXPECT_THROW(factorial_effects(values, ragged), std::invalid_argument);
  EXPECT_THROW(factorial_effects(values, std::vector<std::string>{}), std::invalid_argument);
  const std::vector<std::vector<double>> narrow{{1, 2, 3}};
  EXPECT_THROW(factorial_effects(narrow, bits), std::invalid_argument);
  EXPECT_THROW(factorial_effects(values, bits, 0.0), std::invalid_argument);
  EXPECT_THROW(factorial_effects(values, bits, 0.05, 1, 0), std::invalid_argument);
}

// ---- binomial_tail ----------------------------------------------------------------------

// validate.cc's judge_aa tail before issue 6 (lgamma terms), for comparison.
double old_lgamma_tail(std::size_t n, std::size_t k, double p) {
  double tail = 0;
  for (std::size_t j = k; j <= n; ++j) {
    const double logc = std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0);
    tail += std::exp(logc + static_cast<double>(j) * std::log(p) + static_cast<double>(n - j) * std::log1p(-p));
  }
  return n ? std::min(1.0, tail) : 1.0;
}

TEST(StatsBinomialTail, HandValues) {
  EXPECT_NEAR(binomial_tail(14, 1, 0.05), 1 - std::pow(0.95, 14), 1e-15);
  EXPECT_NEAR(binomial_tail(14, 1, 0.05), 0.5123250208844702, 1e-15);  // exact rational, rounded
  EXPECT_NEAR(binomial_tail(14, 2, 0.05), 0.15298556258881657, 1e-15);
  EXPECT_NEAR(binomial_tail(14, 4, 0.05) / 0.004173238446987723, 1, 1e-13);
  EXPECT_NEAR(binomial_tail(200, 30, 0.05) / 8.709270943979996e-08, 1, 1e-12);
  EXPECT_NEAR(binomial_tail(3000, 150, 0.05) / 0.5116967786351672, 1, 1e-12);
  EXPECT_NEAR(binomial_tail(3000, 180, 0.05) / 0.007923770405716925, 1, 1e-12);
  EXPECT_NEAR(binomial_tail(3000, 120, 0.05) / 0.9957545417763665, 1, 1e-12);
  EXPECT_NEAR(binomial_tail(5000, 300, 0.05) / 0.0008783392813567511, 1, 1e-12);
  EXPECT_NEAR(binomial_tail(10, 5, 0.5), 638.0 / 1024, 1e-15);
  EXPECT_NEAR(binomial_tail(1000, 1000, 0.5) / std::ldexp(1.0, -1000), 1, 1e-12);  // 9.3e-302
  EXPECT_EQ(binomial_tail(2000, 2000, 0.5), 0);                                    // 2^-2000 underflows
}

TEST(StatsBinomialTail, EdgesAndAgreementWithTheOldSum) {
  EXPECT_EQ(binomial_tail(14, 0, 0.05), 1);
  EXPECT_EQ(binomial_tail(0, 0, 0.05), 1);
  EXPECT_EQ(binomial_tail(14, 15, 0.05), 0);
  EXPECT_EQ(binomial_tail(0, 1, 0.05), 0);
  EXPECT_EQ(binomial_tail(14, 1, 0.0), 0);
  EXPECT_EQ(binomial_tail(14, 14, 1.0), 1);
  EXPECT_EQ(binomial_tail(14, 0, 0.0), 1);
  EXPECT_NEAR(binomial_tail(1, 1, 0.3), 0.3, 1e-16);
  EXPECT_THROW(binomial_tail(3, 1, -0.1), std::invalid_argument);
  EXPECT_THROW(binomial_tail(3, 1, 1.1), std::invalid_argument);
  EXPECT_THROW(binomial_tail(3, 1, kNaN), std::invalid_argument);
  for (std::size_t n : {1, 5, 14, 40, 100, 999})
    for (double p : {0.01, 0.05, 0.3, 0.5, 0.9})
      for (std::size_t k = 0; k <= n; k += 1 + n / 20) {
        const double got = binomial_tail(n, k, p), old = old_lgamma_tail(n, k, p);
        EXPECT_NEAR(got, old, 1e-9 * old + 1e-300) << n << " " << k << " " << p;
        if (k > 0) {
          EXPECT_LE(got, binomial_tail(n, k - 1, p));  // monotone in k
        }
      }
}

// ---- Benjamini-Hochberg -----------------------------------------------------------------

TEST(StatsBenjaminiHochberg, HandComputedWithTiesAndNaN) {
  // m = 6. Sorted: 0.01 0.02 0.02 0.03 0.5 NaN(=1); m/i * p: 0.06 0.06 0.04 0.045 0.6 1;
  // running minimum from the top: 0.04 0.04 0.04 0.045 0.6 1.
  const std::vector<double> p{0.01, 0.02, 0.02, 0.5, kNaN, 0.03};
  const std::vector<double> q = bh_adjust(p);
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q[0], 0.04);
  EXPECT_EQ(q[1], 0.04);
  EXPECT_EQ(q[2], 0.04);  // the tie gets the same q
  EXPECT_NEAR(q[3], 0.6, 1e-15);
  EXPECT_EQ(q[4], 1);
  EXPECT_NEAR(q[5], 0.045, 1e-15);
  EXPECT_EQ(bh_reject(p, 0.05), (std::vector<bool>{true, true, true, false, false, true}));
  EXPECT_EQ(bh_reject(p, 0.04), (std::vector<bool>{true, true, true, false, false, false}));
  EXPECT_EQ(bh_reject(p, 0.039), (std::vector<bool>(6, false)));
  // Step-up check at 0.05: the largest i with p_(i) <= i/6 * 0.05 is i = 4 (0.03 <= 0.0333).
  // Capped at 1, and q >= p.
  const std::vector<double> big{0.9, 0.8, 0.95};
  for (double x : bh_adjust(big)) EXPECT_EQ(x, 0.95);  // 3/1 * 0.8 and 3/2 * 0.9 exceed 0.95
  const std::vector<double> pair{0.7, 0.6};
  EXPECT_EQ(bh_adjust(pair), (std::vector<double>{0.7, 0.7}));  // 2/1 * 0.6 = 1.2 > 0.7
  const std::vector<double> capped{0.6, 1.0};
  EXPECT_EQ(bh_adjust(capped), (std::vector<double>{1.0, 1.0}));  // min(1, 1.2)
  EXPECT_TRUE(bh_adjust({}).empty());
  EXPECT_TRUE(bh_reject({}, 0.05).empty());
}

TEST(StatsBenjaminiHochberg, AllNullAndAllSignificant) {
  const std::vector<double> null{0.31, 0.52, 0.77, 0.44, 0.9, 0.63, 0.28, 0.99};
  EXPECT_EQ(bh_reject(null, 0.05), std::vector<bool>(8, false));
  EXPECT_EQ(bh_reject(null, 0.2), std::vector<bool>(8, false));
  const std::vector<double> all{1e-4, 2e-3, 0.01, 0.04};  // q: 4e-4, 4e-3, 0.0133, 0.04
  EXPECT_EQ(bh_reject(all, 0.05), std::vector<bool>(4, true));
  const std::vector<double> qa = bh_adjust(all);
  EXPECT_NEAR(qa[0], 4e-4, 1e-18);
  EXPECT_NEAR(qa[1], 4e-3, 1e-17);
  EXPECT_NEAR(qa[2], 0.04 / 3, 1e-17);
  EXPECT_EQ(qa[3], 0.04);
  // A single test: q == p.
  const std::vector<double> single{0.03};
  EXPECT_EQ(bh_adjust(single)[0], 0.03);
}

TEST(StatsBenjaminiHochberg, MonotoneCappedAndAtLeastP) {
  Gen g(81);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> p;
    for (int i = 0; i < 1 + trial; ++i) {
      double x = g.uniform();
      if (i % 5 == 0) x *= 1e-3;
      if (i % 7 == 3 && !p.empty()) x = p.front();  // ties
      p.push_back(x);
    }
    const std::vector<double> q = bh_adjust(p);
    const std::size_t m = p.size();
    std::vector<bool> stepup(m, false);  // the textbook step-up rule at 0.1, directly
    std::vector<double> s(p);
    std::sort(s.begin(), s.end());
    double cutoff = -1;
    for (std::size_t i = 0; i < m; ++i)
      if (s[i] <= 0.1 * static_cast<double>(i + 1) / static_cast<double>(m)) cutoff = s[i];
    for (std::size_t i = 0; i < m; ++i) stepup[i] = p[i] <= cutoff;
    EXPECT_EQ(bh_reject(p, 0.1), stepup) << "trial " << trial;
    for (std::size_t i = 0; i < m; ++i) {
      EXPECT_GE(q[i], p[i]);
      EXPECT_LE(q[i], 1);
      for (std::size_t j = 0; j < m; ++j)
        if (p[i] <= p[j]) {
          EXPECT_LE(q[i], q[j]);
        }
    }
  }
}

TEST(StatsBenjaminiHochberg, InvalidInputAndExpectedFalsePositives) {
  const std::vector<double> neg{0.1, -0.01}, over{1.5}, inf{kInf};
  EXPECT_THROW(bh_adjust(neg), std::invalid_argument);
  EXPECT_THROW(bh_adjust(over), std::invalid_argument);
  EXPECT_THROW(bh_adjust(inf), std::invalid_argument);
  const std::vector<double> ok{0.01};
  EXPECT_THROW(bh_reject(ok, 1.5), std::invalid_argument);
  EXPECT_THROW(bh_reject(ok, kNaN), std::invalid_argument);
  EXPECT_EQ(expected_false_positives(14, 0.05), 14 * 0.05);
  EXPECT_EQ(expected_false_positives(0, 0.05), 0);
  EXPECT_EQ(expected_false_positives(200, 0.01), 2);
}

// ---- Placement ---------------------------------------------------------------------------

// Hand-computed: log ratios {0.0, 0.2} with copy 0, {0.4, 0.6} with copy 1. Group means 0.1,
// 0.5, grand mean 0.3; MSB = (2 * 0.2^2 + 2 * 0.2^2) / 1 = 0.16, MSW = 4 * 0.1^2 / (4 - 2) =
// 0.02, n0 = (4 - 8 / 4) / 1 = 2, sigma_b^2 = (0.16 - 0.02) / 2 = 0.07, sd_log = sqrt(0.07).
// Medians: (1 + e^0.2) / 2 and (e^0.4 + e^0.6) / 2 = e^0.4 (1 + e^0.2) / 2: spread = e^0.4.
TEST(Placement, HandComputedVarianceComponentAndSpread) {
  std::vector<std::vector<double>> g = {{1.0, std::exp(0.2)}, {std::exp(0.4), std::exp(0.6)}};
  Placement p = placement(g);
  ASSERT_TRUE(p.valid());
  EXPECT_EQ(p.layouts, 2u);
  EXPECT_NEAR(p.sd_log, std::sqrt(0.07), 1e-12);
  EXPECT_NEAR(p.spread, std::exp(0.4), 1e-12);
}

// Unequal group sizes: logs {0, 0, 0.3} and {0.1, 0.1}. Means 0.1, 0.1: no between-copy
// variation (MSB = 0 < MSW), so the variance component truncates at 0.
TEST(Placement, TruncatesAtZeroAndSkipsSmallOrBadGroups) {
  std::vector<std::vector<double>> g = {
      {1.0, 1.0, std::exp(0.3)}, {std::exp(0.1), std::exp(0.1)}, {5.0}, {kNaN, -1.0, 0.0, 2.0}};
  Placement p = placement(g);
  EXPECT_EQ(p.layouts, 2u);  // {5} and the group with one usable value are ignored
  EXPECT_EQ(p.sd_log, 0.0);
  EXPECT_NEAR(p.spread, std::exp(0.1), 1e-12);  // medians 1 and e^0.1
  EXPECT_FALSE(placement(std::vector<std::vector<double>>{{1.0, 1.1}, {2.0}}).valid());
  EXPECT_EQ(placement(std::vector<std::vector<double>>{}).layouts, 0u);
}

// Three copies of two values each, logs {-0.1, 0.1}, {0.2, 0.4}, {0.5, 0.7}: means 0, 0.3, 0.6,
// grand 0.3; MSB = 2 * (0.09 + 0 + 0.09) / 2 = 0.18, MSW = 6 * 0.01 / 3 = 0.02, n0 = 2,
// sigma_b^2 = 0.08.
TEST(Placement, ThreeCopies) {
  std::vector<std::vector<double>> g = {
      {std::exp(-0.1), std::exp(0.1)}, {std::exp(0.2), std::exp(0.4)}, {std::exp(0.5), std::exp(0.7)}};
  Placement p = placement(g);
  EXPECT_EQ(p.layouts, 3u);
  EXPECT_NEAR(p.sd_log, std::sqrt(0.08), 1e-12);
}

TEST(Placement, SpreadIncludesTheReference) {
  std::vector<double> r = {1.1, 0.95, 1.02};
  EXPECT_NEAR(placement_spread(r), 1.1 / 0.95, 1e-15);
  std::vector<double> above = {1.2, 1.1};
  EXPECT_NEAR(placement_spread(above), 1.2, 1e-15);  // min is the reference's 1
  EXPECT_EQ(placement_spread(std::vector<double>{}), 1.0);
  EXPECT_EQ(placement_spread(std::vector<double>{kNaN, 0.0}), 1.0);
}

}  // namespace
}  // namespace alloclab::stats

TEST(StatsGeometricMean, SkipsNonPositiveAndNonFinite) {
  using alloclab::stats::geometric_mean;
  const std::vector<double> v{2.0, 8.0};
  EXPECT_DOUBLE_EQ(geometric_mean(v), 4.0);
  const std::vector<double> mixed{1.0, 4.0, 0.0, -3.0, std::nan(""), 16.0};
  EXPECT_DOUBLE_EQ(geometric_mean(mixed), 4.0);  // (1 * 4 * 16)^(1/3)
  EXPECT_EQ(geometric_mean(std::vector<double>{}), 0.0);
  EXPECT_EQ(geometric_mean(std::vector<double>{0.0, -1.0}), 0.0);
}
