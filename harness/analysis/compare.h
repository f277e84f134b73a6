// analysis/compare.h — `harness compare`: two results files (unpaired: the runs are independent), or
// one file against a reference allocator (paired by round, as `harness run` does).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/fdr.h"
#include "core/defaults.h"
#include "core/types.h"
#include "stats/ratio.h"

namespace alloclab::harness {

// median(b) / median(a) with a bootstrap CI (a and b resampled independently) and the
// Mann–Whitney U p-value: stats::unpaired_ratio (its header has the exact rules).
using UnpairedComparison = stats::UnpairedRatio;
UnpairedComparison compare_unpaired(std::span<const double> a, std::span<const double> b, double alpha,
                                    std::uint64_t seed, int resamples = ResampleDefaults::kSummary);

struct CompareRow {
  std::string allocator, workload;
  std::string against;  // "B vs A" label: the other file's name or the reference allocator
  double median_a = 0, median_b = 0;
  double ratio = 1, ci_low = 1, ci_high = 1, p_value = 1;
  double q_value = 1;            // Benjamini-Hochberg over every row of the comparison
  bool raw_significant = false;  // p < alpha and the CI excludes 1 (uncorrected)
  bool significant = false;      // q <= alpha and the CI excludes 1
  std::size_t n_a = 0, n_b = 0;
  std::string metric = "mallocs_per_sec";  // the workload's (core/types.h WorkloadSpec::metric)
};

// Every (allocator, workload) with ok samples in both files; ratio = B / A. All rows are one
// family: BH over them at q = alpha decides `significant`; `family` (if given) gets its counts.
std::vector<CompareRow> compare_files(const RunResults& a, const RunResults& b, double alpha,
                                      TestFamily* family = nullptr);
// Every allocator but `reference` vs `reference` within one file (paired by round); one family.
std::vector<CompareRow> compare_within(const RunResults& r, const std::string& reference, double alpha,
                                       TestFamily* family = nullptr);

}  // namespace alloclab::harness
