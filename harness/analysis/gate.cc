// analysis/gate.cc — the regression gate.
#include "analysis/gate.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/compare.h"
#include "analysis/summary.h"
#include "core/error.h"
#include "run/allocators.h"

namespace alloclab::harness {
namespace {

// Per-round ratios allocator / reference of one workload.
std::vector<double> round_ratios(const RunResults& r, const std::string& a, const std::string& ref,
                                 const std::string& w) {
  Paired p = paired_values(r, a, ref, w);
  std::vector<double> out;
  for (std::size_t i = 0; i < p.a.size(); ++i)
    if (p.b[i] > 0) out.push_back(p.a[i] / p.b[i]);
  return out;
}

const InstructionCount* find_ins(const RunResults& r, const std::string& a, const std::string& w) {
  for (const auto& i : r.instructions)
    if (i.allocator == a && i.workload == w && i.status == Status::ok && i.instructions_per_malloc > 0) return &i;
  return nullptr;
}

std::string shorten(std::string s, std::size_t n = 100) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > n) s = s.substr(0, n - 3) + "...";
  return s;
}

// Why one side has no per-round ratios for (a, w): a recorded failure of a or the reference
// there (or at setup), else no pair of ok samples.
UngatedCell timing_gap(const RunResults& r, const std::string& side, const std::string& a, const std::string& ref,
                       const std::string& w) {
  for (const auto& f : r.failures)
    if ((f.allocator == a || f.allocator == ref) && (f.workload == w || f.workload.empty()))
      return {a, w, "failed in the " + side,
              shorten(fmt::format("{} {} ({}): {}", f.allocator, to_string(f.status), to_string(f.phase), f.error))};
  for (const auto& s : r.samples)
    if ((s.allocator == a || s.allocator == ref) && s.workload == w && s.status != Status::ok)
      return {a, w, "failed in the " + side,
              shorten(fmt::format("{} {} in round {}: {}", s.allocator, to_string(s.status), s.round, s.error))};
  return {a, w, "no paired samples in the " + side, fmt::format("no round with ok samples of both {} and {}", a, ref)};
}

UngatedCell count_gap(const RunResults& r, const std::string& side, const std::string& a, const std::string& ref,
                      const std::string& w) {
  for (const auto& n : {a, ref})
    for (const auto& i : r.instructions)
      if (i.allocator == n && i.workload == w && i.status != Status::ok)
        return {a, w, "callgrind failed in the " + side,
                shorten(fmt::format("{} {}: {}", n, to_string(i.status), i.error))};
  std::string lacking = find_ins(r, a, w) ? ref : a;
  return {a, w, "no instruction count in the " + side, fmt::format("no count of {}", lacking)};
}

// The gated allocators: every variant / custom allocator of `from` but the reference, or the
// named ones (each must be in one of the files).
std::vector<std::string> select_allocators(const RunResults& from, const RunResults& other, const GateOptions& opt) {
  std::vector<std::string> names;
  if (opt.allocators != "all") {
    names = split_list(opt.allocators);
    for (const auto& n : names)
      if (!from.find_allocator(n) && !other.find_allocator(n))
        throw HarnessError(fmt::format("--allocator {}: in neither results file", n));
    return names;
  }
  // Peers are not gated by default: their ratio to the reference moves whenever the
  // reference itself gets faster or slower, which is not their regression.
  for (const auto& a : from.allocators)
    if (a.name != opt.reference && a.kind != AllocatorKind::peer) names.push_back(a.name);
  return names;
}

std::vector<std::string> select_workloads(const RunResults& from, const RunResults& other, const GateOptions& opt) {
  std::vector<std::string> names;
  if (opt.workloads != "all") {
    names = split_list(opt.workloads);
    for (const auto& n : names)
      if (!from.find_workload(n) && !other.find_workload(n))
        throw HarnessError(fmt::format("--workloads {}: in neither results file", n));
    return names;
  }
  for (const auto& w : from.workloads) names.push_back(w.name);
  return names;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void check_complete(const RunResults& r, const std::string& side, const GateOptions& opt, GateReport& rep) {
  if (r.complete) return;
  std::string what = fmt::format(
      "the {} file is incomplete (\"complete\": false, {} of {} rounds completed): an interrupted or "
      "unfinished run",
      side, r.rounds_completed, r.options.rounds);
  if (opt.allow_incomplete)
    rep.warnings.push_back("gating an incomplete file (--allow-incomplete): " + what);
  else
    rep.refusals.push_back(what + "; re-run it, or pass --allow-incomplete to gate it anyway");
}

}  // namespace

std::string_view to_string(Metric m) { return m == Metric::instructions ? "instructions" : "mallocs_per_sec"; }

std::string_view to_string(GateVerdict v) {
  switch (v) {
    case GateVerdict::pass: return "pass";
    case GateVerdict::fail: return "fail";
    case GateVerdict::refused: return "refused";
  }
  return "refused";
}

