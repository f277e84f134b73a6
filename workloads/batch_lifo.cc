// batch_lifo.cc — allocate a batch, free it in reverse order (a stack discipline, as in
// recursive code and scoped temporaries).
#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult batch_lifo(const RunContext& ctx, const BatchLifoParams& p) {
  Tracker t(ctx);
  auto ptrs = scratch<void*>(0, p.batch);
  for (uint64_t r = 0; r < p.rounds; ++r) {
    for (size_t i = 0; i < p.batch; ++i) ptrs[i] = t.alloc(p.size);
    for (size_t i = p.batch; i-- > 0;) t.release(ptrs[i], p.size);
  }
  return t.result();
}

}  // namespace alloclab::workloads
