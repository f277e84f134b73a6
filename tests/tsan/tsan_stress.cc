// The allocator's cross-thread protocols under ThreadSanitizer.
//
// LD_PRELOAD tests cannot run under TSan (its runtime owns malloc), so this binary compiles the
// allocator core itself with -fsanitize=thread and calls the heap entry points directly
// (alloclab::heap_malloc / heap_free, internal.h): TSan then sees every load and store of the
// free lists, delayed frees, thread-exit abandonment and reclaim. Two scenarios:
//   1. phases of threads doing random malloc/free, a quarter of the blocks freed by another
//      thread, half the threads exiting with live blocks that later threads free;
//   2. threads dying with pages in many queues while fresh threads reclaim their segments;
//   3. a producer filling pages that a consumer frees (delayed frees into full pages).
// Every block carries an address-derived pattern checked before it is freed. Exit status: 1 on
// corruption or if a path was not exercised; TSan itself exits 66 on any report.
// Usage: tsan_stress [phases threads ops reclaim_rounds]
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "internal.h"

namespace alloclab {
// api.cc (not compiled here: its exported malloc would shadow TSan's) normally defines this.
[[noreturn]] void fatal(const char* message, const char* file, int line) noexcept {
  std::fprintf(stderr, "alloclab: %s at %s:%d\n", message, file, line);
  std::abort();
}
// The stress hands the core only pointers it allocated: an invalid free is a bug here.
void report_invalid_free(const void* p, const char* why) noexcept {
  std::fprintf(stderr, "alloclab: invalid free(%p): %s\n", p, why);
  std::abort();
}
}  // namespace alloclab

namespace {

struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  // Log-uniform in [lo, hi] by powers of two.
  std::size_t size_log(std::size_t lo, std::size_t hi) {
    const int e_lo = 63 - __builtin_clzll(lo), e_hi = 63 - __builtin_clzll(hi);
    const std::size_t base = std::size_t{1}
                             << (e_lo + static_cast<int>(below(static_cast<std::size_t>(e_hi - e_lo + 1))));
    const std::size_t v = base + below(base);
    return v < lo ? lo : (v > hi ? hi : v);
  }
};

struct Block {
  std::uint8_t* p;
  std::size_t size;
};

std::atomic<long> g_corrupt{0};
std::atomic<long> g_null{0};

// The pattern covers the first and last 128 bytes: enough to see a block handed out twice.
std::uint8_t pattern_byte(const Block& b, std::size_t i) {
  const std::uint64_t seed = (reinterpret_cast<std::uintptr_t>(b.p) * 0x9E3779B97F4A7C15ull) ^ b.size;
  return static_cast<std::uint8_t>((seed >> ((i & 7) * 8)) ^ i);
}
template <typename F>
void for_checked_bytes(const Block& b, F f) {
  const std::size_t edge = b.size < 128 ? b.size : 128;
  for (std::size_t i = 0; i < edge; ++i) f(i);
  for (std::size_t i = b.size - edge; i < b.size; ++i) f(i);
}

Block make(std::size_t size) {
  Block b{static_cast<std::uint8_t*>(alloclab::heap_malloc(size, false)), size};
  if (b.p == nullptr) {
    g_null.fetch_add(1);
    return b;
  }
  for_checked_bytes(b, [&](std::size_t i) { b.p[i] = pattern_byte(b, i); });
  return b;
}

void check_and_free(const Block& b) {
  if (b.p == nullptr) return;
  bool ok = true;
  for_checked_bytes(b, [&](std::size_t i) { ok = ok && b.p[i] == pattern_byte(b, i); });
  if (!ok && g_corrupt.fetch_add(1) < 10)
    std::fprintf(stderr, "corrupted block %p of %zu bytes\n", static_cast<void*>(b.p), b.size);
  alloclab::heap_free(b.p);
}

struct Mailbox {
  std::mutex mu;
  std::vector<Block> blocks;
};

struct Phases {
  int threads;
  std::vector<Mailbox> mail;
  std::mutex orphan_mu;
  std::vector<Block> orphans;  // live blocks of threads that exited
  explicit Phases(int n) : threads(n), mail(static_cast<std::size_t>(n)) {}

  static std::size_t random_size(Rng& rng) {
    const std::size_t r = rng.below(1000);
    if (r < 2) return rng.size_log(65537, 1 << 20);  // a huge block now and then
    if (r < 700) return rng.size_log(8, 256);
    return rng.size_log(8, 16384);
  }

