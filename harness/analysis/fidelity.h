// analysis/fidelity.h — does our replica behave like the allocator it copies? For a run that
// holds ours and an external family (mimalloc:*: real mimalloc with the same optimizations as
// patches), the same add-one (X alone vs baseline) and remove-one (all vs all-but-X) effects in
// both families, factor by factor (matched by name), workload by workload, and whether they agree.
//
// Each family is analysed on its own (analysis/ablation.h, AblationOptions::family): its own
// Benjamini-Hochberg families, so adding the other family changes none of our q-values. A side
// "counts" as Effect::counted() says: significant after its family's BH, not a placement
// suspect (time moved, instructions identical), not inside the placement band. The external
// builds have no layout copies, so no band can be measured for them; their effect is held to
// the band of our same comparison on the same workload (what code placement alone moves that
// ratio here), so that the two sides face the same threshold.
//
// Agreement of one comparison (direction = sign of ratio - 1 when counted, else 0):
//   agree      same direction: both count, the same way;   both null: neither counts;
//   disagree   opposite: both count, opposite ways;   one-sided: only one side counts.
// A workload agrees on a factor when every comparison present (add-one, remove-one) agrees; it
// is "opposite" when any is opposite, else "one-sided".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/ablation.h"
#include "analysis/fdr.h"
#include "core/types.h"

namespace alloclab::harness {

enum class Agreement { same_direction, both_null, opposite, one_sided, missing };
std::string to_string(Agreement a);
inline bool agrees(Agreement a) { return a == Agreement::same_direction || a == Agreement::both_null; }

// -1 slower, 0 not counted (or no pairs), +1 faster.
int counted_direction(const Effect& e);

struct FidelityComparison {
  std::string kind;     // "add-one" or "remove-one"
  Effect ours, theirs;  // n == 0: that side did not run
  Agreement agreement = Agreement::missing;
};

struct FidelityCell {
  std::string factor, workload;
  std::vector<FidelityComparison> comparisons;  // add-one, remove-one (those either family has)
  Agreement agreement = Agreement::missing;     // the workload's, as above
};

struct FactorFidelity {
  std::string factor;
  std::size_t agree = 0, same_direction = 0, both_null = 0, compared = 0;  // workloads
  std::vector<std::string> opposite;                                       // "w (alloclab faster, mimalloc slower)"
  std::vector<std::string> ours_only_gain, ours_only_loss, theirs_only_gain, theirs_only_loss;
  std::string summary;  // the one-line summary
};

struct FidelityReport {
  std::string family;                               // "mimalloc"
  std::vector<std::string> factors;                 // in both families, in our order
  std::vector<std::string> ours_only, theirs_only;  // factors only one family has
  std::vector<FidelityCell> cells;                  // factor-major, workloads in run order
  std::vector<FactorFidelity> per_factor;           // in `factors` order
  std::vector<TestFamily> families;                 // the external family's BH families
  bool has_instructions = false;
  std::vector<std::string> notes;
};

// The external families present in r (variant_family() other than ours), sorted.
std::vector<std::string> external_families(const RunResults& r);

// The fidelity of `family` (an external family) against `ours` (build_ablation of our family
// with `opt`). nullopt when the run has no variant of that family.
std::optional<FidelityReport> build_fidelity(const RunResults& r, const AblationReport& ours,
                                             const AblationOptions& opt, const std::string& family);

}  // namespace alloclab::harness
