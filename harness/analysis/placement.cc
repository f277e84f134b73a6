// analysis/placement.cc — which placement spread applies to a comparison.
#include "analysis/placement.h"

#include <cmath>

namespace alloclab::harness {

double placement_band(const Placement& p) { return std::exp(2 * p.sd_log); }

std::optional<Placement> placement_for(const PlacementMap& m, const std::string& candidate,
                                       const std::string& reference, const std::string& workload,
                                       const std::string& run_reference, bool workload_wide) {
  if (m.empty()) return std::nullopt;
  if (!workload_wide) {
    if (auto it = m.find({candidate, reference, workload}); it != m.end()) return it->second;
    auto c = m.find({candidate, run_reference, workload}), r = m.find({reference, run_reference, workload});
    if (c != m.end() && r != m.end()) return c->second.spread >= r->second.spread ? c->second : r->second;
    if (c != m.end() && reference == run_reference) return c->second;
    return std::nullopt;
  }
  std::optional<Placement> widest;
  for (const auto& [key, p] : m)
    if (std::get<2>(key) == workload && (!widest || p.spread > widest->spread)) widest = p;
  return widest;
}

}  // namespace alloclab::harness
