// stress: many threads doing random malloc/free with cross-thread frees, threads that exit
// while owning live blocks, threads re-created every phase; no corruption, and RSS stays
// bounded across phases. ALLOCLAB_TEST_SCALE (or ALLOCLAB_STRESS_PHASES) makes it longer.
#include <gtest/gtest.h>

#include <malloc.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;

namespace {

struct Block {
  void* p;
  std::size_t size;
};

// Every block carries a pattern derived from its address and size; it is checked on free.
Block make_block(std::size_t size) {
  void* p = malloc(size);
  if (p) fill_pattern(p, size, block_seed(p, size));
  return {p, size};
}

std::atomic<long> g_corruptions{0};
std::atomic<long> g_null{0};
std::mutex g_report_mu;
std::string g_first_report;

void report(const std::string& s) {
  std::lock_guard<std::mutex> g(g_report_mu);
  if (g_first_report.empty()) g_first_report = s;
}

void check_and_free(const Block& b) {
  std::size_t bad = check_pattern(b.p, b.size, block_seed(b.p, b.size));
  if (bad != SIZE_MAX) {
    g_corruptions.fetch_add(1);
    report("block " + std::to_string(reinterpret_cast<std::uintptr_t>(b.p)) + " of size " + std::to_string(b.size) +
           " corrupted at byte " + std::to_string(bad));
  }
  free(b.p);
}

struct Mailbox {
  std::mutex mu;
  std::vector<Block> blocks;
};

constexpr int kThreads = 8;
Mailbox g_mail[kThreads];
std::mutex g_orphan_mu;
std::vector<Block> g_orphans;  // live blocks of threads that exited without freeing them

std::size_t random_size(Rng& rng) {
  std::size_t r = rng.below(1000);
  if (r < 2) return rng.size_log(65537, 1 << 20);  // an occasional large block
  if (r < 700) return rng.size_log(8, 256);
  return rng.size_log(8, 16384);
}

void worker(int id, int phase, std::size_t ops, std::size_t max_live) {
  Rng rng(static_cast<std::uint64_t>(phase) * 1000 + id);
  std::vector<Block> live;
  live.reserve(max_live + 1);
  // Orphans from the previous phase: free a share of them here (cross-thread, from an
  // exited owner).
  {
    std::vector<Block> mine;
    {
      std::lock_guard<std::mutex> g(g_orphan_mu);
      std::size_t take = g_orphans.size() / 2 + 1;
      while (take-- && !g_orphans.empty()) {
        mine.push_back(g_orphans.back());
        g_orphans.pop_back();
      }
    }
    for (auto& b : mine) check_and_free(b);
  }
  for (std::size_t i = 0; i < ops; ++i) {
    std::size_t r = rng.below(100);
    if (r < 52 && live.size() < max_live) {
      Block b = make_block(random_size(rng));
      if (!b.p) {
        g_null.fetch_add(1);
        continue;
      }
      if (rng.below(4) == 0) {  // a quarter go to another thread, which frees them
        int to = static_cast<int>((id + 1 + rng.below(kThreads - 1)) % kThreads);
        std::lock_guard<std::mutex> g(g_mail[to].mu);
        g_mail[to].blocks.push_back(b);
      } else {
        live.push_back(b);
      }
    } else if (!live.empty()) {
      std::size_t k = rng.below(live.size());
      check_and_free(live[k]);
      live[k] = live.back();
      live.pop_back();
    }
    if ((i & 63) == 0) {
      std::vector<Block> in;
      {
        std::lock_guard<std::mutex> g(g_mail[id].mu);
        in.swap(g_mail[id].blocks);
      }
      for (auto& b : in) check_and_free(b);
    }
  }
  // Half the threads exit still owning live blocks; others free them in the next phase.
  if (id % 2 == 0) {
    std::lock_guard<std::mutex> g(g_orphan_mu);
    g_orphans.insert(g_orphans.end(), live.begin(), live.end());
  } else {
    for (auto& b : live) check_and_free(b);
  }
}

}  // namespace

