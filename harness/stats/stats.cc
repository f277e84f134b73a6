// Statistics for noisy throughput samples. See the headers for the contract of each function
// (rng.h, summary.h, bootstrap.h, rank_tests.h, ratio.h); factorial.cc and
// multiple_testing.cc hold the rest.
//
//   summarize        sort → median, shifted mean, two-pass stddev, binomial order-statistic CI
//   percentile_interval  k = ceil(alpha/2 B) → [m[k-1], m[B-k]]
//   paired_ratio     ratios → median → bootstrap (Rng) → percentile_interval
//                           → wilcoxon_signed_rank_test on folded log ratios → verdict
//   unpaired_ratio   medians → two-sample bootstrap (Rng) → percentile_interval
//                           → mann_whitney_u_test → verdict
//   rank tests       midranks → exact count DP (no ties, small n) | normal approximation
#include "stats/bootstrap.h"
#include "stats/rank_tests.h"
#include "stats/ratio.h"
#include "stats/rng.h"
#include "stats/summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace alloclab::stats {
namespace {

std::vector<double> finite_values(std::span<const double> xs) {
  std::vector<double> out;
  out.reserve(xs.size());
  for (double x : xs)
    if (std::isfinite(x)) out.push_back(x);
  return out;
}

// Median of sorted values (midpoint of the two middle ones for even n).
double sorted_median(const std::vector<double>& s) {
  const std::size_t n = s.size();
  return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

// Midranks (1-based) of values in their original order; sets `tied` if any value repeats.
// Also returns sum over tie groups of (t^3 - t), the variance correction.
struct Ranked {
  std::vector<double> ranks;
  double tie_term = 0;
  bool tied = false;
};
Ranked midranks(const std::vector<double>& v) {
  const std::size_t n = v.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
  Ranked r;
  r.ranks.assign(n, 0);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && v[order[j]] == v[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k) r.ranks[order[k]] = rank;
    const double t = static_cast<double>(j - i);
    if (j - i > 1) {
      r.tied = true;
      r.tie_term += t * t * t - t;
    }
    i = j;
  }
  return r;
}

// Two-sided p from the normal approximation with continuity correction.
double normal_two_sided_p(double statistic, double mean, double variance) {
  if (!(variance > 0)) return 1.0;
  const double z = std::max(0.0, std::fabs(statistic - mean) - 0.5) / std::sqrt(variance);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

// Two-sided exact p from a table of counts over integer statistic values 0..max.
double exact_two_sided_p(const std::vector<std::uint64_t>& counts, std::size_t observed) {
  std::uint64_t total = 0, le = 0, ge = 0;
  for (std::size_t s = 0; s < counts.size(); ++s) {
    total += counts[s];
    if (s <= observed) le += counts[s];
    if (s >= observed) ge += counts[s];
  }
  const double p = 2.0 * static_cast<double>(std::min(le, ge)) / static_cast<double>(total);
  return std::min(1.0, p);
}

// Count, for each w in 0..n(n+1)/2, the subsets of {1..n} with sum w (= sign patterns with
// W+ = w). Max count 2^n fits for n <= 63.
std::vector<std::uint64_t> signed_rank_counts(std::size_t n) {
  const std::size_t max_sum = n * (n + 1) / 2;
  std::vector<std::uint64_t> c(max_sum + 1, 0);
  c[0] = 1;
  for (std::size_t r = 1; r <= n; ++r)
    for (std::size_t s = max_sum; s >= r; --s) c[s] += c[s - r];
  return c;
}

// Count, for each u in 0..n1*n2, the arrangements of n1 + n2 distinct values in which the
// first sample's U equals u: subsets of size n1 of ranks {1..N} by rank sum, shifted by
// n1(n1+1)/2. dp[k][s]: subsets of size k with rank sum s.
std::vector<std::uint64_t> mann_whitney_counts(std::size_t n1, std::size_t n2) {
  const std::size_t n = n1 + n2;
  const std::size_t max_sum = n * (n + 1) / 2;
  std::vector<std::vector<std::uint64_t>> dp(n1 + 1, std::vector<std::uint64_t>(max_sum + 1, 0));
  dp[0][0] = 1;
  for (std::size_t r = 1; r <= n; ++r)
    for (std::size_t k = std::min(r, n1); k >= 1; --k)
      for (std::size_t s = max_sum; s >= r; --s) dp[k][s] += dp[k - 1][s - r];
  const std::size_t offset = n1 * (n1 + 1) / 2;
  std::vector<std::uint64_t> counts(n1 * n2 + 1, 0);
  for (std::size_t u = 0; u <= n1 * n2; ++u) counts[u] = dp[n1][u + offset];
  return counts;
}

// Median of a bootstrap resample given as draw counts over the sorted values (n draws):
// walk the cumulative counts to the middle draw(s), no sorting needed.
double median_from_counts(const std::vector<double>& sorted, const std::vector<std::uint32_t>& counts) {
  const std::size_t n = sorted.size();             // the resample has n draws too
  const std::size_t lo = (n - 1) / 2, hi = n / 2;  // 0-based positions of the middle draws
  double lo_value = 0, hi_value = 0;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t next = seen + counts[i];
    if (seen <= lo && lo < next) lo_value = sorted[i];
    if (seen <= hi && hi < next) {
      hi_value = sorted[i];
      break;
    }
    seen = next;
  }
  return lo == hi ? lo_value : 0.5 * (lo_value + hi_value);
}

}  // namespace

