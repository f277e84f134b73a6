// report/effect_cells.cc — one effect's mark and ratio cell.
#include "report/effect_cells.h"

#include <fmt/format.h>

namespace alloclab::harness {

std::string effect_mark(const Effect& e) {
  if (e.counted()) return "✔";
  if (e.significant) return "†";
  if (e.raw_significant) return "·";
  return "";
}

std::string effect_ratio_cell(const Effect& e) {
  if (e.n == 0) return "n/a";
  std::string m = effect_mark(e);
  return fmt::format("{:.3f}× [{:.3f}, {:.3f}]{}", e.ratio, e.ci_low, e.ci_high, m.empty() ? "" : " " + m);
}

}  // namespace alloclab::harness
