// Placement statistics: per-copy medians and the between-copy variance component of log ratios.
#include "stats/placement.h"

#include <algorithm>
#include <cmath>

#include "stats/summary.h"

namespace alloclab::stats {

Placement placement(std::span<const std::vector<double>> ratios_by_copy, std::size_t min_per_group) {
  min_per_group = std::max<std::size_t>(min_per_group, 2);
  std::vector<std::vector<double>> logs;
  std::vector<double> medians;
  for (const auto& group : ratios_by_copy) {
    std::vector<double> ok;
    for (double r : group)
      if (std::isfinite(r) && r > 0) ok.push_back(r);
    if (ok.size() < min_per_group) continue;
    medians.push_back(median(ok));
    std::vector<double> l;
    for (double r : ok) l.push_back(std::log(r));
    logs.push_back(std::move(l));
  }
  Placement p;
  p.layouts = logs.size();
  if (!p.valid()) return p;

  const auto [lo, hi] = std::minmax_element(medians.begin(), medians.end());
  p.spread = *hi / *lo;

  const double k = static_cast<double>(logs.size());
  double n_total = 0, sum = 0, sum_n2 = 0;
  std::vector<double> means;
  for (const auto& g : logs) {
    double s = 0;
    for (double x : g) s += x;
    const double n = static_cast<double>(g.size());
    means.push_back(s / n);
    n_total += n;
    sum += s;
    sum_n2 += n * n;
  }
  const double grand = sum / n_total;
  double ssb = 0, ssw = 0;
  for (std::size_t g = 0; g < logs.size(); ++g) {
    const double d = means[g] - grand;
    ssb += static_cast<double>(logs[g].size()) * d * d;
    for (double x : logs[g]) ssw += (x - means[g]) * (x - means[g]);
  }
  const double msb = ssb / (k - 1);
  const double msw = ssw / (n_total - k);  // n_total >= 2k > k
  const double n0 = (n_total - sum_n2 / n_total) / (k - 1);
  const double var_b = std::max(0.0, (msb - msw) / n0);
  p.sd_log = std::sqrt(var_b);
  return p;
}

double placement_spread(std::span<const double> ratios) {
  double lo = 1, hi = 1;
  for (double r : ratios) {
    if (!std::isfinite(r) || r <= 0) continue;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  return hi / lo;
}

}  // namespace alloclab::stats
