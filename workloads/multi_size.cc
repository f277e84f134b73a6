// multi_size.cc — batches spread over many size classes at once, freed FIFO or in a
// random order: exercises size-class lookup and many partially used pages side by side.
#include <algorithm>
#include <utility>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

std::vector<size_t> size_class_ladder(size_t max) {
  std::vector<size_t> sizes = {8, 16, 32, 48, 64, 80, 96, 112, 128};
  for (size_t base = 128; base < max; base *= 2) {
    for (size_t q = 1; q <= 4; ++q) {
      const size_t s = base + q * base / 4;
      if (s <= max) sizes.push_back(s);
    }
  }
  return sizes;
}

RunResult multi_size(const RunContext& ctx, const MultiSizeParams& p) {
  Tracker t(ctx);
  Rng rng(p.seed);
  auto blocks = scratch<Block>(0, p.batch);
  for (uint64_t b = 0; b < p.batches; ++b) {
    for (auto& blk : blocks) blk = t.alloc_block(p.sizes[rng.below(p.sizes.size())]);
    if (b % 2 == 1) {  // random order: Fisher-Yates over the batch
      for (size_t i = p.batch; i > 1; --i) std::swap(blocks[i - 1], blocks[rng.below(i)]);
    }
    for (auto& blk : blocks) t.release(blk);
  }
  return t.result();
}

}  // namespace alloclab::workloads
