// churn: the seven churn tests of the original work (shared/seed: churn-page-reuse,
// churn-memory-integrity, churn-calloc-zero, single-object-churn, multi-size-churn,
// multi-page-small-churn, churn-realloc), re-expressed against the plain C API. Each runs
// enough cycles to go through page retirement, freeing and re-use many times.
#include <gtest/gtest.h>

#include <malloc.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;

namespace {

constexpr std::uintptr_t kPageMask = ~std::uintptr_t{0xFFFF};  // 64 KiB small pages

std::uintptr_t page_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p) & kPageMask; }

std::string describe(const std::set<std::uintptr_t>& s) {
  std::string out;
  char buf[32];
  for (auto v : s) {
    std::snprintf(buf, sizeof buf, "%#lx ", static_cast<unsigned long>(v));
    out += buf;
  }
  return out;
}

}  // namespace

// Allocate a page's worth of 64 B blocks, free them all, allocate again: the second round
// uses pages of the first (the same page is reused, no new memory). Repeated many times.
// A warm-up first lets pages that earlier tests (and gtest) left retired expire: their
// slots may legitimately be handed out again, which would look like "new pages" here.
TEST(Churn, PageReuse) {
  constexpr std::size_t kSize = 64, kCount = 65536 / kSize;
  std::vector<void*> v(kCount);
  auto cycle = [&](std::size_t c, std::set<std::uintptr_t>& pages, int order) {
    for (std::size_t i = 0; i < kCount; ++i) {
      v[i] = malloc(kSize);
      ASSERT_NE(v[i], nullptr);
      memset(v[i], static_cast<int>(i + c), kSize);
      pages.insert(page_of(v[i]));
    }
    for (std::size_t i = 0; i < kCount; ++i) {
      const auto* b = static_cast<const unsigned char*>(v[i]);
      ASSERT_TRUE(b[0] == static_cast<unsigned char>(i + c) && b[kSize - 1] == static_cast<unsigned char>(i + c))
          << "cycle " << c << " block " << i << " was overwritten";
    }
    // Alternate free orders: allocation order, reverse, odd/even.
    if (order % 3 == 0) {
      for (void* p : v) free(p);
    } else if (order % 3 == 1) {
      for (auto it = v.rbegin(); it != v.rend(); ++it) free(*it);
    } else {
      for (std::size_t i = 0; i < kCount; i += 2) free(v[i]);
      for (std::size_t i = 1; i < kCount; i += 2) free(v[i]);
    }
  };
  for (std::size_t c = 0; c < 100; ++c) {
    std::set<std::uintptr_t> warm;
    cycle(c, warm, 0);
    if (HasFatalFailure()) return;
  }
  std::set<std::uintptr_t> first;
  cycle(0, first, 0);
  if (HasFatalFailure()) return;
  const OsCounters os0 = alloclab_os_counters();
  const std::size_t cycles = scaled(400);
  for (std::size_t c = 1; c <= cycles; ++c) {
    std::set<std::uintptr_t> now;
    cycle(c, now, static_cast<int>(c));
    if (HasFatalFailure()) return;
    ASSERT_TRUE(std::includes(first.begin(), first.end(), now.begin(), now.end()))
        << "cycle " << c << ": re-allocation used new pages.\n first cycle's pages: " << describe(first)
        << "\n this cycle's pages:  " << describe(now);
  }
  const OsCounters os1 = alloclab_os_counters();
  EXPECT_EQ(os1.bytes_mapped, os0.bytes_mapped) << "the churn mapped new memory";
  EXPECT_EQ(os1.segments_mapped, os0.segments_mapped) << "the churn mapped new segments";
}

// Memory stays writable/readable across churn cycles: every block holds its own pattern
// until it is freed, whatever the order of frees and the sizes around it.
TEST(Churn, MemoryIntegrity) {
  Rng rng(1);
  struct B {
    void* p;
    std::size_t s;
    std::uint64_t seed;
  };
  std::vector<B> live;
  const std::size_t cycles = scaled(300);
  std::size_t ops = 0;
  for (std::size_t c = 0; c < cycles; ++c) {
    std::size_t target = 200 + rng.below(1500);
    while (live.size() < target) {
      std::size_t s = rng.below(8) == 0 ? rng.size_log(1, 16384) : 8 + 8 * rng.below(64);
      void* p = malloc(s);
      ASSERT_NE(p, nullptr);
      std::uint64_t seed = block_seed(p, s, c);
      fill_pattern(p, s, seed);
      live.push_back({p, s, seed});
      ++ops;
    }
    // Free a random 60-100 % of the blocks, checking each.
    std::size_t keep = live.size() * rng.below(41) / 100;
    for (std::size_t i = live.size(); i > 1; --i) std::swap(live[i - 1], live[rng.below(i)]);
    while (live.size() > keep) {
      B b = live.back();
      live.pop_back();
      std::size_t bad = check_pattern(b.p, b.s, b.seed);
      ASSERT_EQ(bad, SIZE_MAX) << "cycle " << c << ": block " << b.p << " of size " << b.s << " corrupted at byte "
                               << bad;
      free(b.p);
      ++ops;
    }
  }
  for (auto& b : live) {
    ASSERT_EQ(check_pattern(b.p, b.s, b.seed), SIZE_MAX);
    free(b.p);
  }
  RecordProperty("ops", static_cast<int>(ops));
}

