// glibc_simple.cc — written from the description of glibc's benchtests/bench-malloc-simple:
// a varying number of blocks of one size allocated, then freed again (in order).
#include <algorithm>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult glibc_simple(const RunContext& ctx, const GlibcSimpleParams& p) {
  Tracker t(ctx);
  size_t most = 0;
  for (size_t n : p.counts) most = std::max(most, n);
  auto ptrs = scratch<void*>(0, most);
  for (uint64_t pass = 0; pass < p.passes; ++pass) {
    for (size_t size : p.sizes) {
      for (size_t n : p.counts) {
        for (size_t i = 0; i < n; ++i) ptrs[i] = t.alloc(size);
        for (size_t i = 0; i < n; ++i) t.release(ptrs[i], size);
      }
    }
  }
  return t.result();
}

}  // namespace alloclab::workloads
