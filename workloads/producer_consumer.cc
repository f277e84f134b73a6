// producer_consumer.cc — every block is allocated on one thread and freed on another,
// handed over through a bounded single-producer single-consumer ring: the allocator's
// remote-free path on every free.
//
// Hand-over: positions are published with one store per block. A side that must wait
// spins briefly (the partner usually runs on the other core), then sleeps; sleepers are
// woken only every kWakeEvery blocks (and at the end), and a full ring's producer sleeps
// until a quarter of the ring is free. Without this hysteresis a busy machine drives the
// two threads into lock-step, one wake-up per block, and the run measures the scheduler.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
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
constexpr int kSpins = 256;
// A bound on any one sleep: progress never depends on a wake-up alone.
constexpr auto kMaxSleep = std::chrono::milliseconds(1);

// Lets a thread sleep until a cursor satisfies a condition. ring() costs one load when
// nobody sleeps. Correctness: the sleeper announces itself (sleepers_) before its last
// look at the cursor, and the ringer stores the cursor before it looks at sleepers_, both
// sequentially consistent; the mutex closes the gap between that look and cv_.wait.
class Doorbell {
 public:
  // Spins while !spin_ready(v), then sleeps while !sleep_ready(v); returns v.
  template <class SpinReady, class SleepReady>
  uint64_t wait(const std::atomic<uint64_t>& cursor, SpinReady spin_ready, SleepReady sleep_ready) {
    uint64_t v = cursor.load(std::memory_order_acquire);
    for (int i = 0; i < kSpins; ++i) {
      if (spin_ready(v)) return v;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      v = cursor.load(std::memory_order_acquire);
    }
    if (spin_ready(v)) return v;
    std::unique_lock lock(mu_);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    while (!sleep_ready(v = cursor.load(std::memory_order_seq_cst))) cv_.wait_for(lock, kMaxSleep);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return v;
  }

  // Stores `value` into `cursor` and wakes the sleeper, if any.
  void publish_and_ring(std::atomic<uint64_t>& cursor, uint64_t value) {
    cursor.store(value, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) != 0) {
      std::lock_guard lock(mu_);
      cv_.notify_all();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int> sleepers_{0};
};

}  // namespace

RunResult producer_consumer(const RunContext& ctx, const ProducerConsumerParams& p) {
  const uint64_t capacity = p.queue_capacity;
  if (capacity < 4 || (capacity & (capacity - 1)) != 0) {
    throw std::invalid_argument("producer_consumer: queue_capacity must be a power of two >= 4");
  }
  const uint64_t mask = capacity - 1;
  const uint64_t wake_every = capacity / 4;
  auto ring = scratch<Block>(0, capacity);
  Cursor head;     // next position the consumer pops
  Cursor tail;     // next position the producer pushes
  Doorbell room;   // the producer sleeps here when the ring is full
  Doorbell ready;  // the consumer sleeps here when the ring is empty
  std::array<RunResult, 2> results{};

  run_threads(2, [&](int role) {
    Tracker t(ctx);
    try {
      if (role == 0) {  // producer
        Rng rng(p.seed);
        uint64_t h = 0;
        for (uint64_t i = 0; i < p.blocks; ++i) {
          const Block b = t.alloc_block(rng.between(p.min_size, p.max_size));
          if (i - h >= capacity) {
            h = room.wait(
                head.value, [&](uint64_t v) { return v == kPoisoned || i - v < capacity; },
                [&](uint64_t v) { return v == kPoisoned || i - v <= capacity - wake_every; });
            if (h == kPoisoned) return;  // the consumer failed
          }
          ring[i & mask] = b;
          if ((i + 1) % wake_every == 0 || i + 1 == p.blocks) {
            ready.publish_and_ring(tail.value, i + 1);
          } else {
            tail.value.store(i + 1, std::memory_order_release);
          }
        }
      } else {  // consumer
        uint64_t tl = 0;
        for (uint64_t i = 0; i < p.blocks; ++i) {
          if (tl <= i) {
            auto has_one = [&](uint64_t v) { return v > i; };  // kPoisoned included
            tl = ready.wait(tail.value, has_one, has_one);
            if (tl == kPoisoned) return;  // the producer failed
          }
          const Block b = ring[i & mask];
          if ((i + 1) % wake_every == 0) {
            room.publish_and_ring(head.value, i + 1);
          } else {
            head.value.store(i + 1, std::memory_order_release);
          }
          t.release(b);
        }
      }
    } catch (...) {
      room.publish_and_ring(head.value, kPoisoned);
      ready.publish_and_ring(tail.value, kPoisoned);
      throw;
    }
    results[role] = t.result();
  });
  RunResult total = results[0];
  total += results[1];
  return total;
}

}  // namespace alloclab::workloads
