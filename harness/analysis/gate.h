// analysis/gate.h — `harness gate`: CI regression gating that a faster or slower machine does not
// trip. Each allocator is judged by its ratio to a reference allocator measured in the same
// run (mallocs/sec), or by its instructions per malloc relative to the reference (callgrind),
// and that ratio is compared with the same ratio in a baseline results file.
//
//   mallocs/sec:  rel = median_i(cand[a]_i / cand[ref]_i) / median_j(base[a]_j / base[ref]_j),
//                 bootstrap CI (level 1 - alpha); FAIL when CI high < 1 - max_regression.
//   instructions: rel = (cand ipm[a] / cand ipm[ref]) / (base ipm[a] / base ipm[ref]);
//                 deterministic; FAIL when rel > 1 + max_regression.
// With --reference baseline, a change that slows every variant alike (the shared core) is
// invisible; --reference glibc (a peer the change cannot touch) catches it.
#pragma once

#include <string>
#include <vector>

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
  bool failed = false;
};

struct GateReport {
  std::vector<GateCell> cells;
  std::vector<std::string> warnings;  // cells missing from one side, etc.
  bool passed() const;
};

// Throws HarnessError (exit 2) when nothing can be compared (reference missing, no common cells).
GateReport evaluate_gate(const RunResults& candidate, const RunResults& baseline, const GateOptions& opt);

}  // namespace alloclab::harness