TEST(Stress, ThreadsCrossFreeAndBoundedRss) {
  int phases = static_cast<int>(10 * scale());
  if (const char* e = std::getenv("ALLOCLAB_STRESS_PHASES")) phases = std::atoi(e);
  ASSERT_GE(phases, 4);
  const std::size_t ops = 60000, max_live = 1500;
  std::vector<long> rss;
  for (int phase = 0; phase < phases; ++phase) {
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) ts.emplace_back(worker, t, phase, ops, max_live);
    for (auto& t : ts) t.join();
    rss.push_back(rss_kib());
    ASSERT_EQ(g_corruptions.load(), 0) << "phase " << phase << ": " << g_first_report;
    ASSERT_EQ(g_null.load(), 0) << "malloc returned NULL";
  }
  // Blocks still in mailboxes and orphans: freed by the main thread.
  for (auto& m : g_mail) {
    for (auto& b : m.blocks) check_and_free(b);
    m.blocks.clear();
  }
  for (auto& b : g_orphans) check_and_free(b);
  g_orphans.clear();
  EXPECT_EQ(g_corruptions.load(), 0) << g_first_report;

  std::string trace;
  for (long r : rss) trace += std::to_string(r / 1024) + " ";
  RecordProperty("rss_mib_per_phase", trace);
  std::printf("RSS per phase (MiB): %s\n", trace.c_str());
  const long early = std::max(rss[0], rss[1]);
  const long bound = 2 * early + 32 * 1024;
  for (std::size_t i = rss.size() / 2; i < rss.size(); ++i)
    EXPECT_LT(rss[i], bound) << "RSS grows across phases (MiB per phase: " << trace << "): phase " << i << " has "
                             << rss[i] / 1024 << " MiB, bound 2 x " << early / 1024 << " + 32 MiB";
}

// Many short-lived threads, each leaving blocks behind for the main thread to free.
TEST(Stress, ManyShortLivedThreads) {
  const int rounds = static_cast<int>(40 * scale());
  std::vector<long> rss;
  for (int r = 0; r < rounds; ++r) {
    std::vector<Block> left[8];
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; ++t)
      ts.emplace_back([&, t] {
        Rng rng(static_cast<std::uint64_t>(r) * 64 + t);
        std::vector<Block> mine;
        for (int i = 0; i < 2000; ++i) {
          Block b = make_block(rng.size_log(8, 4096));
          if (!b.p) {
            g_null.fetch_add(1);
            continue;
          }
          mine.push_back(b);
          if (mine.size() > 200) {
            check_and_free(mine.front());
            mine.erase(mine.begin());
          }
        }
        left[t] = std::move(mine);  // still live when the thread exits
      });
    for (auto& t : ts) t.join();
    for (auto& v : left)
      for (auto& b : v) check_and_free(b);
    rss.push_back(rss_kib());
  }
  ASSERT_EQ(g_corruptions.load(), 0) << g_first_report;
  ASSERT_EQ(g_null.load(), 0);
  std::string trace;
  for (long v : rss) trace += std::to_string(v / 1024) + " ";
  std::printf("RSS per round (MiB): %s\n", trace.c_str());
  const long early = std::max(rss[0], rss[1]);
  EXPECT_LT(rss.back(), 2 * early + 32 * 1024)
      << "RSS after " << rounds << " rounds of short-lived threads: " << rss.back() / 1024 << " MiB, first rounds "
      << early / 1024 << " MiB";
}

