// analysis/validation.h — the verdicts of `harness validate` (verbs/validate.h), checks of the
// harness itself.
//   --aa       baseline and an identical copy under another name (baseline-copy, same
//              library): the number of significant cells should be about alpha × cells.
//   --planted  baseline vs test-only slowed libraries given as --allocator planted-N=PATH
//              (N = the planted slowdown in %): per cell, was the slowdown detected?
#pragma once

#include <string>
#include <vector>

#include "analysis/summary.h"
#include "core/defaults.h"
#include "core/types.h"

namespace alloclab::harness {

struct AaVerdict {
  std::size_t cells = 0, significant = 0;
  double expected = 0;  // alpha × cells
  double p_tail = 1;    // P(X >= significant), X ~ Binomial(cells, alpha)
  bool passed = true;   // p_tail >= ValidateDefaults::kAaMinTailP (0.01)
};
AaVerdict judge_aa(const std::vector<CellSummary>& cells, const std::string& copy, const std::string& reference,
                   double alpha);

// --layout (A/A'): baseline against its own layout copies (baseline@L1, ...: the same code
// linked at other addresses). Every copy x workload cell is a true null for the code; a
// significant one is placement.
struct LayoutCell {
  std::string allocator;  // baseline@Lj
  double ratio = 1, ci_low = 1, ci_high = 1, p_value = 1;
  double q_value = 1;            // Benjamini-Hochberg over all copy x workload cells
  bool significant = false;      // as in the run: p < alpha and the CI excludes 1
  bool significant_fdr = false;  // q < alpha and the CI excludes 1
};
struct LayoutRow {
  std::string workload;
  std::vector<LayoutCell> copies;
  double spread = 1;  // stats::placement_spread: max / min over {1, the copies' ratios}
};
struct LayoutVerdict {
  std::vector<LayoutRow> rows;
  std::size_t cells = 0, significant = 0, significant_fdr = 0;
  double expected = 0;   // alpha × cells: the significant cells chance alone gives
  double share_fdr = 0;  // significant_fdr / cells
  double max_spread = 1;
  bool passed = true;  // share_fdr <= ValidateDefaults::kLayoutMaxSignificantShare
};
inline constexpr const char* kLayoutFamily = "layout A/A′ cells";
LayoutVerdict judge_layout(const RunResults& r, const std::vector<CellSummary>& cells,
                           const std::vector<std::string>& copies, const std::string& reference, double alpha);

struct PlantedRow {
  std::string allocator, workload;
  double planted_pct = 0;  // N from the name planted-N (the planted amount of extra work)
  double ratio = 1, ci_low = 1, ci_high = 1;
  bool significant = false, detected = false;  // detected: significant and slower
};
std::vector<PlantedRow> judge_planted(const RunResults& r, const std::vector<CellSummary>& cells);

}  // namespace alloclab::harness
