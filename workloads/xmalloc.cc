// xmalloc.cc — the `xmalloc_test` workload, written from the description of Lever &
// Boreham's xmalloc-test (USENIX 2000): threads that only allocate and threads that only
// free, with batches of objects of various sizes migrating between them through a shared
// queue. The asymmetric pattern defeats thread-local caches that assume a thread frees what
// it allocates.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult xmalloc_test(const RunContext& ctx, const XmallocTestParams& p) {
  const uint64_t total_batches = static_cast<uint64_t>(p.alloc_threads) * p.batches_per_thread;
  auto blocks = scratch<Block>(0, total_batches * p.batch);  // batch b: [b*batch, (b+1)*batch)
  auto queue = scratch<uint64_t>(1, total_batches);          // batch ids in push order
  std::mutex mu;
  std::condition_variable room;   // signalled when a batch was popped
  std::condition_variable ready;  // signalled when a batch was pushed (or all are popped)
  uint64_t pushed = 0;            // guarded by mu
  uint64_t popped = 0;            // guarded by mu
  std::atomic<bool> stop{false};
  constexpr auto kRecheck = std::chrono::milliseconds(10);  // to notice `stop`
  std::array<RunResult, kMaxThreads> results{};

  run_threads(
      p.alloc_threads + p.free_threads,
      [&](int i) {
        Tracker t(ctx);
        if (i < p.alloc_threads) {
          Rng rng(p.seed, static_cast<uint64_t>(i));
          for (uint64_t k = 0; k < p.batches_per_thread; ++k) {
            const uint64_t id = static_cast<uint64_t>(i) * p.batches_per_thread + k;
            for (auto& b : blocks.subspan(id * p.batch, p.batch)) {
              b = t.alloc_block(rng.between(p.min_size, p.max_size));
            }
            std::unique_lock lock(mu);
            while (pushed - popped >= p.max_pending) {
              if (stop.load(std::memory_order_relaxed)) return;
              room.wait_for(lock, kRecheck);
            }
            queue[pushed++] = id;
            ready.notify_one();
          }
        } else {
          for (;;) {
            uint64_t id;
            {
              std::unique_lock lock(mu);
              while (popped == pushed && popped < total_batches) {
                if (stop.load(std::memory_order_relaxed)) return;
                ready.wait_for(lock, kRecheck);
              }
              if (popped == total_batches) break;
              id = queue[popped++];
              room.notify_one();
              if (popped == total_batches) ready.notify_all();  // release the other freers
            }
            for (auto& b : blocks.subspan(id * p.batch, p.batch)) t.release(b);
          }
        }
        results[i] = t.result();
      },
      &stop);
  RunResult total;
  for (int i = 0; i < p.alloc_threads + p.free_threads; ++i) total += results[i];
  return total;
}

}  // namespace alloclab::workloads
