// report/tables.cc — the verbs' tables.
#include "report/tables.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace alloclab::harness {

namespace {

// A median throughput in its workload's unit: Mmallocs/s, runs/s or requests/s.
std::string format_throughput(double v, const std::string& metric) {
  if (metric == "mallocs_per_sec") return fmt::format("{:.2f}", v / 1e6);
  if (metric == "requests_per_sec") return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}
std::string format_throughput(double v, const WorkloadSpec* w) {
  return format_throughput(v, w ? w->metric : std::string("mallocs_per_sec"));
}

}  // namespace

std::string render_run_table(const RunResults& r, const std::vector<CellSummary>& cells, const Style& style) {
  const std::string& ref = r.options.reference;
  bool have_ref = r.find_allocator(ref) != nullptr;
  // Column text per (workload, allocator).
  auto cell_text = [&](const std::string& a, const std::string& w) -> std::string {
    const CellSummary* c = find_cell(cells, a, w);
    if (!c) return "-";
    if (c->status == Status::skipped && c->n_samples == 0) return "-";
    if (c->status != Status::ok) return c->n_ok ? fmt::format("FAIL\n({}/{} ok)", c->n_ok, c->n_samples) : "FAIL";
    std::string top = format_throughput(c->mallocs_per_sec.median, r.find_workload(w));
    if (a == ref) return top + "\n(reference)";
    if (const RatioRow* rr = have_ref ? c->ratio_to(ref) : nullptr)
      return top + "\n" +
             format_ratio(rr->est.ratio, rr->est.ci_low, rr->est.ci_high, rr->est.significant, style.plain);
    return top;
  };

  // Split the allocator columns into chunks that fit the terminal.
  int width = terminal_width(style);
  std::size_t wl_width = 8;
  for (const auto& w : r.workloads) wl_width = std::max(wl_width, w.name.size());
  std::size_t col_width = 21;  // "12.34× [12.34,12.34]*" fits
  std::size_t per_chunk = std::max<std::size_t>(1, (static_cast<std::size_t>(width) - wl_width) / (col_width + 2));

  std::string out;
  for (std::size_t start = 0; start < r.allocators.size(); start += per_chunk) {
    std::vector<std::string> header{"workload"};
    std::size_t end = std::min(r.allocators.size(), start + per_chunk);
    for (std::size_t i = start; i < end; ++i) header.push_back(r.allocators[i].name);
    TextTable t(header);
    for (const auto& w : r.workloads) {
      std::vector<std::string> row{w.name};
      for (std::size_t i = start; i < end; ++i) row.push_back(cell_text(r.allocators[i].name, w.name));
      t.add_row(row);
    }
    if (start) out += "\n";
    out += t.render(style.plain);
  }
  out += fmt::format(
      "{}: median over {} round{}. Ratio: {} / {} per round, median with its {:g} % bootstrap CI; "
      "* = significant (Wilcoxon p < {:g} and the CI excludes 1).\n",
      std::any_of(r.workloads.begin(), r.workloads.end(), [](const WorkloadSpec& w) { return !w.is_real(); })
          ? "Mmallocs/s"
          : "Throughput",
      r.rounds_completed, r.rounds_completed == 1 ? "" : "s", "allocator",
      have_ref ? ref : std::string("(no reference ran)"), 100 * (1 - r.options.alpha), r.options.alpha);
  if (std::any_of(r.workloads.begin(), r.workloads.end(), [](const WorkloadSpec& w) { return w.is_real(); }))
    out +=
        "Real programs (real:*, exec:*): runs/s (1 / wall time) for a batch program, requests/s for a server "
        "(its load generator); output compared with the glibc run, the exit probe proves the allocator answered.\n";

  // One line per failed cell with its reason.
  for (const auto& c : cells)
    if (c.status == Status::failed) out += fmt::format("FAIL {}/{}: {}\n", c.allocator, c.workload, c.error);
  for (const auto& s : r.skipped) out += fmt::format("skipped {}: {}\n", s.name, s.reason);
  return out;
}