std::vector<UngatedGroup> group_ungated(const std::vector<UngatedCell>& cells) {
  std::vector<UngatedGroup> groups;
  for (const auto& u : cells) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const UngatedGroup& g) {
      return g.why == u.why && g.allocator == u.allocator && g.detail == u.detail;
    });
    if (it == groups.end()) it = groups.insert(groups.end(), UngatedGroup{u.why, u.allocator, u.detail, {}});
    it->workloads.push_back(u.workload);
  }
  return groups;
}

int GateReport::regressions() const {
  return static_cast<int>(std::count_if(cells.begin(), cells.end(), [](const GateCell& c) { return c.failed; }));
}

GateVerdict GateReport::verdict() const {
  if (!refusals.empty()) return GateVerdict::refused;
  if (regressions() > 0 || (ungated_fail && !ungated.empty())) return GateVerdict::fail;
  return GateVerdict::pass;
}

GateVerdict combined_verdict(const std::vector<GateSection>& sections) {
  GateVerdict v = GateVerdict::pass;
  for (const auto& s : sections)
    if (s.report->verdict() == GateVerdict::refused)
      return GateVerdict::refused;
    else if (s.report->verdict() == GateVerdict::fail)
      v = GateVerdict::fail;
  return v;
}

bool GateReport::passed() const { return verdict() == GateVerdict::pass; }

int GateReport::exit_code() const {
  switch (verdict()) {
    case GateVerdict::pass: return kExitOk;
    case GateVerdict::fail: return kExitFailures;
    case GateVerdict::refused: return kExitUsage;
  }
  return kExitUsage;
}

std::string GateReport::verdict_line(const GateOptions& opt) const {
  if (verdict() == GateVerdict::refused)
    return fmt::format("gate REFUSED (nothing gated): {}", fmt::join(refusals, "; "));
  int n = regressions();
  std::string out = fmt::format("gate {}: {} regression{} beyond {:g}% relative to {}; gated {} of {} cells",
                                passed() ? "PASSED" : "FAILED", n, n == 1 ? "" : "s", opt.max_regression * 100,
                                opt.reference, cells.size(), reference_cells());
  if (!ungated.empty()) {
    // Counts per reason, in order of first appearance.
    std::vector<std::pair<std::string, int>> by_why;
    for (const auto& u : ungated) {
      auto it = std::find_if(by_why.begin(), by_why.end(), [&](const auto& p) { return p.first == u.why; });
      if (it == by_why.end())
        by_why.emplace_back(u.why, 1);
      else
        ++it->second;
    }
    std::vector<std::string> parts;
    for (const auto& [why, k] : by_why) parts.push_back(fmt::format("{} {}", k, why));
    out += fmt::format("; {} not gated: {}", ungated.size(), fmt::join(parts, ", "));
    out +=
        ungated_fail ? " (ungated cells fail the gate; --allow-missing accepts them)" : " (allowed by --allow-missing)";
  }
  if (mismatch_allowed)
    out += fmt::format("; WARNING: {} measurement conditions differ (--allow-mismatch)", mismatches.size());
  return out;
}

