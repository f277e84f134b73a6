// glibc_thread.cc — written from the description of glibc's benchtests/bench-malloc-thread:
// each thread keeps a working set of blocks and replaces random ones with blocks of random
// size between 4 B and 32 KiB, smaller sizes more likely.
#include <array>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult glibc_thread(const RunContext& ctx, const GlibcThreadParams& p) {
  auto slots = scratch<Block>(0, static_cast<size_t>(p.threads) * p.slots);
  std::array<RunResult, kMaxThreads> results{};
  run_threads(p.threads, [&](int i) {
    Tracker t(ctx);
    Rng rng(p.seed, static_cast<uint64_t>(i));
    auto mine = slots.subspan(static_cast<size_t>(i) * p.slots, p.slots);
    for (auto& s : mine) s = t.alloc_block(log_uniform_size(rng, p.min_size, p.max_size));
    for (uint64_t k = 0; k < p.steps; ++k) {
      Block& s = mine[rng.below(p.slots)];
      t.release(s);
      s = t.alloc_block(log_uniform_size(rng, p.min_size, p.max_size));
    }
    for (auto& s : mine) t.release(s);
    results[i] = t.result();
  });
  RunResult total;
  for (int i = 0; i < p.threads; ++i) total += results[i];
  return total;
}

}  // namespace alloclab::workloads
