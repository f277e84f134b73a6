// realloc_growth.cc — a buffer grown a step at a time (string or vector appends without
// geometric growth), then freed: in-place growth vs move-and-copy.
#include <algorithm>

#include "workloads/families.h"
#include "workloads/tracker.h"

namespace alloclab::workloads {

RunResult realloc_growth(const RunContext& ctx, const ReallocGrowthParams& p) {
  Tracker t(ctx);
  for (uint64_t c = 0; c < p.chains; ++c) {
    size_t size = p.start_size;
    void* b = t.alloc(size);
    while (size < p.end_size) {
      const size_t next = std::min(size + p.step, p.end_size);
      b = t.grow(b, size, next);
      size = next;
    }
    t.release(b, size);
  }
  return t.result();
}

}  // namespace alloclab::workloads
