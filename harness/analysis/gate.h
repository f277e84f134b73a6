// analysis/gate.h — `harness gate`: CI regression gating that a faster or slower machine does not
// trip. Each allocator is judged by its ratio to a reference allocator measured in the same
// run (mallocs/sec), or by its instructions per malloc relative to the reference (callgrind),
// and that ratio is compared with the same ratio in a baseline results file.
//
//   mallocs/sec:  rel = median_i(cand[a]_i / cand[ref]_i) / median_j(base[a]_j / base[ref]_j),
//                 bootstrap CI (level 1 - alpha); p = two-sided Mann-Whitney U between the
//                 candidate's and the baseline file's per-round ratios (the two files are
//                 independent runs: no pairing across them; the per-round ratios already
//                 cancel the machine); q = Benjamini-Hochberg over every gated cell (one
//                 family). FAIL when q <= alpha AND CI high < 1 - max_regression (the CI then
//                 also excludes 1): significantly worse after FDR, by more than the threshold.
//   instructions: rel = (cand ipm[a] / cand ipm[ref]) / (base ipm[a] / base ipm[ref]);
//                 deterministic; FAIL when rel > 1 + max_regression.
// With --reference baseline, a change that slows every variant alike (the shared core) is
// invisible; --reference glibc (a peer the change cannot touch) catches it.
#pragma once

#include <string>
#include <vector>

#include "analysis/fdr.h"
#include "core/defaults.h"
#include "core/types.h"

namespace alloclab::harness {

// What is gated: throughput relative to the reference, or callgrind's instructions per malloc.
enum class Metric { mallocs_per_sec, instructions };

struct GateOptions {
  double max_regression = GateDefaults::kMaxRegression;  // fraction
  std::string reference = "baseline";
  std::string allocators = "all";  // all | NAME,NAME,...
  double alpha = RunDefaults::kAlpha;
  Metric metric = Metric::mallocs_per_sec;
};

struct GateCell {
  std::string allocator, workload;
  double candidate = 0, baseline = 0;  // the two ratios to the reference
  double rel = 1, ci_low = 1, ci_high = 1;
  double p_value = 1, q_value = 1;  // mallocs_per_sec only (instructions are deterministic: 0 / 0)
  bool significant = false;         // q <= alpha and the CI excludes 1
  bool failed = false;
};

struct GateReport {
  std::vector<GateCell> cells;
  std::vector<std::string> warnings;  // cells missing from one side, etc.
  TestFamily family;                  // the gated cells (mallocs_per_sec)
  bool passed() const;
};

// Throws HarnessError (exit 2) when nothing can be compared (reference missing, no common cells).
GateReport evaluate_gate(const RunResults& candidate, const RunResults& baseline, const GateOptions& opt);

}  // namespace alloclab::harness
