// mstress.cc — written from the description of mimalloc's stress test (mstress in
// mimalloc-bench): power-of-two sizes skewed to small, threads with unequal work, objects
// migrating between threads through a shared transfer array, and all threads destroyed
// and re-created every phase while some objects survive from one phase to the next.
#include <array>
#include <atomic>
#include <stdexcept>

#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {
namespace {

// 2^min_shift, each larger power of two half as likely as the one below, up to max_shift.
size_t skewed_size(Rng& rng, int min_shift, int max_shift) {
  int shift = min_shift;
  while (shift < max_shift && (rng.next() & 1) != 0) ++shift;
  return size_t{1} << shift;
}

}  // namespace

RunResult mstress(const RunContext& ctx, const MstressParams& p) {
  if (p.min_shift < 3 || p.max_shift < p.min_shift || (size_t{1} << p.max_shift) > kMaxPackedSize) {
    throw std::invalid_argument("mstress: need 3 <= min_shift <= max_shift <= 15");
  }
  const auto n = static_cast<size_t>(p.threads);
  auto retained = scratch<Block>(0, n * p.retain_slots);                // thread i: [i*slots, (i+1)*slots)
  auto transfer = scratch<std::atomic<uint64_t>>(1, p.transfer_slots);  // packed; 0 = empty

  RunResult total;
  std::array<RunResult, kMaxThreads> results{};
  for (int phase = 0; phase < p.phases; ++phase) {
    run_threads(p.threads, [&](int i) {
      Tracker t(ctx);
      Rng rng(p.seed, 1 + static_cast<uint64_t>(phase) * kMaxThreads + static_cast<uint64_t>(i));
      auto mine = retained.subspan(static_cast<size_t>(i) * p.retain_slots, p.retain_slots);
      auto alloc = [&] {
        const size_t size = skewed_size(rng, p.min_shift, p.max_shift);
        return Block{t.alloc_zeroed(size / 8, 8), size};
      };
      const uint64_t my_ops = p.ops * (n - static_cast<size_t>(i)) / n;  // unequal work
      for (uint64_t k = 0; k < my_ops; ++k) {
        const uint64_t roll = rng.below(10);
        Block& s = mine[rng.below(p.retain_slots)];
        if (roll < 6) {  // replace a retained object
          if (s.ptr != nullptr) t.release(s);
          s = alloc();
        } else if (roll < 9) {  // a short-lived object
          t.release(alloc());
        } else {  // migrate: swap with a random transfer slot
          if (s.ptr != nullptr && !packable(s)) {
            throw std::runtime_error("mstress: block address does not fit in 48 bits");
          }
          const uint64_t out = s.ptr != nullptr ? pack(s) : 0;
          const uint64_t in = transfer[rng.below(p.transfer_slots)].exchange(out, std::memory_order_acq_rel);
          s = in != 0 ? unpack(in) : Block{};
        }
      }
      for (auto& s : mine) {  // about half of the retained objects die with the thread
        if (s.ptr != nullptr && (rng.next() & 1) != 0) {
          t.release(s);
          s = Block{};
        }
      }
      results[i] = t.result();
    });
    for (int i = 0; i < p.threads; ++i) total += results[i];
  }
  Tracker caller(ctx);
  for (auto& s : retained) {
    if (s.ptr != nullptr) caller.release(s);
  }
  for (auto& slot : transfer) {
    if (const uint64_t w = slot.load(std::memory_order_acquire); w != 0) caller.release(unpack(w));
  }
  total += caller.result();
  return total;
}

}  // namespace alloclab::workloads
