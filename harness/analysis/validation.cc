// analysis/validation.cc — the verdicts of the A/A and planted-slowdown checks.
#include "analysis/validation.h"

#include "stats/multiple_testing.h"

namespace alloclab::harness {

AaVerdict judge_aa(const std::vector<CellSummary>& cells, const std::string& copy, const std::string& reference,
                   double alpha) {
  AaVerdict v;
  for (const auto& c : cells) {
    if (c.allocator != copy) continue;
    const RatioRow* r = c.ratio_to(reference);
    if (!r) continue;
    ++v.cells;
    v.significant += r->est.significant;
  }
  v.expected = stats::expected_false_positives(v.cells, alpha);
  v.p_tail = v.cells ? stats::binomial_tail(v.cells, v.significant, alpha) : 1.0;
  v.passed = v.p_tail >= ValidateDefaults::kAaMinTailP;
  return v;
}

std::vector<PlantedRow> judge_planted(const RunResults& r, const std::vector<CellSummary>& cells) {
  std::vector<PlantedRow> rows;
  for (const auto& c : cells) {
    if (c.allocator.rfind("planted", 0) != 0) continue;
    const RatioRow* rr = c.ratio_to(r.options.reference);
    if (!rr) continue;
    PlantedRow p;
    p.allocator = c.allocator;
    p.workload = c.workload;
    if (auto dash = c.allocator.find_last_of('-'); dash != std::string::npos) {
      try {
        p.planted_pct = std::stod(c.allocator.substr(dash + 1));
      } catch (const std::exception&) {
      }
    }
    p.ratio = rr->est.ratio;
    p.ci_low = rr->est.ci_low;
    p.ci_high = rr->est.ci_high;
    p.significant = rr->est.significant;
    p.detected = p.significant && p.ratio < 1;
    rows.push_back(p);
  }
  return rows;
}

}  // namespace alloclab::harness
