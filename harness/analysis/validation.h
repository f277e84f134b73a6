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

struct PlantedRow {
  std::string allocator, workload;
  double planted_pct = 0;  // N from the name planted-N (the planted amount of extra work)
  double ratio = 1, ci_low = 1, ci_high = 1;
  bool significant = false, detected = false;  // detected: significant and slower
};
std::vector<PlantedRow> judge_planted(const RunResults& r, const std::vector<CellSummary>& cells);

}  // namespace alloclab::harness
