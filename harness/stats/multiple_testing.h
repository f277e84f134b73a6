// Many tests at once: how many significant results chance alone gives, whether an observed
// count is more than that, and the Benjamini-Hochberg false-discovery-rate correction.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace alloclab::stats {

// P(X >= k) for X ~ Binomial(n, p): e.g. the chance that k or more of n true-null cells come
// out significant at level p (the A/A check). k == 0 gives 1, k > n gives 0; p == 0 gives 0
// for k >= 1, p == 1 gives 1 for k <= n. Computed as sum_{j >= k} t_j / sum_j t_j with
// t_j = P(X = j) / P(X = mode) from the exact term ratio t_{j+1} / t_j = (n-j)/(j+1) * p/(1-p)
// walked outward from the mode: no lgamma, no overflow, relative error O(n) ulps (terms below
// ~1e-308 of the mode's underflow to 0). Throws std::invalid_argument if p is not in [0, 1].
double binomial_tail(std::size_t n, std::size_t k, double p);

// The expected number of significant results among m true-null tests at level alpha: m * alpha.
double expected_false_positives(std::size_t m, double alpha);

// Benjamini-Hochberg adjusted p-values (q-values), in input order: with the m p-values sorted
// ascending p_(1) <= ... <= p_(m), q_(i) = min(1, min over j >= i of m / j * p_(j)), the
// smallest FDR level at which H_(i) is rejected. Monotone in p (tied p-values get the same q),
// q >= p, capped at 1. NaN counts as p = 1 (a test that could not run still counts in m).
// Rejecting every test with q <= Q controls the false discovery rate (the expected share of
// false rejections among the rejections) at Q * m0 / m <= Q when the p-values of the m0 true
// nulls are independent, or positively dependent (PRDS, Benjamini & Yekutieli 2001) — e.g.
// cells sharing a reference allocator's noise. Arbitrary dependence needs Benjamini-Yekutieli
// (Q / sum 1/i). BH does not control the family-wise error rate. Empty input: empty result.
// Throws std::invalid_argument if a p-value is outside [0, 1] (±inf included).
std::vector<double> bh_adjust(std::span<const double> p_values);

// BH at FDR level q: element i is true iff bh_adjust(p)[i] <= q, which is the step-up rule
// "reject H_(1..i*) for the largest i* with p_(i*) <= i* / m * q" (up to rounding at the
// boundary). Throws std::invalid_argument if q is not in [0, 1] or as bh_adjust.
std::vector<bool> bh_reject(std::span<const double> p_values, double q);

}  // namespace alloclab::stats
