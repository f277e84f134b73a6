// larson.cc — written from the description of Larson & Krishnan's server benchmark
// (ISMM 1998): threads replace random objects in their own arrays; when a thread's phase
// ends, a new thread takes its array over, so objects "bleed" from the thread that
// allocated them to one that frees them.
#include <array>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult larson(const RunContext& ctx, const LarsonParams& p) {
  const auto n = static_cast<size_t>(p.threads);
  auto arrays = scratch<Block>(0, n * p.slots);
  Tracker caller(ctx);
  Rng rng(p.seed);
  for (auto& b : arrays) b = caller.alloc_block(rng.between(p.min_size, p.max_size));

  RunResult total;
  std::array<RunResult, kMaxThreads> results{};
  for (int phase = 0; phase < p.phases; ++phase) {
    run_threads(p.threads, [&](int i) {
      Tracker t(ctx);
      // Thread i of this phase takes the array thread i+1 worked on in the last phase
      // (in phase 0: an array the caller filled).
      const size_t owner = (static_cast<size_t>(i) + static_cast<size_t>(phase) + 1) % n;
      auto mine = arrays.subspan(owner * p.slots, p.slots);
      Rng r(p.seed, 1 + static_cast<uint64_t>(phase) * kMaxThreads + static_cast<uint64_t>(i));
      for (uint64_t k = 0; k < p.ops; ++k) {
        Block& s = mine[r.below(p.slots)];
        t.release(s);
        s = t.alloc_block(r.between(p.min_size, p.max_size));
      }
      results[i] = t.result();
    });
    for (int i = 0; i < p.threads; ++i) total += results[i];
  }
  for (auto& b : arrays) caller.release(b);
  total += caller.result();
  return total;
}

}  // namespace alloclab::workloads
