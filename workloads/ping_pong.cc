// ping_pong.cc — the tightest loop an allocator sees: malloc, touch, free, repeat. The
// freed block is usually the next one handed out, so this measures the fast paths alone.
#include "workloads/families.h"
#include "workloads/tracker.h"

namespace alloclab::workloads {

RunResult ping_pong(const RunContext& ctx, const PingPongParams& p) {
  Tracker t(ctx);
  for (uint64_t i = 0; i < p.iterations; ++i) {
    void* b = t.alloc(p.size);
    t.release(b, p.size);
  }
  return t.result();
}

}  // namespace alloclab::workloads
