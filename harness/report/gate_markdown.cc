// report/gate_markdown.cc — the gate's Markdown (see the header).
#include "report/gate_markdown.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/defaults.h"

namespace alloclab::harness {
namespace {

// Rows beyond which a section is collapsed into <details>.
constexpr std::size_t kOpenRows = 10;

std::string cell_text(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const auto& c : cells) out += " " + cell_text(c) + " |";
  return out + "\n";
}

std::string table(const std::vector<std::string>& head, const std::vector<bool>& right,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out = row(head) + "|";
  for (std::size_t i = 0; i < head.size(); ++i) out += i < right.size() && right[i] ? "---:|" : "---|";
  out += "\n";
  for (const auto& r : rows) out += row(r);
  return out;
}

// A section body, collapsed when it has more than kOpenRows rows.
std::string maybe_collapsed(const std::string& summary, const std::string& body, std::size_t rows) {
  if (rows <= kOpenRows) return body;
  return fmt::format("<details><summary>{}</summary>\n\n{}\n</details>\n", summary, body);
}

std::string cells(std::size_t n) { return fmt::format("{} cell{}", n, n == 1 ? "" : "s"); }

std::string pct(double rel) { return fmt::format("{:+.1f}%", (rel - 1) * 100); }
std::string code(const std::string& s) { return "`" + s + "`"; }

std::string hashes(int level) { return std::string(static_cast<std::size_t>(level), '#'); }
std::string key(const GateCell& c) { return c.allocator + "/" + c.workload; }

std::vector<std::string> cell_row(const GateCell& c, bool ins, const GateOutputContext& ctx) {
  std::vector<std::string> r = {c.allocator, c.workload, fmt::format("{:.3f}", c.candidate * ctx.value_scale),
                                fmt::format("{:.3f}", c.baseline * ctx.value_scale)};
  if (ins) {
    r.push_back(fmt::format("{:+.2f}%", (c.rel - 1) * 100));
  } else {
    r.insert(r.end(), {pct(c.rel), fmt::format("[{}, {}]", pct(c.ci_low), pct(c.ci_high)),
                       fmt::format("{:.3g}", c.p_value), fmt::format("{:.3g}", c.q_value)});
  }
  if (!ctx.extra_column.empty()) {
    auto it = ctx.extra_cells.find(key(c));
    r.push_back(it == ctx.extra_cells.end() ? "" : it->second);
  }
  r.push_back(c.failed ? "**FAIL**" : "ok");
  return r;
}

std::string cells_table(const std::vector<const GateCell*>& cells, const GateOptions& opt,
                        const GateOutputContext& ctx) {
  bool ins = opt.metric == Metric::instructions;
  std::vector<std::string> head = {"allocator", "workload", ins ? "candidate ipm / ref" : "candidate / ref",
                                   ins ? "reference ipm / ref" : "reference / ref", "change"};
  if (ctx.value_columns.size() == 2) std::copy(ctx.value_columns.begin(), ctx.value_columns.end(), head.begin() + 2);
  if (!ins) head.insert(head.end(), {fmt::format("{:g}% CI", (1 - opt.alpha) * 100), "p", "q"});
  std::vector<bool> right(head.size(), true);
  right[0] = right[1] = false;
  if (!ctx.extra_column.empty()) head.push_back(ctx.extra_column), right.push_back(true);
  head.push_back("verdict");
  right.push_back(false);
  std::vector<std::vector<std::string>> rows;
  for (const auto* c : cells) rows.push_back(cell_row(*c, ins, ctx));
  return table(head, right, rows);
}

std::string heading(const GateReport& rep, const GateOptions& opt, const GateOutputContext& ctx) {
  std::string word = rep.verdict() == GateVerdict::pass   ? "PASS"
                     : rep.verdict() == GateVerdict::fail ? "FAIL"
                                                          : "REFUSED";
  std::string out =
      fmt::format("{} {}: {}\n\n**{}**\n\n", hashes(ctx.heading_level), ctx.title, word, rep.verdict_line(opt));
  std::vector<std::string> quoted;
  for (const auto& w : rep.warnings) quoted.push_back("> **Warning:** " + cell_text(w));
  if (!quoted.empty()) out += fmt::format("{}\n\n", fmt::join(quoted, "\n>\n"));
  std::string what = opt.metric == Metric::instructions
                         ? fmt::format(
                               "instructions per malloc relative to {}; a cell fails when it grew by more "
                               "than {:g}%",
                               code(opt.reference), opt.max_regression * 100)
                         : fmt::format(
                               "mallocs/s relative to {} measured in the same run; a cell fails when it is "
                               "significant after Benjamini-Hochberg and its CI's upper bound is below "
                               "-{:g}%",
                               code(opt.reference), opt.max_regression * 100);
  out += ctx.description.empty()
             ? fmt::format("Candidate {} against reference {}: {}.", code(ctx.candidate), code(ctx.baseline), what)
             : ctx.description;
  if (opt.metric != Metric::instructions && rep.family.m > 0)
    out +=
        fmt::format(" Family {}; chance alone would mark about {:.1f} at p < {:g}: {} uncorrected, {} after BH.",
                    rep.family.describe(), rep.family.expected_by_chance(), opt.alpha, rep.family.raw, rep.family.fdr);
  out += "\n";
  for (const auto& n : ctx.notes) out += "\n" + n + "\n";
  return out;
}

std::string mismatches(const GateReport& rep, const std::string& h) {
  if (rep.mismatches.empty()) return "";
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : rep.mismatches) rows.push_back({m.field, code(m.candidate), code(m.reference)});
  return fmt::format("\n{} Measurement conditions differ ({})\n\n{}{}", h, rep.mismatches.size(),
                     rep.mismatch_allowed ? "Gated anyway (`--allow-mismatch`): the verdict may reflect these "
                                            "differences, not the code.\n\n"
                                          : "Not gated: record the reference under the candidate's conditions, or "
                                            "pass `--allow-mismatch`.\n\n",
                     table({"condition", "candidate", "reference"}, {}, rows));
}

