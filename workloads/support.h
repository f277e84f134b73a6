// support.h — what workload functions share besides the Tracker: a seeded PRNG, size
// distributions, scratch memory for scaffolding, and a thread group that carries
// exceptions back to the caller.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <span>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "workloads/tracker.h"

namespace alloclab::workloads {

// ---------------------------------------------------------------------------------------
// PRNG: xoshiro256** seeded through splitmix64. Deterministic: same seed, same sequence.
class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (auto& s : s_) s = splitmix64(x);
  }
  uint64_t next() {
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) (multiply-shift; the bias is below 2^-32 for the n used here).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  // Uniform in [lo, hi], both inclusive.
  uint64_t between(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // True with probability `percent` / 100.
  bool percent(unsigned percent) { return below(100) < percent; }

 private:
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
};

// Sizes with density proportional to 1/size between lo and hi (log-uniform), piecewise:
// pick a power-of-two range [2^k, 2^(k+1)) uniformly, then a size uniformly inside it.
inline size_t log_uniform_size(Rng& rng, size_t lo, size_t hi) {
  const int k_lo = std::bit_width(lo) - 1;
  const int k_hi = std::bit_width(hi) - 1;
  for (;;) {
    const int k = k_lo + static_cast<int>(rng.below(static_cast<uint64_t>(k_hi - k_lo + 1)));
    const size_t base = size_t{1} << k;
    const size_t s = base + rng.below(base);
    if (s >= lo && s <= hi) return s;
  }
}

// ---------------------------------------------------------------------------------------
// Scratch memory for scaffolding (slot arrays, queues), reused across runs so that a
// run's steady state calls malloc only through its Tracker. Call it from the run's
// calling thread (the benchmark thread, which lives across runs) and hand spans to the
// workers: a worker thread's scratch would be new, so allocated, in every run.
// Each of the kScratchSlots slots is one buffer; a run uses distinct slots for
// distinct arrays. Elements are value-initialised on every call.
inline constexpr int kScratchSlots = 6;

template <class T>
std::span<T> scratch(int slot, size_t n) {
  static_assert(std::is_trivially_destructible_v<T>);
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  thread_local std::array<std::vector<std::byte>, kScratchSlots> buffers;
  auto& buf = buffers.at(static_cast<size_t>(slot));
  if (buf.size() < n * sizeof(T)) buf.resize(n * sizeof(T));
  T* first = reinterpret_cast<T*>(buf.data());
  for (size_t i = 0; i < n; ++i) new (first + i) T{};
  return {std::launder(first), n};
}

// ---------------------------------------------------------------------------------------
// Where worker threads run their bodies. Normally a direct call; the runner's
// --fixed-iterations mode sets alloclab_measured_region here, so that callgrind's
// --toggle-collect (which toggles per thread) counts the workers' instructions too.
using ThreadBodyRunner = void (*)(void (*fn)(void*), void* arg);
void set_thread_body_runner(ThreadBodyRunner runner);
ThreadBodyRunner thread_body_runner();

// Runs body(i) for i in [0, n) on n new threads and joins them. If a body throws, `stop`
// (when given) is set so that the others can leave their wait loops, and the first
// exception is rethrown in the caller after every thread has joined.
inline constexpr int kMaxThreads = 16;

template <class Body>
void run_threads(int n, Body&& body, std::atomic<bool>* stop = nullptr) {
  if (n < 1 || n > kMaxThreads) throw std::invalid_argument("run_threads: bad thread count");
  std::array<std::exception_ptr, kMaxThreads> errors{};
  std::array<std::thread, kMaxThreads> threads{};
  for (int i = 0; i < n; ++i) {
    threads[i] = std::thread([&, i] {
      auto call = [&] { body(i); };
      try {
        if (ThreadBodyRunner runner = thread_body_runner()) {
          runner([](void* c) { (*static_cast<decltype(call)*>(c))(); }, &call);
        } else {
          call();
        }
      } catch (...) {
        errors[i] = std::current_exception();
        if (stop != nullptr) stop->store(true, std::memory_order_relaxed);
      }
    });
  }
  for (int i = 0; i < n; ++i) threads[i].join();
  for (int i = 0; i < n; ++i) {
    if (errors[i]) std::rethrow_exception(errors[i]);
  }
}

// Waits politely: spins a little, then yields (the machine may have fewer cores than
// runnable threads).
class Backoff {
 public:
  void pause() {
    if (++spins_ < 64) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
  void reset() { spins_ = 0; }

 private:
  unsigned spins_ = 0;
};

// ---------------------------------------------------------------------------------------
// A Block packed into one word, for lock-free hand-over through std::atomic<uint64_t>:
// user-space addresses fit in 48 bits (x86-64, AArch64 with 48-bit VA), sizes in 16.
inline constexpr size_t kMaxPackedSize = 0xFFFF;

inline uint64_t pack(Block b) { return (static_cast<uint64_t>(reinterpret_cast<uintptr_t>(b.ptr)) << 16) | b.size; }
inline Block unpack(uint64_t w) {
  return Block{reinterpret_cast<void*>(static_cast<uintptr_t>(w >> 16)), static_cast<size_t>(w & 0xFFFF)};
}
inline bool packable(Block b) { return (reinterpret_cast<uintptr_t>(b.ptr) >> 48) == 0 && b.size <= kMaxPackedSize; }

}  // namespace alloclab::workloads