  void worker(int id, int phase, std::size_t ops) {
    Rng rng(static_cast<std::uint64_t>(phase) * 1000 + static_cast<std::uint64_t>(id));
    std::vector<Block> live, inherited;
    {
      std::lock_guard<std::mutex> g(orphan_mu);
      for (std::size_t take = orphans.size() / 2 + 1; take-- && !orphans.empty(); orphans.pop_back())
        inherited.push_back(orphans.back());
    }
    for (auto& b : inherited) check_and_free(b);
    for (std::size_t i = 0; i < ops; ++i) {
      if (rng.below(100) < 52 && live.size() < 1500) {
        Block b = make(random_size(rng));
        if (b.p == nullptr) continue;
        if (rng.below(4) == 0) {  // another thread frees it
          auto& box = mail[(static_cast<std::size_t>(id) + 1 + rng.below(static_cast<std::size_t>(threads - 1))) %
                           static_cast<std::size_t>(threads)];
          std::lock_guard<std::mutex> g(box.mu);
          box.blocks.push_back(b);
        } else {
          live.push_back(b);
        }
      } else if (!live.empty()) {
        const std::size_t k = rng.below(live.size());
        check_and_free(live[k]);
        live[k] = live.back();
        live.pop_back();
      }
      if ((i & 63) == 0) {
        std::vector<Block> in;
        {
          std::lock_guard<std::mutex> g(mail[static_cast<std::size_t>(id)].mu);
          in.swap(mail[static_cast<std::size_t>(id)].blocks);
        }
        for (auto& b : in) check_and_free(b);
      }
    }
    if (id % 2 == 0) {  // exit owning live blocks: their segments are abandoned
      std::lock_guard<std::mutex> g(orphan_mu);
      orphans.insert(orphans.end(), live.begin(), live.end());
    } else {
      for (auto& b : live) check_and_free(b);
    }
  }

  void run(int phases, std::size_t ops) {
    for (int phase = 0; phase < phases && g_corrupt.load() == 0; ++phase) {
      std::vector<std::thread> ts;
      for (int t = 0; t < threads; ++t) ts.emplace_back([=, this] { worker(t, phase, ops); });
      for (auto& t : ts) t.join();
    }
    for (auto& box : mail)
      for (auto& b : box.blocks) check_and_free(b);
    for (auto& b : orphans) check_and_free(b);
  }
};

// Dying threads hold pages in ~130 queues; short-lived threads reclaim segments meanwhile.
void exit_races_reclaim(int rounds) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> reclaimers;
  for (int t = 0; t < 2; ++t)
    reclaimers.emplace_back([&, t] {
      for (std::uint64_t k = 0; !stop.load(std::memory_order_relaxed); ++k) {
        std::thread([=] {
          Rng rng(k * 8 + static_cast<std::uint64_t>(t));
          check_and_free(make(rng.size_log(8, 1024)));
        }).join();
      }
    });
  for (int r = 0; r < rounds && g_corrupt.load() == 0; ++r) {
    std::vector<Block> left[4];
    std::vector<std::thread> dying;
    for (auto& mine : left)
      dying.emplace_back([&mine] {
        for (int k = 0; k < 2; ++k)
          for (std::size_t size = 8; size <= 1024; size += 8) mine.push_back(make(size));
      });
    for (auto& t : dying) t.join();
    for (auto& v : left)
      for (auto& b : v) check_and_free(b);
  }
  stop.store(true);
  for (auto& t : reclaimers) t.join();
}

// A producer fills pages completely (so they move to its full queue) while a consumer frees
// the blocks: remote frees into full pages take the delayed-free path to the producer's heap.
void producer_consumer(std::size_t blocks) {
  std::mutex mu;
  std::vector<Block> queue;
  std::atomic<bool> done{false};
  std::thread consumer([&] {
    for (;;) {
      std::vector<Block> got;
      {
        std::lock_guard<std::mutex> g(mu);
        got.swap(queue);
      }
      for (auto& b : got) check_and_free(b);
      if (got.empty() && done.load()) return;
    }
  });
  std::thread producer([&] {
    std::vector<Block> batch;
    for (std::size_t i = 0; i < blocks; ++i) {
      batch.push_back(make(64));
      if (batch.size() == 2048) {  // two pages' worth: the first is full by now
        std::lock_guard<std::mutex> g(mu);
        queue.insert(queue.end(), batch.begin(), batch.end());
        batch.clear();
      }
    }
    std::lock_guard<std::mutex> g(mu);
    queue.insert(queue.end(), batch.begin(), batch.end());
  });
  producer.join();
  done.store(true);
  consumer.join();
}

}  // namespace

int main(int argc, char** argv) {
  const int phases = argc > 1 ? std::atoi(argv[1]) : 6;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 8;
  const std::size_t ops = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 20000;
  const int reclaim_rounds = argc > 4 ? std::atoi(argv[4]) : 40;
  if (phases < 1 || threads < 2 || ops < 1 || reclaim_rounds < 0) {
    std::fprintf(stderr, "usage: %s [phases>=1 threads>=2 ops>=1 reclaim_rounds>=0]\n", argv[0]);
    return 2;
  }
  Phases(threads).run(phases, ops);
  exit_races_reclaim(reclaim_rounds);
  producer_consumer(ops * 20);

  const alloclab::Counters c = alloclab::heaps_sum_counters();
  std::printf("corrupted=%ld null=%ld segments_reclaimed=%llu delayed_frees=%llu heap_collects=%llu\n",
              g_corrupt.load(), g_null.load(), static_cast<unsigned long long>(c.segments_reclaimed),
              static_cast<unsigned long long>(c.delayed_frees), static_cast<unsigned long long>(c.heap_collects));
  if (g_corrupt.load() != 0 || g_null.load() != 0) return 1;
  // The scenarios exist for these paths: not reaching them is a failure, not a pass.
  if (c.segments_reclaimed == 0 || c.delayed_frees == 0) {
    std::fprintf(stderr, "the run reclaimed no abandoned segment or processed no delayed free\n");
    return 1;
  }
  return 0;
}