// calloc returns zeroed memory after dirty churn of the same size.
TEST(Churn, CallocZero) {
  const std::size_t cycles = scaled(2000);
  for (std::size_t s : {16u, 64u, 256u, 1024u}) {
    const std::size_t n = std::min<std::size_t>(300, 3 * 65536 / s);
    std::vector<void*> v(n);
    for (std::size_t c = 0; c < cycles / (s / 16 + 1) + 50; ++c) {
      for (auto& p : v) {
        p = malloc(s);
        ASSERT_NE(p, nullptr);
        memset(p, 0xAB, s);
      }
      for (std::size_t i = 0; i < n; i += 2) free(v[i]);  // half, dirty
      for (std::size_t i = 0; i < n; i += 2) {
        v[i] = calloc(1, s);
        ASSERT_NE(v[i], nullptr);
        std::size_t off = first_nonzero(v[i], s);
        ASSERT_EQ(off, SIZE_MAX) << "cycle " << c << " size " << s << ": calloc'd block " << v[i] << " non-zero at "
                                 << off;
        memset(v[i], 0xAB, s);
      }
      for (std::size_t i = n; i-- > 0;) free(v[i]);
      void* z = calloc(s, 1);  // straight after an all-free
      ASSERT_NE(z, nullptr);
      ASSERT_EQ(first_nonzero(z, s), SIZE_MAX) << "cycle " << c << " size " << s;
      free(z);
    }
  }
}

// Extreme churn on one object: malloc, write, check, free, a million times per size.
TEST(Churn, SingleObject) {
  const std::size_t iters = scaled(1000000);
  for (std::size_t s : {16u, 64u, 1000u}) {
    const std::size_t n = s == 16 ? iters : iters / 4;
    for (std::size_t i = 0; i < n; ++i) {
      auto* p = static_cast<std::uint64_t*>(malloc(s));
      ASSERT_NE(p, nullptr);
      p[0] = i;
      p[s / 8 - 1] = ~i;
      ASSERT_TRUE(p[0] == i && p[s / 8 - 1] == ~i) << "iteration " << i;
      free(p);
    }
  }
  // One object held across a ping-pong of another.
  auto* held = static_cast<std::uint64_t*>(malloc(16));
  ASSERT_NE(held, nullptr);
  held[0] = 0x1122334455667788ull;
  held[1] = 0x99aabbccddeeff00ull;
  for (std::size_t i = 0; i < iters / 2; ++i) {
    auto* p = static_cast<std::uint64_t*>(malloc(16));
    ASSERT_NE(p, nullptr);
    ASSERT_NE(static_cast<void*>(p), static_cast<void*>(held));
    p[0] = p[1] = i;
    free(p);
  }
  EXPECT_EQ(held[0], 0x1122334455667788ull);
  EXPECT_EQ(held[1], 0x99aabbccddeeff00ull);
  free(held);
}

// Interleaved churn across size classes in a fixed number of slots; every block is checked
// before it is replaced.
TEST(Churn, MultiSize) {
  Rng rng(3);
  constexpr std::size_t kSlots = 2048;
  std::vector<void*> p(kSlots, nullptr);
  std::vector<std::size_t> sz(kSlots, 0);
  static constexpr std::size_t kSizes[] = {8,   16,  24,   32,   48,   64,   80,   96,    128,   160,   256,   384,
                                           512, 768, 1024, 1500, 2048, 4096, 8192, 12000, 30000, 65536, 100000};
  const std::size_t ops = scaled(1000000);
  for (std::size_t i = 0; i < ops; ++i) {
    std::size_t k = rng.below(kSlots);
    if (p[k]) {
      std::size_t bad = check_pattern(p[k], sz[k], block_seed(p[k], sz[k]));
      ASSERT_EQ(bad, SIZE_MAX) << "op " << i << ": block of size " << sz[k] << " corrupted at " << bad;
      free(p[k]);
    }
    std::size_t cls = rng.below(100) < 97 ? rng.below(17) : 17 + rng.below(6);
    std::size_t s = kSizes[cls] - rng.below(kSizes[cls] / 8 + 1);
    p[k] = malloc(s);
    ASSERT_NE(p[k], nullptr);
    sz[k] = s;
    fill_pattern(p[k], s, block_seed(p[k], s));
  }
  for (std::size_t k = 0; k < kSlots; ++k) {
    ASSERT_EQ(check_pattern(p[k], sz[k], block_seed(p[k], sz[k])), SIZE_MAX);
    free(p[k]);
  }
}

