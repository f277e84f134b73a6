// analysis/compare.cc — unpaired and within-file comparisons.
#include "analysis/compare.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/summary.h"
#include "stats/stats.h"

namespace alloclab::harness {
namespace {

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  double pos = q * static_cast<double>(sorted.size() - 1);
  std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  double f = pos - static_cast<double>(lo);
  return sorted[lo] * (1 - f) + sorted[hi] * f;
}

}  // namespace

UnpairedComparison compare_unpaired(std::span<const double> a, std::span<const double> b, double alpha,
                                    std::uint64_t seed, int resamples) {
  UnpairedComparison c;
  c.n_a = a.size();
  c.n_b = b.size();
  if (a.empty() || b.empty()) return c;
  c.median_a = median_of({a.begin(), a.end()});
  c.median_b = median_of({b.begin(), b.end()});
  c.ratio = c.median_a != 0 ? c.median_b / c.median_a : 0;
  stats::Rng rng(seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> ra(a.size()), rb(b.size());
  for (int k = 0; k < resamples; ++k) {
    for (auto& x : ra) x = a[rng.below(a.size())];
    for (auto& x : rb) x = b[rng.below(b.size())];
    double ma = median_of(ra);
    if (ma != 0) ratios.push_back(median_of(rb) / ma);
  }
  std::sort(ratios.begin(), ratios.end());
  c.ci_low = percentile(ratios, alpha / 2);
  c.ci_high = percentile(ratios, 1 - alpha / 2);
  c.p_value = stats::mann_whitney_u_p(a, b);
  c.significant = c.p_value < alpha && (c.ci_low > 1 || c.ci_high < 1);
  return c;
}

std::vector<CompareRow> compare_files(const RunResults& a, const RunResults& b, double alpha) {
  std::vector<CompareRow> rows;
  for (const auto& al : a.allocators)
    for (const auto& w : a.workloads) {
      if (!b.find_allocator(al.name) || !b.find_workload(w.name)) continue;
      auto va = cell_values(a, al.name, w.name, &Sample::mallocs_per_sec);
      auto vb = cell_values(b, al.name, w.name, &Sample::mallocs_per_sec);
      if (va.empty() || vb.empty()) continue;
      UnpairedComparison c = compare_unpaired(va, vb, alpha, comparison_seed(a.options.seed, al.name, "B", w.name));
      rows.push_back({al.name, w.name, "", c.median_a, c.median_b, c.ratio, c.ci_low, c.ci_high, c.p_value,
                      c.significant, c.n_a, c.n_b});
    }
  return rows;
}

std::vector<CompareRow> compare_within(const RunResults& r, const std::string& reference, double alpha) {
  std::vector<CompareRow> rows;
  for (const auto& al : r.allocators) {
    if (al.name == reference) continue;
    for (const auto& w : r.workloads) {
      Paired p = paired_values(r, reference, al.name, w.name);
      if (p.a.empty()) continue;
      auto est = stats::paired_ratio(p.b, p.a, alpha, comparison_seed(r.options.seed, al.name, reference, w.name));
      rows.push_back({al.name, w.name, reference, median_of(p.a), median_of(p.b), est.ratio, est.ci_low,
                      est.ci_high, est.p_value, est.significant, p.a.size(), p.b.size()});
    }
  }
  return rows;
}

}  // namespace alloclab::harness