GateReport evaluate_gate(const RunResults& cand, const RunResults& base, const GateOptions& opt) {
  GateReport rep;
  rep.ungated_fail = !opt.allow_missing;
  bool ins = opt.metric == Metric::instructions;
  if (ins && (cand.instructions.empty() || base.instructions.empty()))
    throw HarnessError(
        "--metric instructions: both files need an \"instructions\" section "
        "(from `harness callgrind` or `harness run --callgrind`)");
  if (!cand.find_allocator(opt.reference) || !base.find_allocator(opt.reference))
    throw HarnessError(
        fmt::format("the reference allocator {} must be in both files (pass --reference NAME)", opt.reference));
  std::vector<std::string> names = select_allocators(base, cand, opt);
  std::vector<std::string> workloads = select_workloads(base, cand, opt);

  // Refusals first: files that are not comparable are not gated at all.
  GateConditions cond = compare_conditions(cand, base, ins);
  rep.mismatches = cond.mismatches;
  rep.warnings = cond.notes;
  if (!rep.mismatches.empty()) {
    std::vector<std::string> what;
    for (const auto& m : rep.mismatches) what.push_back(m.describe());
    if (opt.allow_mismatch) {
      rep.mismatch_allowed = true;
      rep.warnings.insert(rep.warnings.begin(),
                          fmt::format("gating files measured under different conditions (--allow-mismatch); the "
                                      "verdict may reflect the conditions, not the code: {}",
                                      fmt::join(what, "; ")));
    } else {
      rep.refusals.push_back(fmt::format(
          "the candidate and the reference were measured under different conditions: {} (record a reference under "
          "the candidate's conditions, or pass --allow-mismatch to gate anyway)",
          fmt::join(what, "; ")));
    }
  }
  check_complete(cand, "candidate", opt, rep);
  check_complete(base, "reference", opt, rep);
  if (!rep.refusals.empty()) return rep;

  // Candidate cells without a reference: listed, not counted.
  if (opt.allocators == "all")
    for (const auto& a : select_allocators(cand, base, opt))
      if (!contains(names, a))
        for (const auto& w : cand.workloads) rep.candidate_only.push_back({a, w.name, "not in the reference", ""});
  if (opt.workloads == "all")
    for (const auto& w : cand.workloads)
      if (!contains(workloads, w.name))
        for (const auto& a : names)
          if (cand.find_allocator(a)) rep.candidate_only.push_back({a, w.name, "workload not in the reference", ""});

  for (const auto& a : names) {
    for (const auto& w : workloads) {
      if (!base.find_allocator(a) || !base.find_workload(w)) {
        rep.ungated.push_back({a, w, "not in the reference", base.find_allocator(a) ? "workload" : "allocator"});
        continue;
      }
      if (!cand.find_allocator(a) || !cand.find_workload(w)) {
        rep.ungated.push_back({a, w, "missing from the candidate",
                               cand.find_allocator(a) ? "workload not measured" : "allocator not measured"});
        continue;
      }
      GateCell c{a, w};
      if (ins) {
        const auto *ca = find_ins(cand, a, w), *cr = find_ins(cand, opt.reference, w);
        const auto *ba = find_ins(base, a, w), *br = find_ins(base, opt.reference, w);
        if (!ca || !cr) {
          rep.ungated.push_back(count_gap(cand, "candidate", a, opt.reference, w));
          continue;
        }
        if (!ba || !br) {
          rep.ungated.push_back(count_gap(base, "reference", a, opt.reference, w));
          continue;
        }
        c.candidate = ca->instructions_per_malloc / cr->instructions_per_malloc;
        c.baseline = ba->instructions_per_malloc / br->instructions_per_malloc;
        c.rel = c.ci_low = c.ci_high = c.candidate / c.baseline;
        c.failed = c.rel > 1 + opt.max_regression;
        c.p_value = c.q_value = 0;  // deterministic counts: no test, the threshold alone decides
        c.significant = c.rel != 1;
      } else {
        auto cr = round_ratios(cand, a, opt.reference, w);
        auto br = round_ratios(base, a, opt.reference, w);
        if (cr.empty()) {
          rep.ungated.push_back(timing_gap(cand, "candidate", a, opt.reference, w));
          continue;
        }
        if (br.empty()) {
          rep.ungated.push_back(timing_gap(base, "reference", a, opt.reference, w));
          continue;
        }
        UnpairedComparison u = compare_unpaired(br, cr, opt.alpha, comparison_seed(cand.options.seed, a, "gate", w));
        c.candidate = u.median_b;
        c.baseline = u.median_a;
        c.rel = u.ratio;
        c.ci_low = u.ci_low;
        c.ci_high = u.ci_high;
        c.p_value = u.p_value;  // Mann-Whitney U, candidate vs baseline per-round ratios
      }
      rep.cells.push_back(c);
    }
  }

  // Instructions per malloc beside the verdict: the gated allocators and the reference itself
  // (a change to the shared core shows there, not in the ratios).
  std::vector<std::string> counted = names;
  if (!contains(counted, opt.reference)) counted.insert(counted.begin(), opt.reference);
  for (const auto& a : counted)
    for (const auto& w : workloads) {
      const auto *c = find_ins(cand, a, w), *b = find_ins(base, a, w);
      if (c || b)
        rep.instruction_deltas.push_back(
            {a, w, c ? c->instructions_per_malloc : 0, b ? b->instructions_per_malloc : 0});
    }

  if (!ins && !rep.cells.empty()) {
    // FDR over the gated cells: a cell fails only if significant after BH and beyond the threshold.
    std::vector<FdrTest> tests;
    std::set<std::string> al, wl;
    for (const auto& c : rep.cells) {
      tests.push_back({c.p_value, c.ci_low > 1 || c.ci_high < 1});
      al.insert(c.allocator);
      wl.insert(c.workload);
    }
    rep.family =
        fdr_family("gate", fmt::format("{} allocators × {} workloads", al.size(), wl.size()), tests, opt.alpha);
    for (std::size_t i = 0; i < rep.cells.size(); ++i) {
      GateCell& c = rep.cells[i];
      c.q_value = tests[i].q_value;
      c.significant = tests[i].significant;
      c.failed = c.significant && c.ci_high < 1 - opt.max_regression;
    }
  }
  if (rep.cells.empty())
    rep.refusals.push_back(fmt::format(
        "no (allocator, workload) cell could be gated ({} reference cells, none with data on both sides); check "
        "that the files measured the same allocators and workloads",
        rep.ungated.size()));
  return rep;
}

}  // namespace alloclab::harness