std::string render_compare(const std::vector<CompareRow>& rows, const std::string& a_label, const std::string& b_label,
                           double alpha, const Style& style, const TestFamily* family) {
  // Throughput columns in Mmallocs/s, unless some row is a real program (runs/s, requests/s).
  const bool mallocs_only =
      std::all_of(rows.begin(), rows.end(), [](const CompareRow& r) { return r.metric == "mallocs_per_sec"; });
  const std::string unit = mallocs_only ? " Mmallocs/s" : " throughput";
  TextTable t({"allocator", "workload", a_label + unit, b_label + unit, "ratio B/A [CI]", "p", "q", "verdict"});
  int faster = 0, slower = 0, raw = 0;
  for (const auto& r : rows) {
    std::string verdict = "no difference";
    if (r.significant) {
      verdict = r.ratio > 1 ? "faster" : "slower";
      (r.ratio > 1 ? faster : slower)++;
    } else if (r.raw_significant) {
      verdict = "not after FDR";
    }
    raw += r.raw_significant;
    t.add_row({r.allocator, r.workload, fmt::format("{} (n={})", format_throughput(r.median_a, r.metric), r.n_a),
               fmt::format("{} (n={})", format_throughput(r.median_b, r.metric), r.n_b),
               format_ratio(r.ratio, r.ci_low, r.ci_high, r.significant, style.plain), fmt::format("{:.3g}", r.p_value),
               fmt::format("{:.3g}", r.q_value), verdict});
  }
  std::string out = t.render(style.plain);
  out += fmt::format(
      "{} cells: {} significantly faster, {} slower, {} no difference (significant = BH q <= {:g} and the CI "
      "excludes 1).\n",
      rows.size(), faster, slower, rows.size() - faster - slower, alpha);
  if (family)
    out += fmt::format("Family {}; chance alone would mark about {:.1f} at p < {:g}: {} uncorrected, {} after BH.\n",
                       family->describe(), family->expected_by_chance(), alpha, raw, faster + slower);
  return out;
}

std::string render_gate(const GateReport& rep, const GateOptions& opt, const Style& style,
                        const GateOutputContext* ctx) {
  bool ins = opt.metric == Metric::instructions;
  std::string out;
  for (const auto& w : rep.warnings) out += "WARNING: " + w + "\n";
  if (rep.verdict() == GateVerdict::refused) {
    if (!rep.mismatches.empty()) {
      TextTable m({"condition", "candidate", "reference"});
      for (const auto& x : rep.mismatches) m.add_row({x.field, x.candidate, x.reference});
      out += "The files were measured under different conditions:\n" + m.render(style.plain);
    }
    return out + rep.verdict_line(opt) + "\n";
  }
  std::vector<std::string> head = {"allocator", "workload", ins ? "cand ipm/ref" : "cand /ref",
                                   ins ? "base ipm/ref" : "base /ref", ins ? "change" : "change [CI]"};
  if (!ins) head.insert(head.end(), {"p", "q"});
  head.push_back("verdict");
  TextTable t(head);
  for (const auto& c : rep.cells) {
    std::string change = ins ? fmt::format("{:+.2f}%", (c.rel - 1) * 100)
                             : fmt::format("{:+.1f}% [{:+.1f}%,{:+.1f}%]", (c.rel - 1) * 100, (c.ci_low - 1) * 100,
                                           (c.ci_high - 1) * 100);
    std::vector<std::string> row = {c.allocator, c.workload, fmt::format("{:.3f}", c.candidate),
                                    fmt::format("{:.3f}", c.baseline), change};
    if (!ins) row.insert(row.end(), {fmt::format("{:.3g}", c.p_value), fmt::format("{:.3g}", c.q_value)});
    row.push_back(c.failed ? "FAIL" : "ok");
    t.add_row(row);
  }
  out += t.render(style.plain);
  if (!ins)
    out += fmt::format(
        "Family {} (p: Mann-Whitney U, candidate vs baseline per-round ratios); chance alone would mark about {:.1f} "
        "at p < {:g}: {} uncorrected, {} after BH.\n",
        rep.family.describe(), rep.family.expected_by_chance(), opt.alpha, rep.family.raw, rep.family.fdr);
  if (!rep.ungated.empty()) {
    out += fmt::format("Not gated ({} of {} reference cells):\n", rep.ungated.size(), rep.reference_cells());
    for (const auto& g : group_ungated(rep.ungated))
      out += fmt::format("  {} on {}: {}{}\n", g.allocator, fmt::join(g.workloads, ", "), g.why,
                         g.detail.empty() ? "" : " (" + g.detail + ")");
  }
  if (!rep.candidate_only.empty()) {
    out += fmt::format("Candidate cells without a reference ({}, listed only):\n", rep.candidate_only.size());
    for (const auto& g : group_ungated(rep.candidate_only))
      out += fmt::format("  {} on {}: {}\n", g.allocator, fmt::join(g.workloads, ", "), g.why);
  }
  if (rep.regressions() > 0) {
    out += fmt::format(
        "Regressed by more than {:g}% relative to {} ({}):\n", opt.max_regression * 100, opt.reference,
        ins ? "instructions per malloc" : "significant after BH and the upper CI bound below the threshold");
    for (const auto& c : rep.cells) {
      if (!c.failed) continue;
      out += fmt::format("  {}/{}: {:+.1f}%\n", c.allocator, c.workload, (c.rel - 1) * 100);
      if (ctx)
        if (auto it = ctx->rerun.find(c.allocator + "/" + c.workload); it != ctx->rerun.end())
          out += "    re-run: " + it->second + "\n";
    }
  }
  return out + rep.verdict_line(opt) + "\n";
}

