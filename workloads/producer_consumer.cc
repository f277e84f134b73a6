// producer_consumer.cc — every block is allocated on one thread and freed on another,
// handed over through a bounded single-producer single-consumer ring: the allocator's
// remote-free path on every free.
#include <array>
#include <atomic>
#include <stdexcept>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {
namespace {

// A ring position on its own cache line, so that producer and consumer do not share one.
struct alignas(64) Cursor {
  std::atomic<uint64_t> value{0};
};

// Stored into both cursors when one side fails, so that the other stops waiting.
constexpr uint64_t kPoisoned = ~uint64_t{0};

// Returns the cursor's value once it differs from `seen`: spins briefly (the other side is
// usually running on the other core), then sleeps on the cursor (a futex) so that a
// descheduled partner on a busy machine gets the core instead of a spinning thread.
uint64_t wait_past(const std::atomic<uint64_t>& cursor, uint64_t seen) {
  for (int i = 0; i < 256; ++i) {
    const uint64_t v = cursor.load(std::memory_order_acquire);
    if (v != seen) return v;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  cursor.wait(seen, std::memory_order_acquire);
  return cursor.load(std::memory_order_acquire);
}

void publish(std::atomic<uint64_t>& cursor, uint64_t value) {
  cursor.store(value, std::memory_order_release);
  cursor.notify_one();  // a load when nobody sleeps
}

}  // namespace

RunResult producer_consumer(const RunContext& ctx, const ProducerConsumerParams& p) {
  const uint64_t capacity = p.queue_capacity;
  if (capacity == 0 || (capacity & (capacity - 1)) != 0) {
    throw std::invalid_argument("producer_consumer: queue_capacity must be a power of two");
  }
  const uint64_t mask = capacity - 1;
  auto ring = scratch<Block>(0, capacity);
  Cursor head;  // next position the consumer pops
  Cursor tail;  // next position the producer pushes
  std::array<RunResult, 2> results{};

  run_threads(2, [&](int role) {
    Tracker t(ctx);
    try {
      if (role == 0) {  // producer
        Rng rng(p.seed);
        uint64_t h = head.value.load(std::memory_order_acquire);
        for (uint64_t i = 0; i < p.blocks; ++i) {
          const Block b = t.alloc_block(rng.between(p.min_size, p.max_size));
          while (h != kPoisoned && i - h >= capacity) h = wait_past(head.value, h);
          if (h == kPoisoned) return;  // the consumer failed
          ring[i & mask] = b;
          publish(tail.value, i + 1);
        }
      } else {  // consumer
        uint64_t tl = tail.value.load(std::memory_order_acquire);
        for (uint64_t i = 0; i < p.blocks; ++i) {
          while (tl <= i) tl = wait_past(tail.value, tl);
          if (tl == kPoisoned) return;  // the producer failed
          const Block b = ring[i & mask];
          publish(head.value, i + 1);
          t.release(b);
        }
      }
    } catch (...) {
      publish(head.value, kPoisoned);
      publish(tail.value, kPoisoned);
      throw;
    }
    results[role] = t.result();
  });
  RunResult total = results[0];
  total += results[1];
  return total;
}

}  // namespace alloclab::workloads
