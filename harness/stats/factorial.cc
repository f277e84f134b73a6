// 2^k factorial effects on log(metric) with a round bootstrap. See factorial.h.
//
//   values → log → complete rounds → per-combination means → ±1 contrasts (point estimate)
//          → B resamples of whole rounds (Rng) → contrasts → percentile_interval per contrast
//          (and the bootstrap p-value: replicates beyond 0)
#include "stats/factorial.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "stats/bootstrap.h"
#include "stats/rng.h"

namespace alloclab::stats {

FactorialEffects factorial_effects(std::span<const std::vector<double>> values, std::span<const std::string> factors,
                                   double alpha, std::uint64_t seed, int resamples) {
  if (!(alpha > 0 && alpha < 1)) throw std::invalid_argument("factorial_effects: alpha not in (0, 1)");
  if (resamples < 1) throw std::invalid_argument("factorial_effects: resamples < 1");
  const std::size_t n = factors.size();  // combinations
  const std::size_t k = n ? factors[0].size() : 0;
  if (k < 1 || k > 30 || n != (std::size_t{1} << k))
    throw std::invalid_argument("factorial_effects: need 2^k combinations with k >= 1 factors");
  std::vector<bool> seen(n, false);
  for (const std::string& bits : factors) {
    if (bits.size() != k) throw std::invalid_argument("factorial_effects: factor strings differ in length");
    std::size_t pattern = 0;
    for (char ch : bits) {
      if (ch != '0' && ch != '1') throw std::invalid_argument("factorial_effects: factor strings must be 0/1");
      pattern = pattern << 1 | (ch == '1');
    }
    if (seen[pattern]) throw std::invalid_argument("factorial_effects: a factor combination occurs twice");
    seen[pattern] = true;
  }

  // Complete rounds of log values.
  std::vector<std::vector<double>> rows;
  for (const std::vector<double>& round : values) {
    if (round.size() != n) throw std::invalid_argument("factorial_effects: a round lacks a value per combination");
    std::vector<double> row(n);
    for (std::size_t c = 0; c < n; ++c) row[c] = std::log(round[c]);
    if (std::all_of(row.begin(), row.end(), [](double y) { return std::isfinite(y); })) rows.push_back(std::move(row));
  }
  FactorialEffects out;
  out.n_rounds = rows.size();
  if (rows.size() < 2) return out;

  // Contrasts: one per main effect, then one per pair j < l.
  struct Contrast {
    std::size_t first, second;
    std::vector<int> sign;
  };
  std::vector<Contrast> cs;
  auto bit = [&](std::size_t c, std::size_t j) { return factors[c][j] == '1' ? 1 : -1; };
  for (std::size_t j = 0; j < k; ++j) {
    Contrast con{j, j, {}};
    for (std::size_t c = 0; c < n; ++c) con.sign.push_back(bit(c, j));
    cs.push_back(std::move(con));
  }
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t l = j + 1; l < k; ++l) {
      Contrast con{j, l, {}};
      for (std::size_t c = 0; c < n; ++c) con.sign.push_back(bit(c, j) * bit(c, l));
      cs.push_back(std::move(con));
    }
  // The contrasts of the per-combination means over `sample` (rounds, repeats allowed).
  // Summation order is part of the contract: rounds in sample order, combinations in order.
  auto effects_of = [&](const std::vector<const std::vector<double>*>& sample) {
    std::vector<double> mean(n, 0);
    for (const auto* row : sample)
      for (std::size_t c = 0; c < n; ++c) mean[c] += (*row)[c];
    for (auto& m : mean) m /= static_cast<double>(sample.size());
    std::vector<double> eff;
    eff.reserve(cs.size());
    for (const auto& con : cs) {
      double sum = 0;
      for (std::size_t c = 0; c < n; ++c) sum += con.sign[c] * mean[c];
      eff.push_back(sum / static_cast<double>(n / 2));  // mean(y | +) - mean(y | -)
    }
    return eff;
  };
  std::vector<const std::vector<double>*> all;
  for (const auto& row : rows) all.push_back(&row);
  const std::vector<double> point = effects_of(all);

  std::vector<std::vector<double>> boot(cs.size());
  for (auto& v : boot) v.reserve(static_cast<std::size_t>(resamples));
  Rng rng(seed);
  std::vector<const std::vector<double>*> pick(rows.size());
  for (int rep = 0; rep < resamples; ++rep) {
    for (auto& p : pick) p = &rows[rng.below(rows.size())];
    const std::vector<double> e = effects_of(pick);
    for (std::size_t i = 0; i < cs.size(); ++i) boot[i].push_back(e[i]);
  }
  for (std::size_t i = 0; i < cs.size(); ++i) {
    std::vector<double>& v = boot[i];
    // Replicates on the other side of 0 (or at 0) from the point estimate, before sorting.
    std::size_t other = 0;
    for (double x : v) other += point[i] > 0 ? x <= 0 : point[i] < 0 ? x >= 0 : true;
    std::sort(v.begin(), v.end());
    const Interval ci = percentile_interval(v, alpha);
    FactorialEffect e;
    e.first = cs[i].first;
    e.second = cs[i].second;
    e.log_effect = point[i];
    e.log_ci_low = ci.low;
    e.log_ci_high = ci.high;
    e.ratio = std::exp(point[i]);
    e.ci_low = std::exp(ci.low);
    e.ci_high = std::exp(ci.high);
    e.significant = ci.low > 0 || ci.high < 0;
    e.p_value = std::min(1.0, 2.0 * static_cast<double>(other + 1) / static_cast<double>(v.size() + 1));
    (i < k ? out.main_effects : out.interactions).push_back(e);
  }
  return out;
}

}  // namespace alloclab::stats
