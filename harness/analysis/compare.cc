// analysis/compare.cc — unpaired and within-file comparisons.
#include "analysis/compare.h"

#include "analysis/summary.h"
#include "stats/stats.h"

namespace alloclab::harness {

UnpairedComparison compare_unpaired(std::span<const double> a, std::span<const double> b, double alpha,
                                    std::uint64_t seed, int resamples) {
  return stats::unpaired_ratio(a, b, alpha, seed, resamples);
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
      rows.push_back({al.name, w.name, reference, stats::median(p.a), stats::median(p.b), est.ratio, est.ci_low,
                      est.ci_high, est.p_value, est.significant, p.a.size(), p.b.size()});
    }
  }
  return rows;
}

}  // namespace alloclab::harness
