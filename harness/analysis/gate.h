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
//
// Honesty rules (the verdict is one of pass / fail / refused, exit 0 / 1 / 2):
//   refused  the files were measured under different conditions (analysis/gate_conditions.h;
//            --allow-mismatch gates anyway, with a warning), or one is incomplete ("complete":
//            false, an interrupted run; --allow-incomplete), or no cell could be gated at all.
//   fail     a gated cell regressed, or a cell of the reference could not be gated (missing
//            from the candidate, failed in either file, no instruction count): a candidate
//            that drops or breaks cells does not pass (--allow-missing lists them and passes).
// The cells are the reference's: the selected allocators (--allocator) × its workloads
// (--workloads); candidate cells the reference lacks have nothing to be gated against and are
// only listed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "analysis/fdr.h"
#include "analysis/gate_conditions.h"
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
  std::string workloads = "all";  // all (the reference's) | NAME,NAME,...
  bool allow_mismatch = false;    // gate files measured under different conditions (warned)
  bool allow_incomplete = false;  // gate files with "complete": false (warned)
  bool allow_missing = false;     // reference cells that cannot be gated do not fail the gate
};

std::string_view to_string(Metric m);

struct GateCell {
  std::string allocator, workload;
  double candidate = 0, baseline = 0;  // the two ratios to the reference
  double rel = 1, ci_low = 1, ci_high = 1;
  double p_value = 1, q_value = 1;  // mallocs_per_sec only (instructions are deterministic: 0 / 0)
  bool significant = false;         // q <= alpha and the CI excludes 1
  bool failed = false;
};

// A cell of the reference that was not gated, and why ("missing from the candidate", "failed in
// the candidate (crashed: ...)", "no instruction count in the reference", ...).
struct UngatedCell {
  std::string allocator, workload, why;
  std::string detail;  // the recorded error, or which side lacks what ("" when why says it all)
};

// Ungated cells grouped for reading: one group per (why, allocator, detail), its workloads in
// order.
struct UngatedGroup {
  std::string why, allocator, detail;
  std::vector<std::string> workloads;
};
std::vector<UngatedGroup> group_ungated(const std::vector<UngatedCell>& cells);

// Instructions per malloc of one cell in the two files (0 = no count on that side): shown beside
// the gate's verdict whenever either file has counts.
struct InstructionDelta {
  std::string allocator, workload;
  double candidate = 0, baseline = 0;
  bool both() const { return candidate > 0 && baseline > 0; }
  double change() const { return both() ? candidate / baseline - 1 : 0; }
};

enum class GateVerdict { pass, fail, refused };
std::string_view to_string(GateVerdict v);  // "pass" | "fail" | "refused"

struct GateReport {
  std::vector<GateCell> cells;
  std::vector<std::string> warnings;  // loud: allowed mismatches / incomplete files, CPU notes
  TestFamily family;                  // the gated cells (mallocs_per_sec)
  // Conditions that differ between the two files (analysis/gate_conditions.h); refused unless
  // mismatch_allowed.
  std::vector<GateMismatch> mismatches;
  bool mismatch_allowed = false;
  // Why nothing was gated (exit 2); empty when the files were gated.
  std::vector<std::string> refusals;
  std::vector<UngatedCell> ungated;         // reference cells not gated (counted)
  std::vector<UngatedCell> candidate_only;  // candidate cells without a reference (listed only)
  bool ungated_fail = true;                 // ungated cells fail the gate (false: --allow-missing)
  std::vector<InstructionDelta> instruction_deltas;

  bool passed() const;  // verdict() == pass
  int regressions() const;
  std::size_t reference_cells() const { return cells.size() + ungated.size(); }
  GateVerdict verdict() const;
  int exit_code() const;  // 0 pass, 1 fail, 2 refused
  // "gate FAILED: 1 regression; gated 2 of 168 cells; 166 not gated: 165 missing from the
  // candidate, 1 failed in the candidate" — the one line every output starts with.
  std::string verdict_line(const GateOptions& opt) const;
};

// What the outputs (text, Markdown, JSON verdict) say about where the numbers came from; filled
// by the verb (`gate`: the two file names; `ab`: its head and base).
struct GateOutputContext {
  std::string title = "harness gate";
  std::string candidate, baseline;  // labels of the two sides (file paths as given)
  // "allocator/workload" -> the command that re-measures and re-gates that cell (failing cells;
  // analysis/rerun_command.h).
  std::map<std::string, std::string> rerun;
  // What `ab` needs beyond the gate's defaults (left empty, the gate's output is unchanged):
  std::string description;                 // replaces "Candidate X against reference Y: ..." (Markdown)
  std::vector<std::string> notes;          // paragraphs after it (Markdown)
  int heading_level = 2;                   // 3: one section of a verdict with several (`ab`)
  std::vector<std::string> value_columns;  // the two sides' column heads (default: ratios to the reference)
  double value_scale = 1;                  // their values are multiplied by this (`ab`: 1e-6, M/s)
  // One more column of the cell tables, keyed like `rerun` (`ab`: the placement band), and more
  // fields per cell in the JSON verdict.
  std::string extra_column;
  std::map<std::string, std::string> extra_cells;
  std::map<std::string, json> cell_json;
};

// One gated report with how to render it: a verdict with several parts (`ab`: instructions,
// then wall time) is a list of these.
struct GateSection {
  const GateReport* report = nullptr;
  GateOptions options;
  GateOutputContext context;
};
// The worst of the sections' verdicts: refused, then fail, then pass.
GateVerdict combined_verdict(const std::vector<GateSection>& sections);

// Throws HarnessError (exit 2) when the files cannot be read as a gate at all (reference
// allocator missing, no instruction counts for --metric instructions, unknown names). Refusals
// (mismatch, incomplete, no cell gated) come back in the report, so that they can be rendered.
GateReport evaluate_gate(const RunResults& candidate, const RunResults& baseline, const GateOptions& opt);

}  // namespace alloclab::harness
