// analysis/ablation.h — the ablation analysis behind `harness report` (report/markdown.h and
// report/svg.h render it). Per workload: add-one contributions (variant X alone vs baseline), remove-one
// contributions (all vs all-but-X), and when all 2^k factor combinations ran, main effects
// and two-factor interactions on log(mallocs/sec) (bootstrap over rounds); memory cost (peak
// RSS ratios); the peers against the run's reference; the internal counters that moved most
// (when the run used --stats). Every kind of comparison is one family of tests (analysis/fdr.h):
// Benjamini-Hochberg over the family decides `significant`. Beside every time ratio: callgrind's
// instructions per malloc when the results hold them, and the placement spread when the run had
// layout copies, with the flags that say an effect does not count (see Effect::counted()).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/fdr.h"
#include "analysis/placement.h"
#include "core/defaults.h"
#include "core/types.h"

namespace alloclab::harness {

struct Effect {
  std::string label;                 // a factor, a variant, or "a × b"
  std::string candidate, reference;  // the variants compared (empty for factorial effects)
  double ratio = 1, ci_low = 1, ci_high = 1;
  double p_value = 1;            // signed-rank (paired ratios) or bootstrap (factorial effects) p
  double q_value = 1;            // Benjamini-Hochberg over the effect's family
  bool raw_significant = false;  // p < alpha and the CI excludes 1 (uncorrected)
  bool significant = false;      // q <= alpha and the CI excludes 1
  std::size_t n = 0;             // pairs (rounds)
  // Instructions per malloc (callgrind) of both sides and their ratio, when the results hold
  // them (factorial effects: only the ratio, the same contrast on log instructions).
  std::optional<double> ins_candidate, ins_reference, ins_ratio;
  std::optional<Placement> placement;  // the spread that applies (analysis/placement.h)
  bool placement_suspect = false;      // significant, |ins ratio - 1| <= kPlacementSuspectMaxInsChange
  bool below_noise = false;            // not significant, |ins ratio - 1| >= kBelowNoiseMinInsChange
  bool below_spread = false;           // |log ratio| < log(placement spread)
  // What the verdicts count: significant after FDR, not a placement suspect, not within the
  // placement spread.
  bool counted() const { return significant && !placement_suspect && !below_spread; }
};

struct CounterShift {
  std::string counter;
  double base_per_kmalloc = 0, variant_per_kmalloc = 0;  // medians, per 1000 mallocs
};

struct WorkloadAblation {
  std::string workload;
  std::vector<Effect> add_one, remove_one;
  std::optional<Effect> all_vs_baseline;
  std::vector<Effect> main_effects, interactions;             // factorial only
  std::vector<Effect> memory;                                 // peak RSS, variant / baseline
  std::vector<Effect> peers;                                  // peer / reference, mallocs/sec
  std::map<std::string, std::vector<CounterShift>> counters;  // add-one variant -> top shifts
};

// A variant's throughput relative to baseline over all workloads (for the summary's "best
// variant"): the geometric mean of the per-workload medians of per-round ratios; not a test.
struct VariantScore {
  std::string variant;
  double geomean = 1;
  std::size_t workloads = 0;
};

struct AblationReport {
  std::string family = kAlloclabFamily;                 // AblationOptions::family
  std::vector<std::string> factors;                     // family_factor_names(): bit i of the family's variants
  std::string baseline_name, all_name, reference_name;  // reference_name: the peers' reference
  bool factorial = false;
  double alpha = 0.05;
  bool has_instructions = false, has_placement = false;
  std::vector<WorkloadAblation> workloads;
  std::vector<TestFamily> families;    // in report order: add-one, remove-one, all vs baseline,
                                       // main effects, interactions, peers, memory
  std::vector<VariantScore> variants;  // best first
  std::vector<std::string> notes;
};

struct AblationOptions {
  int resamples = ResampleDefaults::kReport;
  // The variants' family analysed (core/types.h variant_family): ours, or an external one
  // (mimalloc) for the fidelity section (analysis/fidelity.h). Other families' variants are
  // left out of every comparison; the peers are compared only in ours.
  std::string family = kAlloclabFamily;
  PlacementMap placements;  // from the results summary (io/placement_json.h); empty: none
  double suspect_max_ins_change = ReportDefaults::kPlacementSuspectMaxInsChange;
  double below_noise_min_ins_change = ReportDefaults::kBelowNoiseMinInsChange;
};

// The factor names of a family's bit strings: for ours the results' config.factors; for an
// external family the names of its one-factor builds ("mimalloc:<factor>" with one bit set),
// falling back to config.factors where no such build ran and the lengths agree ("" otherwise).
// So families are matched by factor name, not bit position: they need not have the same factors.
std::vector<std::string> family_factor_names(const RunResults& r, const std::string& family);

// Instruction counts come from r.instructions (`run --callgrind`, or merged from a `harness
// callgrind` file by analysis/instructions.h).
AblationReport build_ablation(const RunResults& r, const AblationOptions& opt);
AblationReport build_ablation(const RunResults& r, int resamples = ResampleDefaults::kReport);

}  // namespace alloclab::harness
