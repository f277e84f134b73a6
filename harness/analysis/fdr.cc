// analysis/fdr.cc — Benjamini-Hochberg over a family of tests.
#include "analysis/fdr.h"

#include <fmt/format.h>

#include "stats/stats.h"

namespace alloclab::harness {

std::string TestFamily::describe() const {
  return fmt::format("{}: {}{} tests, BH at q = {:g}", name, shape.empty() ? "" : shape + " = ", m, alpha);
}

TestFamily fdr_family(std::string name, std::string shape, std::span<FdrTest> tests, double alpha) {
  TestFamily f{std::move(name), std::move(shape), tests.size(), alpha, 0, 0};
  std::vector<double> p;
  p.reserve(tests.size());
  for (const auto& t : tests) p.push_back(t.p_value);
  const std::vector<double> q = stats::bh_adjust(p);
  for (std::size_t i = 0; i < tests.size(); ++i) {
    FdrTest& t = tests[i];
    t.q_value = q[i];
    t.raw_significant = t.p_value < alpha && t.ci_excludes_one;
    t.significant = t.q_value <= alpha && t.ci_excludes_one;
    f.raw += t.raw_significant;
    f.fdr += t.significant;
  }
  return f;
}

}  // namespace alloclab::harness
