// analysis/verdicts.h — one verdict per optimization (factor) over every workload, and the
// report's five-line plain summary. The rules, in one place (harness/README.md quotes them):
//
//   Evidence: an effect of the factor counts only if Effect::counted(): significant after
//   Benjamini-Hochberg over its family (q <= alpha and the CI excludes 1), not a placement
//   suspect (time moved, instructions identical) and not smaller than the placement spread.
//   The effects looked at: add-one (X alone vs baseline), remove-one (all vs all-but-X) and,
//   when the full factorial ran, X's main effect and its two-factor interactions.
//
//   interacts  on some workload X's counted effects point in opposite directions (add-one
//              faster and remove-one slower, or the reverse; or either against the main
//              effect), or a counted two-factor interaction involves X;
//   mixed      otherwise, counted gains on some workloads and counted losses on others;
//   helps      only counted gains;   hurts   only counted losses;
//   no effect  nothing counted (the line says how many effects were significant but did not
//              count, and why).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/ablation.h"

namespace alloclab::harness {

enum class VerdictKind { helps, no_effect, hurts, mixed, interacts };
std::string to_string(VerdictKind k);

struct Evidence {
  std::string workload;
  std::string source;  // "add-one", "remove-one", "main effect", "interaction with Y"
  double ratio = 1;
};

struct Verdict {
  std::string factor;
  VerdictKind kind = VerdictKind::no_effect;
  std::vector<Evidence> gains, losses;  // counted effects > 1 and < 1
  std::vector<std::string> conflicts;   // workloads (or interactions) that make it "interacts"
  std::size_t discounted = 0;           // significant after FDR but not counted (placement)
};

std::vector<Verdict> factor_verdicts(const AblationReport& rep);

// Five lines: best variant, what each counted effect is, how many marks chance alone would
// give, the placement caveat, memory.
std::vector<std::string> plain_summary(const AblationReport& rep, const std::vector<Verdict>& verdicts);

}  // namespace alloclab::harness