// ---- PRNG -------------------------------------------------------------------------------

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t sm = seed;
  for (auto& word : s_) word = splitmix64(sm);  // never all zero: splitmix64 is a bijection
}

std::uint64_t Rng::next() {
  const auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject the lowest 2^64 mod bound outputs so every residue is equally likely.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t x = next();
    if (x >= threshold) return x % bound;
  }
}

// ---- Summary ----------------------------------------------------------------------------

double median(std::span<const double> values) {
  std::vector<double> s = finite_values(values);
  if (s.empty()) return 0;
  std::sort(s.begin(), s.end());
  return sorted_median(s);
}

double geometric_mean(std::span<const double> values) {
  double log_sum = 0;
  std::size_t n = 0;
  for (double v : values)
    if (std::isfinite(v) && v > 0) {
      log_sum += std::log(v);
      ++n;
    }
  return n == 0 ? 0 : std::exp(log_sum / static_cast<double>(n));
}

std::size_t median_ci_rank(std::size_t n) {
  if (n == 0) return 0;
  constexpr double kTail = 0.025;  // per side, for a 95 % interval
  std::size_t k = 0;               // largest k with P(B <= k-1) <= kTail; 0 = none
  if (n <= 1000) {
    double pmf = std::ldexp(1.0, -static_cast<int>(n));  // P(B = 0), exact
    double cdf = 0;
    for (std::size_t j = 0; j < n; ++j) {  // cdf = P(B <= j)
      cdf += pmf;
      if (cdf > kTail) break;
      k = j + 1;
      pmf = pmf * static_cast<double>(n - j) / static_cast<double>(j + 1);
    }
  } else {
    // P(B <= k-1) ≈ Φ((k - 0.5 - n/2) / (sqrt(n)/2)) <= 0.025.
    const double nd = static_cast<double>(n);
    k = static_cast<std::size_t>(std::floor(nd / 2 + 0.5 - 1.959963984540054 * std::sqrt(nd) / 2));
  }
  return std::max<std::size_t>(k, 1);
}

