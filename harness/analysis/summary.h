// analysis/summary.h — statistics over a run's samples (via stats/stats.h): per-cell summaries and
// paired ratios to the reference allocator and to each peer (pairs = the same round).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/defaults.h"
#include "core/types.h"
#include "stats/stats.h"

namespace alloclab::harness {

struct RatioRow {
  std::string reference;     // the allocator this cell is compared with
  stats::RatioEstimate est;  // candidate / reference mallocs/sec, paired by round
  // The pairs grouped by the layout copies they used ((candidate copy, reference copy): the
  // same index for two variants, (copy, 0) against a peer): present when >= 2 copies each
  // have >= 2 pairs (harness run --layouts K).
  std::optional<stats::Placement> placement;
};

// mallocs/sec of one cell's ok samples that used one layout copy.
struct LayoutSummary {
  int layout = 0;
  std::size_t n = 0;
  double median = 0, cv = 0;
};

struct CellSummary {
  std::string allocator, workload;
  Status status = Status::ok;  // ok: every sample ok; failed: any failure; skipped: none ran
  std::string error;           // the first failure's message
  std::size_t n_ok = 0, n_samples = 0;
  stats::Summary mallocs_per_sec;
  double ns_per_op_median = 0, peak_rss_kib_median = 0, page_faults_median = 0;
  std::vector<RatioRow> ratios;
  std::vector<LayoutSummary> per_layout;  // by copy, when the cell's ok samples used >= 2 copies

  const RatioRow* ratio_to(const std::string& ref) const;
};

// The comparison targets: the reference (if it ran) followed by every peer that ran.
std::vector<std::string> ratio_references(const RunResults& r);

// One summary per (allocator, workload), allocators outer, in config order.
std::vector<CellSummary> summarize_run(const RunResults& r, int resamples = ResampleDefaults::kSummary);
const CellSummary* find_cell(const std::vector<CellSummary>& cells, const std::string& allocator,
                             const std::string& workload);

// Values of the ok samples of a cell, in round order, and round-paired values of two cells.
std::vector<double> cell_values(const RunResults& r, const std::string& allocator, const std::string& workload,
                                double Sample::*field);
struct Paired {
  std::vector<double> a, b;
  std::vector<int> rounds;
  std::vector<int> layout_a, layout_b;  // Sample::layout of each pair's two samples
};
Paired paired_values(const RunResults& r, const std::string& alloc_a, const std::string& alloc_b,
                     const std::string& workload, double Sample::*field = &Sample::mallocs_per_sec);

// The pairs' ratios a/b grouped by (layout of a, layout of b): a Placement when >= 2 groups
// have >= 2 pairs each (harness run --layouts K), else nullopt.
std::optional<stats::Placement> pair_placement(const Paired& p);

// Deterministic per-comparison bootstrap seed.
std::uint64_t comparison_seed(std::uint64_t base, const std::string& a, const std::string& b,
                              const std::string& workload);

}  // namespace alloclab::harness
