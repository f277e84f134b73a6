// alloc_pareto.cc — the `alloc_test` workload, written from the description of ITHare's
// alloc-test (OLogN Technologies): allocation-intensive work with Pareto-distributed sizes
// (many small objects, a heavy tail up to 1 KiB) and frees at random positions of the live
// set.
#include <algorithm>
#include <cmath>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {
namespace {

// The Pareto distribution as kQuantiles equally likely sizes (its quantiles), so a draw is
// one table look-up instead of a pow() per allocation.
constexpr size_t kQuantiles = 1024;

}  // namespace

RunResult alloc_test(const RunContext& ctx, const AllocTestParams& p) {
  auto sizes = scratch<uint32_t>(1, kQuantiles);
  for (size_t q = 0; q < kQuantiles; ++q) {
    const double u = (static_cast<double>(q) + 0.5) / kQuantiles;  // upper-tail probability
    const double x = static_cast<double>(p.min_size) / std::pow(u, 1.0 / p.alpha);
    sizes[q] = static_cast<uint32_t>(std::min(x, static_cast<double>(p.max_size)));
  }
  Tracker t(ctx);
  Rng rng(p.seed);
  auto slots = scratch<Block>(0, p.slots);
  for (uint64_t k = 0; k < p.steps; ++k) {
    Block& s = slots[rng.below(p.slots)];
    if (s.ptr != nullptr) {
      t.release(s);
      s = Block{};
    } else {
      s = t.alloc_block(sizes[rng.below(kQuantiles)]);
    }
  }
  for (auto& s : slots) {
    if (s.ptr != nullptr) t.release(s);
  }
  return t.result();
}

}  // namespace alloclab::workloads
