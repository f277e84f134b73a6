// analysis/validation.cc — the verdicts of the A/A and planted-slowdown checks.
#include "analysis/validation.h"

#include <cmath>

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
  v.expected = alpha * static_cast<double>(v.cells);
  // Binomial upper tail.
  double tail = 0;
  for (std::size_t k = v.significant; k <= v.cells; ++k) {
    double logc = std::lgamma(v.cells + 1.0) - std::lgamma(k + 1.0) - std::lgamma(v.cells - k + 1.0);
    tail += std::exp(logc + k * std::log(alpha) + (v.cells - k) * std::log1p(-alpha));
  }
  v.p_tail = v.cells ? std::min(1.0, tail) : 1.0;
  v.passed = v.p_tail >= 0.01;
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