std::string failing(const GateReport& rep, const GateOptions& opt, const GateOutputContext& ctx, const std::string& h) {
  std::vector<const GateCell*> cells;
  for (const auto& c : rep.cells)
    if (c.failed) cells.push_back(&c);
  if (cells.empty()) return "";
  std::string out = fmt::format("\n{} Failing cells ({})\n\n{}", h, cells.size(), cells_table(cells, opt, ctx));
  bool any = false;
  for (const auto* c : cells)
    if (auto it = ctx.rerun.find(c->allocator + "/" + c->workload); it != ctx.rerun.end()) {
      if (!any) out += "\nRe-run one cell under the candidate's conditions, and gate it:\n\n";
      any = true;
      out += fmt::format("- {}:\n  ```sh\n  {}\n  ```\n", code(c->allocator + "/" + c->workload), it->second);
    }
  return out;
}

std::string instructions(const GateReport& rep, const std::string& h) {
  if (rep.instruction_deltas.empty()) return "";
  std::size_t both = 0, cand_only = 0, base_only = 0;
  std::vector<const InstructionDelta*> shown;
  auto failed = [&rep](const InstructionDelta& d) {
    return std::any_of(rep.cells.begin(), rep.cells.end(), [&d](const GateCell& c) {
      return c.failed && c.allocator == d.allocator && c.workload == d.workload;
    });
  };
  for (const auto& d : rep.instruction_deltas) {
    if (d.both()) {
      ++both;
      if (std::abs(d.change()) > ReportDefaults::kPlacementSuspectMaxInsChange || failed(d)) shown.push_back(&d);
    } else {
      (d.candidate > 0 ? cand_only : base_only) += 1;
      if (failed(d)) shown.push_back(&d);
    }
  }
  std::sort(shown.begin(), shown.end(),
            [](const InstructionDelta* a, const InstructionDelta* b) { return a->change() > b->change(); });
  std::string out =
      fmt::format("\n{} Instructions per malloc\n\n{} with callgrind counts in both files", h, cells(both));
  if (both)
    out += fmt::format("; {} changed by more than {:g}%",
                       std::count_if(shown.begin(), shown.end(), [](const InstructionDelta* d) { return d->both(); }),
                       ReportDefaults::kPlacementSuspectMaxInsChange * 100);
  out += shown.empty() ? "." : " (listed, largest increase first).";
  if (cand_only) out += fmt::format(" {} with counts only in the candidate.", cells(cand_only));
  if (base_only) out += fmt::format(" {} with counts only in the reference.", cells(base_only));
  out += "\n";
  if (shown.empty()) return out;
  std::vector<std::vector<std::string>> rows;
  auto ipm = [](double v) { return v > 0 ? fmt::format("{:.1f}", v) : std::string("-"); };
  for (const auto* d : shown)
    rows.push_back({d->allocator, d->workload, ipm(d->candidate), ipm(d->baseline),
                    d->both() ? fmt::format("{:+.2f}%", d->change() * 100) : std::string("-")});
  std::string body =
      table({"allocator", "workload", "candidate", "reference", "change"}, {false, false, true, true, true}, rows);
  return out + "\n" + maybe_collapsed(cells(rows.size()), body, rows.size());
}