// Several pages' worth of small blocks allocated, freed (in varying orders) and allocated
// again: integrity, and the number of pages in use per cycle stays what the first cycle
// needed (retained pages must be reused, not added to).
TEST(Churn, MultiPageSmall) {
  Rng rng(9);
  for (std::size_t s : {16u, 64u, 256u}) {
    const std::size_t n = 4 * 65536 / s;  // four pages' worth
    std::vector<void*> v(n);
    std::size_t first_pages = 0;
    const std::size_t cycles = scaled(s == 16 ? 60 : 200);
    for (std::size_t c = 0; c < cycles; ++c) {
      std::set<std::uintptr_t> pages;
      for (std::size_t i = 0; i < n; ++i) {
        v[i] = malloc(s);
        ASSERT_NE(v[i], nullptr);
        fill_pattern(v[i], s, block_seed(v[i], s, c));
        pages.insert(page_of(v[i]));
      }
      if (c == 0) first_pages = pages.size();
      ASSERT_LE(pages.size(), first_pages + 2)
          << "size " << s << " cycle " << c << ": the same live set spans more pages";
      // Free some in the middle and re-allocate them (partially used pages).
      for (std::size_t i = n / 4; i < n / 2; ++i) {
        ASSERT_EQ(check_pattern(v[i], s, block_seed(v[i], s, c)), SIZE_MAX);
        free(v[i]);
      }
      for (std::size_t i = n / 4; i < n / 2; ++i) {
        v[i] = malloc(s);
        ASSERT_NE(v[i], nullptr);
        fill_pattern(v[i], s, block_seed(v[i], s, c));
      }
      switch (c % 4) {
        case 0: break;
        case 1: std::reverse(v.begin(), v.end()); break;
        case 2:
          std::stable_partition(v.begin(), v.end(),
                                [&](void* p) { return (reinterpret_cast<std::uintptr_t>(p) / s) % 2; });
          break;
        default:
          for (std::size_t i = n; i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
      }
      for (void* p : v) {
        std::size_t bad = check_pattern(p, s, block_seed(p, s, c));
        ASSERT_EQ(bad, SIZE_MAX) << "size " << s << " cycle " << c << ": " << p << " corrupted at " << bad;
        free(p);
      }
    }
  }
}

// Churn combined with realloc: growing and shrinking blocks keep their content.
TEST(Churn, Realloc) {
  Rng rng(21);
  constexpr std::size_t kSlots = 512;
  std::vector<void*> p(kSlots, nullptr);
  std::vector<std::size_t> sz(kSlots, 0);
  std::vector<std::uint64_t> seed(kSlots, 0);
  const std::size_t ops = scaled(300000);
  for (std::size_t i = 0; i < ops; ++i) {
    std::size_t k = rng.below(kSlots);
    std::size_t r = rng.below(10);
    if (!p[k] || r == 0) {
      if (p[k]) {
        ASSERT_EQ(check_pattern(p[k], sz[k], seed[k]), SIZE_MAX);
        free(p[k]);
      }
      sz[k] = rng.size_log(1, 2048);
      p[k] = malloc(sz[k]);
      ASSERT_NE(p[k], nullptr);
      seed[k] = mix64(i);
      fill_pattern(p[k], sz[k], seed[k]);
      continue;
    }
    // Grow (mostly small steps, sometimes across a page kind) or shrink.
    std::size_t ns;
    if (r < 6)
      ns = sz[k] + 1 + rng.below(sz[k] / 2 + 16);
    else if (r < 9)
      ns = sz[k] / 2 + rng.below(sz[k] / 2 + 1);
    else
      ns = rng.size_log(1, 300000);
    if (ns > 400000) ns = rng.size_log(1, 1024);
    if (ns == 0) ns = 1;  // realloc(p, 0) frees: not what this test is about
    void* q = realloc(p[k], ns);
    ASSERT_NE(q, nullptr);
    std::size_t keep = std::min(sz[k], ns);
    std::size_t bad = check_pattern(q, keep, seed[k]);
    ASSERT_EQ(bad, SIZE_MAX) << "op " << i << ": realloc " << sz[k] << " -> " << ns << " lost content at byte " << bad;
    // Re-fill only the new tail, keep the old pattern in the prefix.
    if (ns > keep) fill_pattern_from(q, keep, ns, seed[k]);
    p[k] = q;
    sz[k] = ns;
  }
  for (std::size_t k = 0; k < kSlots; ++k) {
    if (p[k]) {
      EXPECT_EQ(check_pattern(p[k], sz[k], seed[k]), SIZE_MAX);
    }
    free(p[k]);
  }
}
