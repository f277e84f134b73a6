// analysis/validation.cc — the verdicts of the A/A and planted-slowdown checks.
#include "analysis/validation.h"

#include <algorithm>
#include <cmath>

#include "stats/multiple_testing.h"
#include "stats/placement.h"

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

LayoutVerdict judge_layout(const RunResults& r, const std::vector<CellSummary>& cells,
                           const std::vector<std::string>& copies, const std::string& reference, double alpha) {
  LayoutVerdict v;
  std::vector<double> p_values;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // (row, copy) of each p-value
  for (const auto& w : r.workloads) {
    LayoutRow row;
    row.workload = w.name;
    std::vector<double> ratios;
    for (const auto& name : copies) {
      const CellSummary* c = find_cell(cells, name, w.name);
      const RatioRow* rr = c ? c->ratio_to(reference) : nullptr;
      if (!rr) continue;
      LayoutCell lc;
      lc.allocator = name;
      lc.ratio = rr->est.ratio;
      lc.ci_low = rr->est.ci_low;
      lc.ci_high = rr->est.ci_high;
      lc.p_value = std::isfinite(rr->est.p_value) ? rr->est.p_value : 1.0;
      lc.significant = rr->est.significant;
      ratios.push_back(lc.ratio);
      p_values.push_back(lc.p_value);
      where.emplace_back(v.rows.size(), row.copies.size());
      row.copies.push_back(lc);
    }
    if (row.copies.empty()) continue;
    row.spread = stats::placement_spread(ratios);
    v.max_spread = std::max(v.max_spread, row.spread);
    v.rows.push_back(std::move(row));
  }
  std::vector<double> q = stats::bh_adjust(p_values);
  for (std::size_t i = 0; i < q.size(); ++i) {
    LayoutCell& c = v.rows[where[i].first].copies[where[i].second];
    c.q_value = q[i];
    c.significant_fdr = c.q_value < alpha && (c.ci_high < 1 || c.ci_low > 1);
    ++v.cells;
    v.significant += c.significant;
    v.significant_fdr += c.significant_fdr;
  }
  v.expected = stats::expected_false_positives(v.cells, alpha);
  v.share_fdr = v.cells ? static_cast<double>(v.significant_fdr) / static_cast<double>(v.cells) : 0.0;
  v.passed = v.share_fdr <= ValidateDefaults::kLayoutMaxSignificantShare;
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
