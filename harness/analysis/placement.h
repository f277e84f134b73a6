// analysis/placement.h — the placement spread of a ratio (results summary, from `harness run
// --layouts K`: byte-identical layout copies of each library rotated over the rounds) and the
// lookup the report uses to decide whether an effect is smaller than code placement alone moves.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace alloclab::harness {

// summary.cells[].ratios[].placement: {"layouts": n, "spread": max/min of the per-copy median
// ratios, "sd_log": standard deviation of their logs}.
struct Placement {
  int layouts = 0;
  double spread = 1;  // >= 1
  double sd_log = 0;
};

// How far code placement alone moves a ratio: exp(2 sd_log), two standard deviations of the
// between-copy variance component. Not `spread`: with K copies over R rounds each copy's median
// rests on R/K pairs, so max/min of those medians also holds round-to-round noise, which the
// ratio's CI already covers (10 rounds, 4 copies: spreads of 1.3-1.7x on noisy workloads whose
// variance component is near 0). An effect inside this band is not counted.
double placement_band(const Placement& p);

// (candidate, reference, workload) -> the placement of that ratio.
using PlacementMap = std::map<std::tuple<std::string, std::string, std::string>, Placement>;

// The placement spread that applies to candidate / reference on a workload:
//   1. the ratio's own entry, if the results hold one (cells are compared with the run's
//      reference and its peers);
//   2. else, when both sides have an entry against `run_reference` (e.g. remove-one: all and
//      all-but-X, each against baseline), the one with the larger spread;
//   3. else, when `workload_wide` (factorial contrasts, which mix every combination), the
//      largest spread recorded on the workload;
//   4. else none.
std::optional<Placement> placement_for(const PlacementMap& m, const std::string& candidate,
                                       const std::string& reference, const std::string& workload,
                                       const std::string& run_reference, bool workload_wide = false);

}  // namespace alloclab::harness
