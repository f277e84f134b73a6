// io/placement_json.cc — reading the summary's placement objects.
#include "io/placement_json.h"

namespace alloclab::harness {

PlacementMap placements_from_json(const json& results) {
  PlacementMap out;
  if (!results.is_object() || !results.contains("summary") || !results["summary"].is_object()) return out;
  const json& cells = results["summary"].value("cells", json::array());
  if (!cells.is_array()) return out;
  for (const json& c : cells) {
    if (!c.is_object() || !c.contains("ratios") || !c["ratios"].is_array()) continue;
    std::string alloc = c.value("allocator", std::string{}), workload = c.value("workload", std::string{});
    for (const json& r : c["ratios"]) {
      if (!r.is_object() || !r.contains("placement") || !r["placement"].is_object()) continue;
      const json& p = r["placement"];
      if (!p.contains("spread") || !p["spread"].is_number()) continue;
      Placement pl;
      pl.spread = p["spread"].get<double>();
      if (!(pl.spread >= 1)) continue;
      pl.layouts = p.contains("layouts") && p["layouts"].is_number() ? p["layouts"].get<int>() : 0;
      pl.sd_log = p.contains("sd_log") && p["sd_log"].is_number() ? p["sd_log"].get<double>() : 0;
      out[{alloc, r.value("reference", std::string{}), workload}] = pl;
    }
  }
  return out;
}

}  // namespace alloclab::harness
