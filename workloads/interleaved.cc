// interleaved.cc — a steady live set with random replacement: frees land all over the
// heap, so free lists are built from scattered blocks rather than the last one freed.
#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult interleaved(const RunContext& ctx, const InterleavedParams& p) {
  Tracker t(ctx);
  Rng rng(p.seed);
  auto slots = scratch<Block>(0, p.slots);
  for (auto& s : slots) s = t.alloc_block(rng.between(p.min_size, p.max_size));
  for (uint64_t i = 0; i < p.steps; ++i) {
    Block& s = slots[rng.below(p.slots)];
    t.release(s);
    s = t.alloc_block(rng.between(p.min_size, p.max_size));
  }
  for (auto& s : slots) t.release(s);
  return t.result();
}

}  // namespace alloclab::workloads
