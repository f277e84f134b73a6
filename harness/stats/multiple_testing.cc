// Binomial tail, expected false positives, Benjamini-Hochberg. See multiple_testing.h.
#include "stats/multiple_testing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace alloclab::stats {

double binomial_tail(std::size_t n, std::size_t k, double p) {
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument("binomial_tail: p not in [0, 1]");
  if (k == 0) return 1;
  if (k > n) return 0;
  if (p == 0) return 0;  // X == 0 < k
  if (p == 1) return 1;  // X == n >= k
  const double q = 1 - p, odds = p / q;
  // The mode floor((n+1) p) has the largest term; scale it to 1 and walk outward with the
  // exact term ratio, so no term overflows and the far tails underflow harmlessly.
  const std::size_t mode = std::min(n, static_cast<std::size_t>(std::floor(static_cast<double>(n + 1) * p)));
  double upper = 0, lower = 0;  // sums of t_j for j >= k and j < k
  double t = 1;
  for (std::size_t j = mode;; ++j) {  // t_j for j = mode .. n
    (j >= k ? upper : lower) += t;
    if (j == n) break;
    t *= static_cast<double>(n - j) / static_cast<double>(j + 1) * odds;
    if (t == 0) break;
  }
  t = 1;
  for (std::size_t j = mode; j > 0;) {  // t_{j-1} for j = mode .. 1
    t *= static_cast<double>(j) / static_cast<double>(n - j + 1) / odds;
    --j;
    if (t == 0) break;
    (j >= k ? upper : lower) += t;
  }
  return std::min(1.0, upper / (upper + lower));
}

double expected_false_positives(std::size_t m, double alpha) { return static_cast<double>(m) * alpha; }

std::vector<double> bh_adjust(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<double> p(m);
  for (std::size_t i = 0; i < m; ++i) {
    const double x = p_values[i];
    if (std::isnan(x)) {
      p[i] = 1;
    } else if (x >= 0 && x <= 1) {
      p[i] = x;
    } else {
      throw std::invalid_argument("bh_adjust: p-value outside [0, 1]");
    }
  }
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return p[i] < p[j]; });
  std::vector<double> q(m);
  double running = 1;  // min over j >= i of m / j * p_(j), capped at 1
  const double md = static_cast<double>(m);
  for (std::size_t i = m; i-- > 0;) {
    running = std::min(running, md / static_cast<double>(i + 1) * p[order[i]]);
    q[order[i]] = running;
  }
  return q;
}

std::vector<bool> bh_reject(std::span<const double> p_values, double q) {
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("bh_reject: q not in [0, 1]");
  const std::vector<double> adjusted = bh_adjust(p_values);
  std::vector<bool> out(adjusted.size());
  for (std::size_t i = 0; i < adjusted.size(); ++i) out[i] = adjusted[i] <= q;
  return out;
}

}  // namespace alloclab::stats
