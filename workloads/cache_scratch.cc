// cache_scratch.cc — written from the description of Berger's cache-scratch test (Hoard,
// ASPLOS 2000): passive false sharing. The caller allocates small objects next to each
// other and gives one to each thread; each thread frees it and then repeatedly allocates
// an object, writes it, and frees it. An allocator that hands a thread memory from the
// line it just freed (allocated by the caller, shared with the other threads' objects)
// makes the threads' writes fight over one cache line.
#include <algorithm>
#include <array>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult cache_scratch(const RunContext& ctx, const CacheScratchParams& p) {
  Tracker caller(ctx);
  auto initial = scratch<Block>(0, static_cast<size_t>(p.threads));
  for (auto& b : initial) b = caller.alloc_block(p.object_size);

  std::array<RunResult, kMaxThreads> results{};
  run_threads(p.threads, [&](int i) {
    Tracker t(ctx);
    t.release(initial[i]);
    for (uint64_t k = 0; k < p.iterations; ++k) {
      void* o = t.alloc(p.object_size);
      if (t.mode() == Mode::kVerify) {
        for (int w = 0; w < p.writes; ++w) t.refill(o, p.object_size);
      } else {
        // Every byte, `writes` times, through volatile so each access is a real access.
        auto* bytes = static_cast<volatile unsigned char*>(o);
        for (int w = 0; w < p.writes; ++w) {
          for (size_t j = 0; j < p.object_size; ++j) bytes[j] = static_cast<unsigned char>(bytes[j] + 1);
        }
      }
      t.release(o, p.object_size);
    }
    results[i] = t.result();
  });
  RunResult total = caller.result();
  for (int i = 0; i < p.threads; ++i) total += results[i];
  return total;
}

}  // namespace alloclab::workloads