std::string render_instructions(const std::vector<InstructionCount>& counts, const std::string& reference, bool plain) {
  const bool mech = std::any_of(counts.begin(), counts.end(), [](const InstructionCount& c) { return c.mechanism; });
  std::vector<std::string> header = {"allocator",    "workload",  "mallocs",
                                     "instructions", "Ir/malloc", "vs " + reference};
  if (mech)
    header.insert(header.end(), {"branch/malloc", "mispred/malloc", "mispred vs " + reference, "D1 miss/malloc",
                                 "I1 miss/malloc", "LL miss/malloc"});
  TextTable t(header);
  const char* times = plain ? "x" : "×";
  for (const auto& c : counts) {
    if (c.status != Status::ok) {
      std::vector<std::string> row = {c.allocator, c.workload, "", "", "FAIL", c.error.substr(0, 60)};
      row.resize(header.size());
      t.add_row(row);
      continue;
    }
    const InstructionCount* ref = nullptr;
    for (const auto& r : counts)
      if (r.allocator == reference && r.workload == c.workload && r.status == Status::ok &&
          r.instructions_per_malloc > 0)
        ref = &r;
    std::vector<std::string> row = {
        c.allocator,
        c.workload,
        fmt::format("{}", c.mallocs),
        fmt::format("{}", c.instructions),
        fmt::format("{:.1f}", c.instructions_per_malloc),
        ref ? fmt::format("{:.3f}{}", c.instructions_per_malloc / ref->instructions_per_malloc, times) : ""};
    if (mech) {
      if (const auto& m = c.mechanism) {
        std::string rel;
        if (ref && ref->mechanism && ref->mechanism->mispredicts() > 0)
          rel = fmt::format("{:.3f}{}", c.per_malloc(m->mispredicts()) / ref->per_malloc(ref->mechanism->mispredicts()),
                            times);
        row.insert(row.end(), {fmt::format("{:.2f}", c.per_malloc(m->cond_branches + m->indirect_branches)),
                               fmt::format("{:.3f}", c.per_malloc(m->mispredicts())), rel,
                               fmt::format("{:.3f}", c.per_malloc(m->d1_misses())),
                               fmt::format("{:.4f}", c.per_malloc(m->i1_misses)),
                               fmt::format("{:.4f}", c.per_malloc(m->ll_misses()))});
      }
      row.resize(header.size());
    }
    t.add_row(row);
  }
  std::string notes =
      "Ir/malloc: instructions executed inside alloclab_measured_region per malloc "
      "(callgrind; deterministic, threads serialised, kernel time not counted).\n";
  if (mech)
    notes +=
        "branch, mispred, D1/I1/LL miss per malloc: callgrind's simulated branch predictor and caches in the same "
        "region (branch = conditional + indirect; mispred = both kinds mispredicted; LL = data and instruction side), "
        "not this CPU's.\n";
  return t.render(plain) + notes;
}

std::string render_aa(const AaVerdict& v, const std::string& copy, double alpha) {
  return fmt::format(
      "A/A check: {} of {} cells significant between baseline and {} (expected about {:.1f} at alpha "
      "{:g}; P(>= {}) = {:.3g}) — {}\n",
      v.significant, v.cells, copy, v.expected, alpha, v.significant, v.p_tail,
      v.passed ? "PASS" : "FAIL: more false positives than chance allows");
}

