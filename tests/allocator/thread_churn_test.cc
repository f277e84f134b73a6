// Thread churn: threads that come and go must not make the heap grow, and memory an exited
// thread left behind must go back to the OS once other threads have freed it.
//
// The first test is mimalloc-bench's mleak pattern: generations of short-lived threads, each
// callocs one 128 B block into a shared 1000-slot array and frees the block it displaces,
// which an earlier (now exited) thread allocated. The live set never exceeds 1000 blocks, so
// RSS must stop growing once the first generations have run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;

namespace {

constexpr std::size_t kSlots = 1000;
std::atomic<void*> g_slots[kSlots];

struct Sample {
  std::size_t threads;
  long rss_kib;
  long mapped_mib;
};

std::string trace_of(const std::vector<Sample>& samples) {
  std::string s;
  for (const auto& x : samples)
    s += std::to_string(x.threads) + " threads: " + std::to_string(x.rss_kib) + " KiB RSS, " +
         std::to_string(x.mapped_mib) + " MiB mapped\n";
  return s;
}

long mapped_mib() {
  const long b = alloclab_os_counters().bytes_mapped;
  return b < 0 ? -1 : b >> 20;
}

}  // namespace

TEST(ThreadChurn, RssPlateausUnderEndlessThreadChurn) {
  const std::size_t generations = scaled(1600), per_generation = 8;
  std::vector<Sample> samples;
  std::uint64_t seed = 1;
  for (std::size_t g = 1; g <= generations; ++g) {
    std::vector<std::thread> ts;
    for (std::size_t t = 0; t < per_generation; ++t) {
      seed = mix64(seed);
      const std::size_t slot = seed % kSlots;
      ts.emplace_back([slot] {
        void* p = calloc(1, opaque<std::size_t>(128));
        ASSERT_NE(p, nullptr);
        static_cast<unsigned char*>(p)[127] = 1;
        free(g_slots[slot].exchange(p));
      });
    }
    for (auto& t : ts) t.join();
    if (g % (generations / 8) == 0) samples.push_back({g * per_generation, rss_kib(), mapped_mib()});
  }
  for (auto& s : g_slots) free(s.exchange(nullptr));
  const std::string trace = trace_of(samples);
  std::printf("%s", trace.c_str());
  RecordProperty("rss_trace", trace);

  // From the first quarter on, the live set is at its maximum: what is mapped and resident
  // then is all the churn may ever need. Before abandoned segments were swept, every new
  // thread took a fresh page (~5 KiB of RSS and a share of a 4 MiB segment per thread):
  // 9600 more threads grew RSS by ~45 MiB and the mapping by ~6 GiB here. The mapping is
  // bounded absolutely, not against the quarter mark: freed segments wait in the segment
  // cache for 2 s before they are unmapped, so under load a few more may be mapped at the end.
  const Sample& quarter = samples[1];
  const Sample& last = samples.back();
  EXPECT_LE(last.rss_kib, quarter.rss_kib + 2048) << "RSS grows with the number of threads:\n" << trace;
  if (last.mapped_mib >= 0) {
    EXPECT_LE(last.mapped_mib, 64) << "1000 live 128 B blocks need a few segments, not this many:\n" << trace;
  }
}

