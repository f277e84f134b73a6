// analysis/fdr.h — families of tests and their Benjamini-Hochberg correction (stats::bh_adjust).
// A family is every comparison of one kind in one output (e.g. the report's add-one effects of
// every factor on every workload); BH runs over the whole family at q = alpha, and the family
// says how many significant results chance alone would give at the uncorrected alpha (m * alpha).
// Significant after correction = q <= alpha AND the CI excludes 1; the raw p-value and the CI
// stay visible beside q.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace alloclab::harness {

struct TestFamily {
  std::string name;   // "add-one"
  std::string shape;  // "5 factors × 14 workloads" ("" when the family has no grid)
  std::size_t m = 0;  // tests in the family
  double alpha = 0.05;
  std::size_t raw = 0;  // p < alpha and CI excludes 1 (uncorrected)
  std::size_t fdr = 0;  // q <= alpha and CI excludes 1 (BH over the family)
  double expected_by_chance() const { return static_cast<double>(m) * alpha; }
  // "add-one: 5 factors × 14 workloads = 70 tests, BH at q = 0.05"
  std::string describe() const;
};

// One test of a family: its p-value and whether its CI excludes 1. fdr_family fills q and
// both verdicts.
struct FdrTest {
  double p_value = 1;
  bool ci_excludes_one = false;
  double q_value = 1;
  bool raw_significant = false;  // p < alpha && ci_excludes_one
  bool significant = false;      // q <= alpha && ci_excludes_one
};

// BH over `tests` (in place) at q = alpha; returns the family with its counts.
TestFamily fdr_family(std::string name, std::string shape, std::span<FdrTest> tests, double alpha);

}  // namespace alloclab::harness
