// analysis/compare.cc — unpaired and within-file comparisons.
#include "analysis/compare.h"

#include <set>

#include <fmt/format.h>

#include "analysis/summary.h"
#include "stats/stats.h"

namespace alloclab::harness {

UnpairedComparison compare_unpaired(std::span<const double> a, std::span<const double> b, double alpha,
                                    std::uint64_t seed, int resamples) {
  return stats::unpaired_ratio(a, b, alpha, seed, resamples);
}

namespace {

// BH over all rows of one comparison.
void correct(std::vector<CompareRow>& rows, const std::string& name, const std::string& shape, double alpha,
             TestFamily* family) {
  std::vector<FdrTest> tests;
  for (const auto& r : rows) tests.push_back({r.p_value, r.ci_low > 1 || r.ci_high < 1});
  TestFamily f = fdr_family(name, shape, tests, alpha);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].q_value = tests[i].q_value;
    rows[i].raw_significant = tests[i].raw_significant;
    rows[i].significant = tests[i].significant;
  }
  if (family) *family = f;
}

std::string shape_of(const std::vector<CompareRow>& rows) {
  std::set<std::string> al, wl;
  for (const auto& r : rows) {
    al.insert(r.allocator);
    wl.insert(r.workload);
  }
  return fmt::format("{} allocators × {} workloads", al.size(), wl.size());
}

}  // namespace

std::vector<CompareRow> compare_files(const RunResults& a, const RunResults& b, double alpha, TestFamily* family) {
  std::vector<CompareRow> rows;
  for (const auto& al : a.allocators)
    for (const auto& w : a.workloads) {
      if (!b.find_allocator(al.name) || !b.find_workload(w.name)) continue;
      auto va = cell_values(a, al.name, w.name, &Sample::mallocs_per_sec);
      auto vb = cell_values(b, al.name, w.name, &Sample::mallocs_per_sec);
      if (va.empty() || vb.empty()) continue;
      UnpairedComparison c = compare_unpaired(va, vb, alpha, comparison_seed(a.options.seed, al.name, "B", w.name));
      rows.push_back({al.name, w.name, "", c.median_a, c.median_b, c.ratio, c.ci_low, c.ci_high, c.p_value, 1, false,
                      c.significant, c.n_a, c.n_b, w.metric});
    }
  correct(rows, "B vs A", shape_of(rows), alpha, family);
  return rows;
}

std::vector<CompareRow> compare_within(const RunResults& r, const std::string& reference, double alpha,
                                       TestFamily* family) {
  std::vector<CompareRow> rows;
  for (const auto& al : r.allocators) {
    if (al.name == reference) continue;
    for (const auto& w : r.workloads) {
      Paired p = paired_values(r, reference, al.name, w.name);
      if (p.a.empty()) continue;
      auto est = stats::paired_ratio(p.b, p.a, alpha, comparison_seed(r.options.seed, al.name, reference, w.name));
      rows.push_back({al.name, w.name, reference, stats::median(p.a), stats::median(p.b), est.ratio, est.ci_low,
                      est.ci_high, est.p_value, 1, false, est.significant, p.a.size(), p.b.size(), w.metric});
    }
  }
  correct(rows, "vs " + reference, shape_of(rows), alpha, family);
  return rows;
}

}  // namespace alloclab::harness
