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

#include <sys/resource.h>

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

namespace {

using Clock = std::chrono::steady_clock;

// n 1 KiB blocks into out[0..n), written: ~1000 fill a sixteenth of a segment's 64 KiB
// slots. The arrays are static, so a thread allocates nothing else (a vector of 3000 pointers
// would take a medium segment of its own and blur which segment a thread reuses).
constexpr std::size_t kMaxBlocks = 6000;
void* g_blocks[kMaxBlocks];
void* g_held[kMaxBlocks];
void fill(void** out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = malloc(opaque<std::size_t>(1024));
    EXPECT_NE(out[i], nullptr);
    std::memset(out[i], 0x5a, 1024);
  }
}
void release(void** blocks, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) free(blocks[i]);
}
void fill_then_free(std::size_t n) {
  fill(g_blocks, n);
  release(g_blocks, n);
}

// Generic calls (so admin runs) until `bytes` more have been purged and `at_least` has passed.
bool allocate_until_purged(long bytes, std::chrono::milliseconds at_least);

long purged_bytes() { return alloclab_os_counters().bytes_purged; }

bool allocate_until_purged(long bytes, std::chrono::milliseconds at_least) {
  const long before = purged_bytes();
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (purged_bytes() - before >= bytes && elapsed >= at_least) return true;
    if (elapsed > std::chrono::seconds(2)) return false;
    for (int i = 0; i < 1000; ++i) free(malloc(opaque<std::size_t>(4096)));
  }
}

long thread_minor_faults() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

// The purge delay is 10 ms (on a coarse clock): an attempt whose steps took longer than
// `window` is retried, not judged, so a descheduled test does not fail by chance.
constexpr auto kWindow = std::chrono::milliseconds(3);
constexpr int kAttempts = 50;

// A thread that fills a small segment (g_held) and keeps it until release_and_join(), so that
// other segments go into the cache before it.
class SegmentHolder {
 public:
  SegmentHolder()
      : thread_([this] {
          fill(g_held, 3000);
          stage_.store(1);
          while (stage_.load() != 2) std::this_thread::yield();
          release(g_held, 3000);
        }) {
    while (stage_.load() != 1) std::this_thread::yield();
  }
  void release_and_join() {
    stage_.store(2);
    thread_.join();
  }

 private:
  std::atomic<int> stage_{0};
  std::thread thread_;
};

// Minor faults of a new thread that fills and frees ~3 MiB of 1 KiB blocks, or -1 when it
// finished later than kWindow after `since` (the attempt is retried).
long faults_of_next_thread(Clock::time_point since) {
  long faults = 0;
  std::thread([&] {
    const long f0 = thread_minor_faults();
    fill_then_free(3000);
    faults = thread_minor_faults() - f0;
  }).join();
  return Clock::now() - since < kWindow ? faults : -1;
}

}  // namespace

// A thread that starts after another exited takes the exited thread's segments from the
// segment cache, memory still resident. Their free page slots must keep that memory until
// they have been free for the purge delay, as any freed slot does. They used to count as
// freed at time zero, so the new thread's first admin pass (after ~100 generic calls) purged
// them all and the thread faulted its working set in again: glibc_thread ran ~2-3x slower.
TEST(ThreadChurn, NextThreadKeepsTheCachedMemoryWithinThePurgeDelay) {
  if (purged_bytes() < 0) GTEST_SKIP() << "no alloclab library is preloaded";
  long purged_by_next = -1;
  for (int attempt = 0; attempt < kAttempts && purged_by_next < 0; ++attempt) {
    // ~6 MiB: two segments. The next thread takes one from the cache; the other stays there,
    // which is what makes admin look for slots to purge at all.
    std::thread([] { fill_then_free(6000); }).join();
    const auto exited = Clock::now();
    const long before = purged_bytes();
    long after = 0;
    std::thread([&] {
      // 300 allocations above the fast path's 1 KiB: 300 generic calls, so admin runs.
      std::vector<void*> blocks(300);
      for (void*& p : blocks) {
        p = malloc(opaque<std::size_t>(2048));
        ASSERT_NE(p, nullptr);
      }
      after = purged_bytes();
      for (void* p : blocks) free(p);
    }).join();
    if (Clock::now() - exited < kWindow) purged_by_next = after - before;
  }
  ASSERT_GE(purged_by_next, 0) << "no attempt finished within the window";
  EXPECT_EQ(purged_by_next, 0) << "the next thread purged " << purged_by_next
                               << " bytes of page slots freed less than 3 ms earlier";
}

