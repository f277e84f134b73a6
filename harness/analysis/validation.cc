// analysis/validation.cc — A/A and planted-slowdown checks.
#include "analysis/validation.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "core/error.h"
#include "run/manifest.h"
#include "io/results_json.h"

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

int validate_verb(bool aa, bool planted, RunArgs args, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  if (aa == planted) throw HarnessError("validate: pass exactly one of --aa or --planted");
  args.peers = "none";
  args.reference = "baseline";
  args.reference_given = true;
  if (args.variants.empty() || args.variants == "default") args.variants = "baseline";
  const std::string copy = "baseline-copy";
  if (aa) {
    Manifest m = load_manifest(args.manifest);
    const VariantInfo* b = m.find("baseline");
    if (!b) throw HarnessError("validate --aa: the manifest has no baseline variant");
    args.custom.push_back(copy + "=" + b->library);
    args.out_prefix = "validate-aa";
  } else {
    bool any = false;
    for (const auto& c : args.custom) any = any || c.rfind("planted", 0) == 0;
    if (!any) {
      // Default: the manifest's test-only planted variants (set "test").
      Manifest m = load_manifest(args.manifest);
      std::string names = "baseline";
      for (const auto& v : m.variants)
        if (v.name.rfind("planted", 0) == 0) names += "," + v.name;
      if (names == "baseline")
        throw HarnessError("validate --planted: the manifest has no planted-* variants; pass one or more "
                           "--allocator planted-N=PATH (a test-only library slower than baseline)");
      args.variants = names;
    }
    args.out_prefix = "validate-planted";
  }
  PreparedRun run = prepare_run(args, command_line, pr);
  int rc = execute_run(run, args, pr);
  if (rc == kExitInterrupted) return rc;
  auto cells = summarize_run(run.results);
  if (aa) {
    AaVerdict v = judge_aa(cells, copy, "baseline", run.results.options.alpha);
    std::printf("A/A check: %zu of %zu cells significant between baseline and %s (expected about %.1f at alpha %g; "
                "P(>= %zu) = %.3g) — %s\n",
                v.significant, v.cells, copy.c_str(), v.expected, run.results.options.alpha, v.significant, v.p_tail,
                v.passed ? "PASS" : "FAIL: more false positives than chance allows");
    return v.passed ? rc : kExitFailures;
  }
  auto rows = judge_planted(run.results, cells);
  TextTable t({"allocator", "workload", "planted N", "measured vs baseline [CI]", "detected"});
  std::size_t detected = 0;
  for (const auto& p : rows) {
    detected += p.detected;
    t.add_row({p.allocator, p.workload, fmt::format("{:g}", p.planted_pct),
               fmt::format("{:+.1f}% [{:+.1f}%,{:+.1f}%]{}", (p.ratio - 1) * 100, (p.ci_low - 1) * 100,
                           (p.ci_high - 1) * 100, p.significant ? "*" : ""),
               p.detected ? "yes" : "no"});
  }
  std::fputs(t.render(args.style.plain).c_str(), stdout);
  std::printf("planted slowdowns detected in %zu of %zu cells\n", detected, rows.size());
  return rc;
}

}  // namespace alloclab::harness
