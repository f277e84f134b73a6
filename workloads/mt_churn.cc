// mt_churn.cc — independent threads churning side by side: no block crosses threads, so
// this shows per-thread caching and any shared state the allocator still touches.
#include <array>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult mt_churn(const RunContext& ctx, const MtChurnParams& p) {
  auto ptrs = scratch<void*>(0, static_cast<size_t>(p.threads) * p.batch);
  std::array<RunResult, kMaxThreads> results{};
  run_threads(p.threads, [&](int i) {
    Tracker t(ctx);
    auto mine = ptrs.subspan(static_cast<size_t>(i) * p.batch, p.batch);
    for (uint64_t r = 0; r < p.rounds; ++r) {
      for (uint64_t k = 0; k < p.ping_pong_per_round; ++k) {
        void* b = t.alloc(p.size);
        t.release(b, p.size);
      }
      for (auto& q : mine) q = t.alloc(p.size);
      for (size_t k = mine.size(); k-- > 0;) t.release(mine[k], p.size);
    }
    results[i] = t.result();
  });
  RunResult total;
  for (int i = 0; i < p.threads; ++i) total += results[i];
  return total;
}

}  // namespace alloclab::workloads