// A thread that exits with live blocks abandons its segments with their free slots. The exit
// used to purge those slots at once, and the threads that took the segments over (larson's
// next phase) faulted them in again. Now they are purged once they have aged, by the sweep of
// abandoned segments or by whoever takes the segment over: memory still goes back while the
// live block stays live, just not at the exit.
TEST(ThreadChurn, ExitLeavesFreeSlotsToAgeThenTheyAreReturned) {
  if (purged_bytes() < 0) GTEST_SKIP() << "no alloclab library is preloaded";
  long purged_at_exit = -1;
  for (int attempt = 0; attempt < kAttempts && purged_at_exit < 0; ++attempt) {
    if (attempt > 0) free(g_blocks[0]);
    const long before = purged_bytes();
    const auto start = Clock::now();
    std::thread([] {  // ~3 MiB of slots freed, one block left live
      fill(g_blocks, 3000);
      release(g_blocks + 1, 2999);
    })
        .join();
    const long after = purged_bytes();
    if (Clock::now() - start < kWindow) purged_at_exit = after - before;
  }
  ASSERT_GE(purged_at_exit, 0) << "no attempt finished within the window";
  EXPECT_EQ(purged_at_exit, 0) << "the exiting thread purged " << purged_at_exit << " bytes of slots it had just freed";
  const bool returned = allocate_until_purged(2 * 1024 * 1024, std::chrono::milliseconds(0));
  free(g_blocks[0]);
  EXPECT_TRUE(returned) << "the free slots of the exited thread's segment were not purged within 2 s";
}

// Freed segments wait in a cache, purged after the delay. A thread that needs a segment
// should get one that still holds its memory, the most recent, not the first that fits: with
// first fit, larson's threads took segments purged 10 ms earlier and faulted them in again
// (~5 MiB purged and refaulted per run).
TEST(ThreadChurn, CacheHandsOutAResidentSegmentBeforeAPurgedOne) {
  if (purged_bytes() < 0) GTEST_SKIP() << "no alloclab library is preloaded";
  long faults = -1;
  for (int attempt = 0; attempt < kAttempts && faults < 0; ++attempt) {
    // A holder thread keeps one segment in use while another segment is cached and purged;
    // then the holder exits, so the cache holds a purged segment cached first and a resident
    // one cached after it (first fit would hand out the purged one).
    SegmentHolder holder;
    std::thread([] { fill_then_free(3000); }).join();
    // 30 ms: every segment cached so far (this one, earlier attempts') is purged by then.
    const bool purged = allocate_until_purged(3 * 1024 * 1024, std::chrono::milliseconds(30));
    holder.release_and_join();
    ASSERT_TRUE(purged) << "the cached segment was not purged within 2 s";
    faults = faults_of_next_thread(Clock::now());
  }
  ASSERT_GE(faults, 0) << "no attempt finished within the window";
  // ~3 MiB written: ~750 faults from a purged segment, a handful from a resident one.
  EXPECT_LT(faults, 150) << "the thread faulted " << faults << " pages in: it got a purged segment";
}

// Small and medium segments have slots of different sizes (64 KiB, 512 KiB). A thread that
// needs a small segment should get a cached small one: a medium one's resident memory lies
// where its medium blocks started, not where small blocks go, so the thread faults its pages
// in while the small one's memory sits unused. Reusing segments across kinds made glibc_thread
// (sizes 4 B-32 KiB, threads replacing each other) peak at 1.5x mimalloc's RSS.
TEST(ThreadChurn, CacheHandsOutASegmentOfTheKindAsked) {
  if (purged_bytes() < 0) GTEST_SKIP() << "no alloclab library is preloaded";
  long faults = -1;
  for (int attempt = 0; attempt < kAttempts && faults < 0; ++attempt) {
    // A holder fills a small segment first (so it does not take the medium one), then a
    // medium segment goes into the cache (the lower slot: first fit, or a tie on the coarse
    // clock, picks it), then the holder's small one.
    SegmentHolder holder;
    std::thread([] {
      for (std::size_t i = 0; i < 100; ++i) {
        g_blocks[i] = malloc(opaque<std::size_t>(20 * 1024));
        ASSERT_NE(g_blocks[i], nullptr);
        std::memset(g_blocks[i], 0x5a, 64);
      }
      release(g_blocks, 100);
    }).join();
    holder.release_and_join();
    faults = faults_of_next_thread(Clock::now());
  }
  ASSERT_GE(faults, 0) << "no attempt finished within the window";
  EXPECT_LT(faults, 150) << "the thread faulted " << faults << " pages in: it got the medium segment";
}

// A thread exits with all its blocks live; another thread frees them all, and the sweep of
// abandoned segments releases the segment to the cache. Its pages never went through the
// usual page free, so they are still marked in use; a thread that takes the segment over must
// treat their memory as written: calloc must zero it. (Found by the fuzzer when segment reuse
// began to keep each slot's history: the in-use slots kept the "zero" of their first mapping.)
TEST(ThreadChurn, CallocIsZeroInASegmentTheSweepReleased) {
  std::thread([] { fill(g_blocks, 3000); }).join();  // written with 0x5a, left live
  release(g_blocks, 3000);                           // remote frees into the abandoned segment
  long dirty = 0;
  const auto start = Clock::now();
  while (dirty == 0 && Clock::now() - start < std::chrono::milliseconds(200)) {
    for (int i = 0; i < 1000; ++i) free(malloc(opaque<std::size_t>(4096)));  // admin, the sweep
    std::thread([&] {
      for (std::size_t i = 0; i < 3000; ++i) {
        auto* p = static_cast<unsigned char*>(calloc(1, opaque<std::size_t>(1024)));
        ASSERT_NE(p, nullptr);
        for (std::size_t b = 0; b < 1024; ++b) dirty += p[b] != 0;
        g_held[i] = p;
      }
      release(g_held, 3000);
    }).join();
  }
  EXPECT_EQ(dirty, 0) << dirty << " non-zero bytes in calloc'ed blocks";
}
