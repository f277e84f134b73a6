// analysis/ab.h — `harness ab`: a pull request's variants (head) against the same variants of its
// base revision, measured in the same rounds of one run on one machine, so no committed reference
// and no cross-machine ratio is involved. Every gated cell is (variant, workload).
//
//   instructions: rel = head ipm / base ipm (callgrind, deterministic): FAIL when
//                 rel > 1 + max_instructions_regression (workloads with threads > 1:
//                 + max_instructions_regression_threaded, their serialised interleaving moves
//                 the count by ~1 % between runs). Reported first: it is exact.
//   mallocs/sec:  per round r, head_r / base_r (the two samples of the same round, same layout
//                 index); rel = median of those ratios with a bootstrap CI (level 1 - alpha),
//                 p = two-sided Wilcoxon signed-rank on them (stats::paired_ratio), q =
//                 Benjamini-Hochberg over every gated cell (one family). Placement: the pairs
//                 grouped by layout copy give the between-copy SD of the log ratio; an effect
//                 inside exp(±2 sd_log) (analysis/placement.h) is what code placement alone does
//                 and is not counted. FAIL when q <= alpha, the CI excludes 1, the effect is
//                 outside the placement band, AND ci_high < 1 - max_regression.
// Both parts fill GateReports (candidate = head, baseline = base) so gate's renderers apply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/gate.h"
#include "core/defaults.h"
#include "core/types.h"

namespace alloclab::harness {

// One gated variant: its head allocator and its base allocator in the run.
struct AbPair {
  std::string variant;  // as in the manifest ("baseline")
  std::string head;     // allocator name of the head side ("baseline")
  std::string base;     // allocator name of the base side ("base:baseline")
};

struct AbOptions {
  double alpha = RunDefaults::kAlpha;
  double max_regression = AbDefaults::kMaxRegression;                           // mallocs/sec, fraction
  double max_instructions_regression = AbDefaults::kMaxInstructionsRegression;  // fraction
  double max_instructions_regression_threaded = AbDefaults::kMaxInstructionsRegressionThreaded;
  int resamples = ResampleDefaults::kSummary;
};

// What a wall-time cell has beyond a GateCell (same index as AbReport::time.cells).
struct AbTimeDetail {
  std::size_t n_pairs = 0;
  std::optional<double> placement_band;  // exp(2 sd_log) of the pairs grouped by layout copy
  bool inside_placement = false;         // |log rel| <= log band: not counted
};

struct AbReport {
  GateReport instructions;  // cells: candidate/baseline = head/base instructions per malloc
  GateReport time;          // cells: candidate/baseline = head/base median mallocs/sec
  std::vector<AbTimeDetail> time_detail;
  bool instructions_measured = false;  // callgrind ran (ab --no-instructions skips it)
  bool passed() const { return instructions.passed() && time.passed(); }
};

// What was compared and how, for the renderers (text, Markdown, JSON verdict).
struct AbContext {
  std::string base_rev, base_sha;
  std::string head_rev = "worktree", head_sha;  // head_sha: the worktree's HEAD commit for "worktree"
  bool head_dirty = false;                      // "worktree" with modified tracked files
  std::string results_path;
  std::string harness = "harness";  // argv[0], for the re-run commands
  std::string repo;                 // --repo when given ("" = the default)
  int rounds = 0, layouts = 1;
  double min_time = 0;
  std::uint64_t seed = 0;
  bool complete = true;
  AbOptions options;
  // The exact command that measures one cell again (same base, head, rounds, layouts, seed).
  std::string rerun_command(const std::string& variant, const std::string& workload) const;
  // "main (0123456789ab)", "fedcba987654", "the working tree, modified, at fedcba987654".
  std::string base_label() const;
  std::string head_label() const;
};

// The report as the gate's renderers take it (report/gate_markdown.h, io/gate_verdict_json.h):
// the instruction section first (when measured), then the wall-time section with its placement
// band column and, below 6 rounds, the note that it cannot fail.
std::vector<GateSection> ab_sections(const AbReport& rep, const AbContext& ctx);
// What the JSON verdict says beside the sections: tool, verb, complete, base, head, results, options.
json ab_verdict_context(const AbReport& rep, const AbContext& ctx);

// Throws HarnessError (exit 2) when no cell has paired samples.
AbReport evaluate_ab(const RunResults& r, const std::vector<AbPair>& pairs, const AbOptions& opt);

}  // namespace alloclab::harness