std::string ungated_section(const std::vector<UngatedCell>& cells, const std::string& title, const std::string& note,
                            const std::string& h) {
  if (cells.empty()) return "";
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : cells) rows.push_back({u.allocator, u.workload, u.why, u.detail});
  std::string body = table({"allocator", "workload", "why", "detail"}, {}, rows);
  return fmt::format(
      "\n{} {} ({})\n\n{}{}", h, title, cells.size(), note,
      maybe_collapsed(fmt::format("{} cell{}", cells.size(), cells.size() == 1 ? "" : "s"), body, cells.size()));
}

// Candidate-only cells, one row per allocator and reason (a new variant adds a row, not 14).
std::string candidate_only_section(const std::vector<UngatedCell>& cells, const std::string& h) {
  if (cells.empty()) return "";
  std::vector<std::vector<std::string>> rows;
  for (const auto& g : group_ungated(cells))
    rows.push_back({g.allocator, fmt::format("{}", fmt::join(g.workloads, ", ")), g.why});
  std::string body = table({"allocator", "workloads", "why"}, {}, rows);
  return fmt::format(
      "\n{} Candidate cells without a reference ({})\n\nListed only: there is nothing to gate them against.\n\n{}", h,
      cells.size(), maybe_collapsed(fmt::format("{} allocator rows", rows.size()), body, rows.size()));
}

}  // namespace

std::string render_gate_markdown(const GateReport& rep, const GateOptions& opt, const GateOutputContext& ctx) {
  const std::string h = hashes(ctx.heading_level + 1);
  std::string out = heading(rep, opt, ctx);
  out += mismatches(rep, h);
  if (rep.verdict() == GateVerdict::refused) return out;
  out += failing(rep, opt, ctx, h);
  out += instructions(rep, h);
  out += ungated_section(rep.ungated, "Not gated",
                         rep.ungated_fail ? "These reference cells could not be gated, so the gate does not pass "
                                            "(`--allow-missing` accepts them).\n\n"
                                          : "These reference cells could not be gated (accepted: "
                                            "`--allow-missing`).\n\n",
                         h);
  out += candidate_only_section(rep.candidate_only, h);
  std::vector<const GateCell*> all;
  for (const auto& c : rep.cells) all.push_back(&c);
  if (!all.empty())
    out += fmt::format("\n<details><summary>All gated cells ({})</summary>\n\n{}\n</details>\n", all.size(),
                       cells_table(all, opt, ctx));
  return out;
}

std::string render_gate_markdown(const std::string& title, const std::vector<GateSection>& sections,
                                 const std::string& footer) {
  GateVerdict v = combined_verdict(sections);
  std::string out = fmt::format("## {}: {}\n\n", title,
                                v == GateVerdict::pass   ? "PASS"
                                : v == GateVerdict::fail ? "FAIL"
                                                         : "REFUSED");
  for (const auto& s : sections)
    out += fmt::format("- **{}**: {}\n", s.context.title, s.report->verdict_line(s.options));
  for (const auto& s : sections) {
    GateOutputContext ctx = s.context;
    ctx.heading_level = 3;
    out += "\n" + render_gate_markdown(*s.report, s.options, ctx);
  }
  if (!footer.empty()) out += "\n" + footer + "\n";
  return out;
}

}  // namespace alloclab::harness