// Threads exit leaving ~30 MiB of blocks behind; another thread frees them all. Those
// segments belong to no heap: only visiting the abandoned segments (the admin sweep, or a
// reclaim when the thread needs a page) can release them. The freeing thread keeps
// allocating, as a program does. (This one also passes on the core before the sweep, which
// released such segments more slowly through heap_collect's reclaim; the plateau test above
// is the one the old core fails.)
TEST(ThreadChurn, MemoryReturnedAfterTheLastFree) {
  const long rss_before = rss_kib();
  std::mutex mu;
  std::vector<void*> left;
  left.reserve(64 * 1500);
  for (int round = 0; round < 8; ++round) {
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; ++t)
      ts.emplace_back([&, round, t] {
        Rng rng(static_cast<std::uint64_t>(round * 8 + t));
        std::vector<void*> mine;
        for (int i = 0; i < 1500; ++i) {
          const std::size_t n = rng.size_log(16, 1024);
          void* p = malloc(n);
          ASSERT_NE(p, nullptr);
          std::memset(p, 0x5a, n);
          mine.push_back(p);
        }
        std::lock_guard<std::mutex> g(mu);
        left.insert(left.end(), mine.begin(), mine.end());
      });
    for (auto& t : ts) t.join();
  }
  const long rss_held = rss_kib();
  ASSERT_GT(rss_held, rss_before + 16 * 1024) << "the test no longer holds enough memory to see a release";
  for (void* p : left) free(p);
  left.clear();
  left.shrink_to_fit();

  // Ordinary single-threaded allocation for up to 3 s, watching RSS fall.
  const auto start = std::chrono::steady_clock::now();
  long rss_now = rss_kib();
  Rng rng(42);
  std::vector<void*> churn(256, nullptr);
  while (rss_now > rss_before + 4096 && std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    for (int i = 0; i < 20000; ++i) {
      void*& slot = churn[rng.below(churn.size())];
      free(slot);
      slot = malloc(rng.size_log(16, 8192));
    }
    rss_now = rss_kib();
  }
  for (void* p : churn) free(p);
  std::printf("RSS: %ld KiB before, %ld KiB holding the exited threads' blocks, %ld KiB after freeing them\n",
              rss_before, rss_held, rss_now);
  EXPECT_LE(rss_now, rss_before + 4096) << "the exited threads' segments were not returned after their last block was "
                                           "freed: RSS "
                                        << rss_before << " KiB before, " << rss_held << " KiB held, " << rss_now
                                        << " KiB 3 s after the last free";
}

// A thread that starts after another exited takes the exited thread's segments from the
// segment cache, memory still resident. Their free page slots must keep that memory until
// they have been free for the purge delay (10 ms), as any freed slot does. They used to count
// as freed at time zero, so the new thread's first admin pass (after ~100 generic calls)
// purged them all and the thread faulted its working set in again: glibc_thread ran ~4×
// slower than after the fix. The check needs the second thread to finish well inside the
// delay, so an attempt that took longer (a descheduled test) is retried, not judged.
TEST(ThreadChurn, NextThreadKeepsTheCachedMemoryWithinThePurgeDelay) {
  if (alloclab_os_counters().bytes_purged < 0) GTEST_SKIP() << "no alloclab library is preloaded";
  using Clock = std::chrono::steady_clock;
  long purged_by_next = -1;
  for (int attempt = 0; attempt < 50 && purged_by_next < 0; ++attempt) {
    std::thread([] {
      // ~6 MiB in 1 KiB blocks: two small segments. The next thread takes one from the cache;
      // the other stays there, which is what makes admin look for slots to purge at all.
      std::vector<void*> blocks(6000);
      for (void*& p : blocks) {
        p = malloc(opaque<std::size_t>(1024));
        ASSERT_NE(p, nullptr);
        std::memset(p, 0x5a, 1024);
      }
      for (void* p : blocks) free(p);
    }).join();
    const auto exited = Clock::now();
    const long purged_before = alloclab_os_counters().bytes_purged;
    long purged_after = 0;
    std::thread([&] {
      // 300 allocations above the fast path's 1 KiB: 300 generic calls, so admin runs.
      std::vector<void*> blocks(300);
      for (void*& p : blocks) {
        p = malloc(opaque<std::size_t>(2048));
        ASSERT_NE(p, nullptr);
      }
      purged_after = alloclab_os_counters().bytes_purged;
      for (void* p : blocks) free(p);
    }).join();
    if (Clock::now() - exited < std::chrono::milliseconds(3)) purged_by_next = purged_after - purged_before;
  }
  ASSERT_GE(purged_by_next, 0) << "no attempt finished within 3 ms of the first thread's exit";
  EXPECT_EQ(purged_by_next, 0) << "the next thread purged " << purged_by_next
                               << " bytes of page slots freed less than 3 ms earlier";
}
