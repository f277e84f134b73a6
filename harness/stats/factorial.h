// 2^k factorial analysis: main effects and two-factor interactions of on/off factors on a
// multiplicative metric (throughput), with CIs from a bootstrap over whole rounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace alloclab::stats {

struct FactorialEffect {
  // Main effect of factor j: first == second == j. Interaction of j and l: first = j < second = l.
  std::size_t first = 0, second = 0;
  double log_effect = 0;                      // the contrast on log(metric), see below
  double log_ci_low = 0, log_ci_high = 0;     // its bootstrap percentile CI, level 1 - alpha
  double ratio = 1, ci_low = 1, ci_high = 1;  // exp() of the three above: a multiplicative factor
  bool significant = false;                   // the log CI excludes 0 (log_ci_low > 0 or log_ci_high < 0)
  double p_value = 1;                         // two-sided bootstrap p-value, see below
};
struct FactorialEffects {
  std::size_t n_rounds = 0;                   // complete rounds used
  std::vector<FactorialEffect> main_effects;  // one per factor, factor order; empty if n_rounds < 2
  std::vector<FactorialEffect> interactions;  // pairs (0,1), (0,2), ..., (0,k-1), (1,2), ...; ditto
};
// values[r][c] is the metric (> 0, e.g. mallocs/sec) of combination c in round r; factors[c]
// is combination c's bit string: factors[c][j] == '1' when factor j is on ('0' off). The
// combinations must form a full 2^k design: k >= 1 characters each, every one of the 2^k
// patterns exactly once, in any order.
//   y[r][c] = log(values[r][c]); rounds with any non-finite y (a value <= 0, NaN, ±inf: a
//   missing or failed sample) are skipped whole, so the remaining rounds stay paired.
//   Point estimate: ybar[c] = mean over the kept rounds of y[r][c]; with s_j(c) = +1 if
//   factor j is on in c and -1 otherwise, main effect j = sum_c s_j(c) ybar[c] / (2^k / 2)
//   = mean(ybar | j on) - mean(ybar | j off), i.e. log of the geometric-mean speed-up of j
//   over the other factors' settings; interaction (j, l) is the same contrast with signs
//   s_j(c) * s_l(c) (half the difference between j's effect with l on and with l off;
//   ratio > 1: the pair gains more together than apart).
//   CI: B = `resamples` bootstrap replicates, each drawing n_rounds kept rounds with
//   replacement (Rng(seed).below(n_rounds) indexing the kept rounds in input order) and
//   recomputing every contrast from those rounds (whole rounds: the pairing of combinations
//   measured in the same round is kept); per contrast, percentile_interval(sorted, alpha).
//   p-value (two-sided, from the same B replicates; it does not change any number above):
//   with c = the number of replicates on the other side of 0 from the point estimate, or at
//   0 (replicate <= 0 for an estimate > 0, >= 0 for an estimate < 0, every replicate for an
//   estimate of exactly 0), p = min(1, 2 (c + 1) / (B + 1)) — the share of the bootstrap
//   distribution beyond 0 doubled, with the +1 that keeps p > 0 (at least 2 / (B + 1):
//   about 0.001 at B = 2000). It agrees with the CI: when the percentile CI excludes 0 at
//   level 1 - alpha, c < k = ceil(alpha/2 B), so p <= 2k / (B + 1) ~ alpha. It is what
//   Benjamini-Hochberg needs for the factorial families of the report.
//   Fewer than 2 kept rounds: n_rounds set, no effects.
// Same arithmetic, draws and order as harness' report_md.cc factorial_effects before issue 6
// (given the rows in ascending round order and combinations in any fixed order).
// Throws std::invalid_argument if the design is not a full 2^k factorial (or k > 30), a row
// does not have one value per combination, alpha is not in (0, 1) or resamples < 1.
FactorialEffects factorial_effects(std::span<const std::vector<double>> values, std::span<const std::string> factors,
                                   double alpha = 0.05, std::uint64_t seed = 1, int resamples = 10000);

}  // namespace alloclab::stats