Summary summarize(std::span<const double> samples) {
  std::vector<double> s = finite_values(samples);
  Summary out;
  out.n = s.size();
  if (s.empty()) return out;
  std::sort(s.begin(), s.end());
  const std::size_t n = s.size();
  out.min = s.front();
  out.max = s.back();
  out.median = sorted_median(s);
  // Mean shifted by the median: exact for all-equal samples, and less cancellation.
  double dev_sum = 0;
  for (double x : s) dev_sum += x - out.median;
  out.mean = out.median + dev_sum / static_cast<double>(n);
  if (n > 1) {
    double ss = 0;
    for (double x : s) ss += (x - out.mean) * (x - out.mean);
    out.stddev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  out.cv = out.mean != 0 ? out.stddev / out.mean : 0;
  const std::size_t k = median_ci_rank(n);
  out.ci_low = s[k - 1];
  out.ci_high = s[n - k];
  return out;
}

// ---- Rank tests -------------------------------------------------------------------------

RankTest mann_whitney_u_test(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> x = finite_values(a), y = finite_values(b);
  RankTest t;
  t.n = x.size() + y.size();
  if (x.empty() || y.empty()) return t;
  const std::size_t n1 = x.size(), n2 = y.size(), n = n1 + n2;
  std::vector<double> pooled(x);
  pooled.insert(pooled.end(), y.begin(), y.end());
  const Ranked r = midranks(pooled);
  double rank_sum = 0;
  for (std::size_t i = 0; i < n1; ++i) rank_sum += r.ranks[i];
  const double n1d = static_cast<double>(n1), n2d = static_cast<double>(n2);
  const double nd = static_cast<double>(n);
  t.statistic = rank_sum - n1d * (n1d + 1) / 2;
  if (!r.tied && n <= kMannWhitneyExactMaxTotal) {
    t.exact = true;
    // Without ties U is an integer in 0..n1*n2.
    t.p_value = exact_two_sided_p(mann_whitney_counts(n1, n2), static_cast<std::size_t>(t.statistic));
    return t;
  }
  const double mean = n1d * n2d / 2;
  const double variance = n1d * n2d / 12 * ((nd + 1) - r.tie_term / (nd * (nd - 1)));
  t.p_value = normal_two_sided_p(t.statistic, mean, variance);
  return t;
}

RankTest wilcoxon_signed_rank_test(std::span<const double> differences) {
  std::vector<double> d;
  d.reserve(differences.size());
  for (double x : differences)
    if (std::isfinite(x) && x != 0) d.push_back(x);
  RankTest t;
  t.n = d.size();
  if (d.empty()) return t;
  const std::size_t n = d.size();
  std::vector<double> magnitude(n);
  for (std::size_t i = 0; i < n; ++i) magnitude[i] = std::fabs(d[i]);
  const Ranked r = midranks(magnitude);
  double w_plus = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (d[i] > 0) w_plus += r.ranks[i];
  t.statistic = w_plus;
  if (!r.tied && n <= kSignedRankExactMaxN) {
    t.exact = true;
    t.p_value = exact_two_sided_p(signed_rank_counts(n), static_cast<std::size_t>(w_plus));
    return t;
  }
  const double nd = static_cast<double>(n);
  const double mean = nd * (nd + 1) / 4;
  const double variance = nd * (nd + 1) * (2 * nd + 1) / 24 - r.tie_term / 48;
  t.p_value = normal_two_sided_p(w_plus, mean, variance);
  return t;
}

double mann_whitney_u_p(std::span<const double> a, std::span<const double> b) {
  return mann_whitney_u_test(a, b).p_value;
}

double wilcoxon_signed_rank_p(std::span<const double> differences) {
  return wilcoxon_signed_rank_test(differences).p_value;
}

// ---- Bootstrap percentile rule ----------------------------------------------------------

Interval percentile_interval(std::span<const double> sorted, double alpha) {
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("percentile_interval: alpha not in (0, 1)");
  std::vector<double> finite;  // only filled when some value is not finite
  std::span<const double> m = sorted;
  if (!std::all_of(sorted.begin(), sorted.end(), [](double x) { return std::isfinite(x); })) {
    finite = finite_values(sorted);
    m = finite;
  }
  if (m.empty()) throw std::invalid_argument("percentile_interval: no finite value");
  if (!std::is_sorted(m.begin(), m.end())) throw std::invalid_argument("percentile_interval: values not sorted");
  const std::size_t b = m.size();
  // Inverse-ECDF percentiles: the k-th smallest and k-th largest, k = ceil(alpha/2 * B).
  const double tail = alpha / 2 * static_cast<double>(b);
  std::size_t k = static_cast<std::size_t>(std::ceil(tail));
  k = std::clamp<std::size_t>(k, 1, (b + 1) / 2);
  return {m[k - 1], m[b - k]};
}

// ---- Paired ratio -----------------------------------------------------------------------

RatioEstimate paired_ratio(std::span<const double> candidate, std::span<const double> reference, double alpha,
                           std::uint64_t seed, int resamples) {
  if (candidate.size() != reference.size())
    throw std::invalid_argument("paired_ratio: candidate and reference differ in length");
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("paired_ratio: alpha not in (0, 1)");
  if (resamples < 1) throw std::invalid_argument("paired_ratio: resamples < 1");

  std::vector<double> ratios, log_proxies;
  for (std::size_t i = 0; i < candidate.size(); ++i) {
    const double c = candidate[i], r = reference[i];
    if (!(std::isfinite(c) && std::isfinite(r) && c > 0 && r > 0)) continue;
    const double q = c / r;
    if (!(std::isfinite(q) && q > 0)) continue;  // over/underflow
    ratios.push_back(q);
    // Same sign, ties and magnitude order as log(q); exact IEEE operations only.
    log_proxies.push_back(q >= 1 ? q - 1 : -(r / c - 1));
  }

  RatioEstimate est;
  est.n_pairs = ratios.size();
  if (ratios.empty()) return est;
  std::vector<double> sorted(ratios);
  std::sort(sorted.begin(), sorted.end());
  est.ratio = sorted_median(sorted);
  est.ci_low = sorted.front();
  est.ci_high = sorted.back();
  if (est.n_pairs < kMinPairsForVerdict) return est;

  const std::size_t n = sorted.size();
  const std::size_t b = static_cast<std::size_t>(resamples);
  Rng rng(seed);
  std::vector<double> medians(b);
  std::vector<std::uint32_t> counts(n);
  for (std::size_t rep = 0; rep < b; ++rep) {
    std::fill(counts.begin(), counts.end(), 0u);
    for (std::size_t i = 0; i < n; ++i) ++counts[rng.below(n)];
    medians[rep] = median_from_counts(sorted, counts);
  }
  std::sort(medians.begin(), medians.end());
  const Interval ci = percentile_interval(medians, alpha);
  est.ci_low = ci.low;
  est.ci_high = ci.high;

  est.p_value = wilcoxon_signed_rank_p(log_proxies);
  est.significant = est.p_value < alpha && (est.ci_low > 1 || est.ci_high < 1);
  return est;
}

// ---- Unpaired ratio ---------------------------------------------------------------------

UnpairedRatio unpaired_ratio(std::span<const double> a, std::span<const double> b, double alpha, std::uint64_t seed,
                             int resamples) {
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("unpaired_ratio: alpha not in (0, 1)");
  if (resamples < 1) throw std::invalid_argument("unpaired_ratio: resamples < 1");
  const std::vector<double> x = finite_values(a), y = finite_values(b);
  UnpairedRatio out;
  out.n_a = x.size();
  out.n_b = y.size();
  if (x.empty() || y.empty()) return out;

  // Each side sorted, plus the sorted position of every input-order value: a draw of input
  // index i counts sorted[rank[i]], so the resample's median comes from the counts without
  // sorting, and equals the median of the drawn values (the multiset is the same).
  struct Side {
    std::vector<double> sorted;
    std::vector<std::size_t> rank;
    std::vector<std::uint32_t> counts;
  };
  auto make_side = [](const std::vector<double>& v) {
    Side s;
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
    s.sorted.resize(v.size());
    s.rank.resize(v.size());
    for (std::size_t pos = 0; pos < v.size(); ++pos) {
      s.sorted[pos] = v[order[pos]];
      s.rank[order[pos]] = pos;
    }
    s.counts.assign(v.size(), 0);
    return s;
  };
  Side sa = make_side(x), sb = make_side(y);
  out.median_a = sorted_median(sa.sorted);
  out.median_b = sorted_median(sb.sorted);
  out.ratio = out.median_a != 0 ? out.median_b / out.median_a : 0;

  Rng rng(seed);
  auto resample_median = [&rng](Side& s) {
    std::fill(s.counts.begin(), s.counts.end(), 0u);
    const std::size_t n = s.sorted.size();
    for (std::size_t i = 0; i < n; ++i) ++s.counts[s.rank[rng.below(n)]];
    return median_from_counts(s.sorted, s.counts);
  };
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(resamples));
  for (int rep = 0; rep < resamples; ++rep) {
    const double ma = resample_median(sa);  // a's n_a draws first, then b's n_b: the stream order
    const double mb = resample_median(sb);
    if (ma == 0) continue;
    const double q = mb / ma;
    if (std::isfinite(q)) ratios.push_back(q);  // overflow: dropped like a zero denominator
  }
  if (ratios.empty()) {
    out.ci_low = out.ci_high = out.ratio;
  } else {
    std::sort(ratios.begin(), ratios.end());
    const Interval ci = percentile_interval(ratios, alpha);
    out.ci_low = ci.low;
    out.ci_high = ci.high;
  }
  out.p_value = mann_whitney_u_p(x, y);
  out.significant = out.p_value < alpha && (out.ci_low > 1 || out.ci_high < 1);
  return out;
}

}  // namespace alloclab::stats