std::string render_planted(const std::vector<PlantedRow>& rows, bool plain) {
  TextTable t({"allocator", "workload", "planted N", "measured vs baseline [CI]", "detected"});
  std::size_t detected = 0;
  for (const auto& p : rows) {
    detected += p.detected;
    t.add_row({p.allocator, p.workload, fmt::format("{:g}", p.planted_pct),
               fmt::format("{:+.1f}% [{:+.1f}%,{:+.1f}%]{}", (p.ratio - 1) * 100, (p.ci_low - 1) * 100,
                           (p.ci_high - 1) * 100, p.significant ? "*" : ""),
               p.detected ? "yes" : "no"});
  }
  return t.render(plain) + fmt::format("planted slowdowns detected in {} of {} cells\n", detected, rows.size());
}

std::string render_layout(const LayoutVerdict& v, double alpha, bool plain) {
  std::vector<std::string> header = {"workload"};
  std::vector<std::string> names;
  for (const auto& row : v.rows)
    for (const auto& c : row.copies)
      if (std::find(names.begin(), names.end(), c.allocator) == names.end()) names.push_back(c.allocator);
  for (const auto& n : names) header.push_back(n + " / baseline [CI]");
  header.push_back("placement spread");
  TextTable t(header);
  for (const auto& row : v.rows) {
    std::vector<std::string> cells = {row.workload};
    for (const auto& n : names) {
      auto it =
          std::find_if(row.copies.begin(), row.copies.end(), [&](const LayoutCell& c) { return c.allocator == n; });
      cells.push_back(it == row.copies.end()
                          ? "-"
                          : fmt::format("{:.3f} [{:.3f},{:.3f}]{}", it->ratio, it->ci_low, it->ci_high,
                                        it->significant_fdr ? "**"
                                        : it->significant   ? "*"
                                                            : ""));
    }
    cells.push_back(fmt::format("{:.3f}", row.spread));
    t.add_row(cells);
  }
  auto pct = [](std::size_t k, std::size_t n) {
    return n ? 100.0 * static_cast<double>(k) / static_cast<double>(n) : 0.0;
  };
  return t.render(plain) +
         fmt::format(
             "* significant (p < {0:g} and the CI excludes 1); ** also after Benjamini-Hochberg over the "
             "family \"{1}\" ({2} cells)\n"
             "layout A/A': {3} of {2} cells significant raw ({4:.1f}%), {5} after FDR ({6:.1f}%); chance "
             "alone gives about {7:.1f} raw (m·alpha = {2} × {0:g}); largest placement spread {8:.3f} — {9}\n",
             alpha, kLayoutFamily, v.cells, v.significant, pct(v.significant, v.cells), v.significant_fdr,
             100 * v.share_fdr, v.expected, v.max_spread,
             v.passed ? "PASS"
                      : fmt::format("FAIL: more than {:g}% of the cells differ after FDR: code placement alone "
                                    "moves mallocs/sec",
                                    100 * ValidateDefaults::kLayoutMaxSignificantShare));
}

std::string render_list(const json& list, const std::string& manifest, const std::string& runner, bool plain) {
  std::string out = fmt::format("Variants ({}):\n", manifest);
  TextTable tv({"name", "sets", "options"});
  for (const auto& v : list["variants"]) {
    std::string sets, opts;
    for (const auto& s : v["sets"]) {
      if (!sets.empty()) sets += ',';
      sets += s.get<std::string>();
    }
    for (const auto& [k, val] : v["options"].items()) {
      if (!opts.empty()) opts += ' ';
      opts += k + "=" + val.dump();
    }
    tv.add_row({v["name"].get<std::string>(), sets, opts});
  }
  out += tv.render(plain);
  out += "\nPeers:\n";
  TextTable tp({"name", "status", "library"});
  for (const auto& p : list["peers"]) {
    bool found = p["found"].get<bool>();
    std::string library = p["name"] == "glibc" ? "(no preload) " + p["library"].get<std::string>()
                          : found              ? p["library"].get<std::string>()
                                               : "looked for " + p["looked_for"].get<std::string>();
    tp.add_row({p["name"].get<std::string>(), found ? "found" : "not installed", library});
  }
  out += tp.render(plain);
  out += fmt::format("\nWorkloads ({}):\n", runner);
  TextTable tw({"name", "family", "default", "threads", "params"});
  for (const auto& w : list["workloads"])
    tw.add_row({w["name"].get<std::string>(), w["family"].get<std::string>(), w["default"].get<bool>() ? "yes" : "",
                std::to_string(w["threads"].get<int>()), w["params"].dump()});
  out += tw.render(plain);
  return out;
}

}  // namespace alloclab::harness
