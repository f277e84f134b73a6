// analysis/summary.cc — per-cell summaries and paired ratios.
#include "analysis/summary.h"

#include <algorithm>
#include <map>

namespace alloclab::harness {
namespace {

// mallocs/sec per layout copy, when the ok samples used >= 2 copies.
std::vector<LayoutSummary> per_layout(const std::map<int, std::vector<double>>& by_layout) {
  std::vector<LayoutSummary> out;
  if (by_layout.size() < 2) return out;
  for (const auto& [layout, v] : by_layout) {
    stats::Summary s = stats::summarize(v);
    out.push_back({layout, s.n, s.median, s.cv});
  }
  return out;
}

}  // namespace

std::optional<stats::Placement> pair_placement(const Paired& p) {
  std::map<std::pair<int, int>, std::vector<double>> groups;
  for (std::size_t i = 0; i < p.a.size(); ++i) groups[{p.layout_a[i], p.layout_b[i]}].push_back(p.a[i] / p.b[i]);
  if (groups.size() < 2) return std::nullopt;
  std::vector<std::vector<double>> by_copy;
  for (auto& [key, v] : groups) by_copy.push_back(std::move(v));
  stats::Placement pl = stats::placement(by_copy);
  if (!pl.valid()) return std::nullopt;
  return pl;
}

const RatioRow* CellSummary::ratio_to(const std::string& ref) const {
  for (const auto& r : ratios)
    if (r.reference == ref) return &r;
  return nullptr;
}

std::vector<std::string> ratio_references(const RunResults& r) {
  std::vector<std::string> refs;
  if (r.find_allocator(r.options.reference)) refs.push_back(r.options.reference);
  for (const auto& a : r.allocators)
    if (a.kind == AllocatorKind::peer && a.name != r.options.reference) refs.push_back(a.name);
  return refs;
}

std::uint64_t comparison_seed(std::uint64_t base, const std::string& a, const std::string& b,
                              const std::string& workload) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::string* s : {&a, &b, &workload}) {
    for (unsigned char c : *s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  }
  return h ^ (base * 0x9e3779b97f4a7c15ULL);
}

std::vector<double> cell_values(const RunResults& r, const std::string& allocator, const std::string& workload,
                                double Sample::*field) {
  std::vector<const Sample*> ok;
  for (const auto& s : r.samples)
    if (s.status == Status::ok && s.allocator == allocator && s.workload == workload) ok.push_back(&s);
  std::stable_sort(ok.begin(), ok.end(), [](const Sample* x, const Sample* y) { return x->round < y->round; });
  std::vector<double> v;
  for (const Sample* s : ok) v.push_back(s->*field);
  return v;
}

Paired paired_values(const RunResults& r, const std::string& alloc_a, const std::string& alloc_b,
                     const std::string& workload, double Sample::*field) {
  std::map<int, const Sample*> a, b;
  for (const auto& s : r.samples) {
    if (s.status != Status::ok || s.workload != workload) continue;
    if (s.allocator == alloc_a) a[s.round] = &s;
    if (s.allocator == alloc_b) b[s.round] = &s;
  }
  Paired p;
  for (const auto& [round, sa] : a)
    if (auto it = b.find(round); it != b.end()) {
      p.a.push_back(sa->*field);
      p.b.push_back(it->second->*field);
      p.rounds.push_back(round);
      p.layout_a.push_back(sa->layout);
      p.layout_b.push_back(it->second->layout);
    }
  return p;
}

std::vector<CellSummary> summarize_run(const RunResults& r, int resamples) {
  std::vector<CellSummary> out;
  auto refs = ratio_references(r);
  for (const auto& a : r.allocators)
    for (const auto& w : r.workloads) {
      CellSummary c;
      c.allocator = a.name;
      c.workload = w.name;
      std::vector<double> mps, ns, rss, faults;
      std::map<int, std::vector<double>> mps_by_layout;
      for (const auto& s : r.samples) {
        if (s.allocator != a.name || s.workload != w.name) continue;
        ++c.n_samples;
        if (s.status != Status::ok) {
          if (c.error.empty()) c.error = s.error;
          continue;
        }
        ++c.n_ok;
        mps.push_back(s.mallocs_per_sec);
        mps_by_layout[s.layout].push_back(s.mallocs_per_sec);
        ns.push_back(s.ns_per_op);
        rss.push_back(static_cast<double>(s.peak_rss_kib));
        faults.push_back(static_cast<double>(s.page_faults));
      }
      // A verify / warm-up failure explains the skipped samples better than "skipped".
      for (const auto& f : r.failures)
        if (f.allocator == a.name && f.workload == w.name && f.phase != Phase::measure) {
          c.error = f.error;
          break;
        }
      if (c.n_samples == 0)
        c.status = Status::skipped;
      else if (c.n_ok < c.n_samples || !c.error.empty())
        c.status = Status::failed;
      if (c.status == Status::skipped && c.error.empty()) c.error = "not run";
      if (!mps.empty()) {
        c.mallocs_per_sec = stats::summarize(mps);
        c.ns_per_op_median = stats::median(ns);
        c.peak_rss_kib_median = stats::median(rss);
        c.page_faults_median = stats::median(faults);
      }
      c.per_layout = per_layout(mps_by_layout);
      for (const auto& ref : refs) {
        if (ref == a.name) continue;
        Paired p = paired_values(r, a.name, ref, w.name);
        if (p.a.empty()) continue;
        RatioRow row;
        row.reference = ref;
        row.est = stats::paired_ratio(p.a, p.b, r.options.alpha, comparison_seed(r.options.seed, a.name, ref, w.name),
                                      resamples);
        row.placement = pair_placement(p);
        c.ratios.push_back(row);
      }
      out.push_back(std::move(c));
    }
  return out;
}

const CellSummary* find_cell(const std::vector<CellSummary>& cells, const std::string& allocator,
                             const std::string& workload) {
  for (const auto& c : cells)
    if (c.allocator == allocator && c.workload == workload) return &c;
  return nullptr;
}

}  // namespace alloclab::harness