// Memory freed by another thread is reused by its owner: the owner allocates ~48 MiB of small
// blocks, another thread frees them all, the owner churns on one object for a while (the
// pattern in which inline promotion can starve the generic path), then allocates the same
// again. The second round must not need ~48 MiB of new mappings or RSS.
TEST(Stress, CrossThreadFreedMemoryIsReused) {
  constexpr std::size_t kBytes = 48u << 20;
  long grew_mapped = 0, rss_peak = 0, rss_after = 0;
  bool ok = true, counters_read = false;
  std::thread owner([&] {
    Rng rng(77);
    std::vector<Block> blocks;
    std::size_t total = 0;
    while (total < kBytes) {
      Block b = make_block(rng.size_log(16, 1024));
      if (!b.p) {
        ok = false;
        return;
      }
      blocks.push_back(b);
      total += b.size;
    }
    rss_peak = rss_kib();
    std::thread freer([&] {
      for (auto& b : blocks) check_and_free(b);
    });
    freer.join();
    for (int i = 0; i < 300000; ++i) {
      auto* p = static_cast<volatile char*>(malloc(16));
      p[0] = 1;
      free(const_cast<char*>(p));
    }
    const OsCounters before = alloclab_os_counters();
    std::vector<Block> again;
    total = 0;
    Rng rng2(78);
    while (total < kBytes) {
      Block b = make_block(rng2.size_log(16, 1024));
      if (!b.p) {
        ok = false;
        return;
      }
      again.push_back(b);
      total += b.size;
    }
    const OsCounters after = alloclab_os_counters();
    rss_after = rss_kib();
    counters_read = before.bytes_mapped >= 0 && after.bytes_mapped >= 0;
    grew_mapped = after.bytes_mapped - before.bytes_mapped;
    for (auto& b : again) check_and_free(b);
  });
  owner.join();
  ASSERT_TRUE(ok) << "malloc returned NULL";
  ASSERT_EQ(g_corruptions.load(), 0) << g_first_report;
  std::printf("second round: bytes_mapped +%ld KiB, RSS %ld MiB after the first, %ld MiB after the second\n",
              grew_mapped / 1024, rss_peak / 1024, rss_after / 1024);
  ASSERT_TRUE(counters_read) << "alloclab_stats() gave no bytes_mapped: is an alloclab library preloaded?";
  EXPECT_LT(grew_mapped, static_cast<long>(kBytes / 2))
      << "re-allocating 48 MiB after another thread freed the same amount mapped " << grew_mapped / 1024
      << " KiB of new memory";
  // Purged memory may be faulted in again (RSS can drop and rise), but the second round
  // must not stack on top of the first.
  EXPECT_LT(rss_after - rss_peak, static_cast<long>(kBytes / 2 / 1024))
      << "RSS was " << rss_peak / 1024 << " MiB after the first round, " << rss_after / 1024
      << " MiB after re-allocating the memory another thread had freed";
}

// Threads die holding pages of one segment in many bin queues while other threads keep
// needing fresh pages and so reclaim abandoned segments as soon as they are published. The
// dying thread must not touch a segment after handing it over (it once published each
// segment mid-walk, so a reclaimer could take it while the walk still followed its pages).
TEST(Stress, ThreadExitRacesReclaim) {
  const int rounds = static_cast<int>(150 * scale());
  std::atomic<bool> stop{false};
  std::vector<std::thread> reclaimers;
  for (int t = 0; t < 3; ++t)
    reclaimers.emplace_back([&, t] {
      // A new thread's first allocation finds its heap without segments and reclaims one.
      for (int k = 0; !stop.load(std::memory_order_relaxed); ++k) {
        std::thread([&, k] {
          Rng rng(static_cast<std::uint64_t>(k) * 8 + t);
          Block b = make_block(rng.size_log(8, 1024));
          if (!b.p) {
            g_null.fetch_add(1);
            return;
          }
          check_and_free(b);
        }).join();
      }
    });
  for (int r = 0; r < rounds && g_corruptions.load() == 0; ++r) {
    std::vector<Block> left[4];
    std::vector<std::thread> diers;
    for (int t = 0; t < 4; ++t)
      diers.emplace_back([&, t] {
        // One live block in every small bin, a few times over: pages in ~130 queues, most
        // of them in the same segment, so the exit walk meets each segment many times.
        for (int k = 0; k < 3; ++k)
          for (std::size_t size = 8; size <= 1024; size += 8) {
            Block b = make_block(size);
            if (!b.p) {
              g_null.fetch_add(1);
              return;
            }
            left[t].push_back(b);
          }
      });
    for (auto& t : diers) t.join();
    for (auto& v : left)
      for (auto& b : v) check_and_free(b);
  }
  stop.store(true);
  for (auto& t : reclaimers) t.join();
  ASSERT_EQ(g_corruptions.load(), 0) << g_first_report;
  ASSERT_EQ(g_null.load(), 0);
}
