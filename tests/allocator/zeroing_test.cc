// zeroing: calloc memory is zero after any churn. This is the regression the list changes
// (inline_promotion, list_swap, hysteresis' promotion on retire) risk: freed, dirty blocks
// entering a page's `free` list must clear `free_is_zero`.
#include <gtest/gtest.h>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;

namespace {

// One size per word-size class up to 1 KiB, then every bin boundary (±1) up to 64 KiB.
std::vector<std::size_t> size_classes() {
  std::vector<std::size_t> v;
  for (std::size_t s = 1; s <= 1024; s += 8) v.push_back(s + 7 > 1024 ? 1024 : s + 7);
  v.push_back(1);
  v.push_back(9);
  for (std::size_t p = 1024; p <= 65536; p *= 2)
    for (std::size_t q = 0; q < 4; ++q) {
      std::size_t s = p + q * (p / 4);
      if (s > 65536) break;
      v.push_back(s - 1);
      v.push_back(s);
      if (s + 1 <= 65536) v.push_back(s + 1);
    }
  return v;
}

std::size_t blocks_for(std::size_t s) {
  // About three pages' worth of blocks, so the churn spans several pages of the class.
  std::size_t n = (3 * 65536) / (s ? s : 1);
  if (s > 8192) n = (3 * 512 * 1024) / s;
  return std::clamp<std::size_t>(n, 8, 700);
}

void free_in_order(std::vector<void*>& v, int order, Rng& rng) {
  switch (order % 4) {
    case 0:
      for (void* p : v) free(p);
      break;
    case 1:
      for (auto it = v.rbegin(); it != v.rend(); ++it) free(*it);
      break;
    case 2:
      for (std::size_t i = 0; i < v.size(); i += 2) free(v[i]);
      for (std::size_t i = 1; i < v.size(); i += 2) free(v[i]);
      break;
    default:
      for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
      for (void* p : v) free(p);
  }
  v.clear();
}

// Fills `n` freshly malloc'd blocks of size s with 0xAB and frees them in some order.
void dirty_churn(std::size_t s, std::size_t n, int rounds, Rng& rng) {
  std::vector<void*> v;
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      void* p = malloc(s);
      ASSERT_NE(p, nullptr);
      memset(p, 0xAB, s);
      v.push_back(p);
    }
    free_in_order(v, r + static_cast<int>(s), rng);
  }
}

::testing::AssertionResult all_zero(void* p, std::size_t s, const char* what) {
  if (!p) return ::testing::AssertionFailure() << what << ": calloc returned NULL for size " << s;
  std::size_t off = first_nonzero(p, s);
  if (off == SIZE_MAX) return ::testing::AssertionSuccess();
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char*>(p)[off]);
  return ::testing::AssertionFailure() << what << ": calloc(1, " << s << ") = " << p << " has byte " << byte
                                       << " at offset " << off;
}

}  // namespace

TEST(Zeroing, CallocAfterDirtyChurnEverySizeClass) {
  Rng rng(11);
  for (std::size_t s : size_classes()) {
    std::size_t n = blocks_for(s);
    dirty_churn(s, n, 4, rng);
    if (HasFatalFailure()) return;
    // calloc everything back: the dirty blocks come back zeroed.
    std::vector<void*> c;
    for (std::size_t i = 0; i < n + n / 2; ++i) {
      void* p = calloc(1, s);
      ASSERT_TRUE(all_zero(p, s, "after dirty churn"));
      memset(p, 0xAB, s);
      c.push_back(p);
    }
    // Free half (dirty), calloc again while the page is partly in use: mixes free/local_free.
    for (std::size_t i = 0; i < c.size(); i += 2) free(c[i]);
    for (std::size_t i = 0; i < c.size(); i += 2) {
      c[i] = calloc(s, 1);
      ASSERT_TRUE(all_zero(c[i], s, "after partial free"));
      memset(c[i], 0xAB, s);
    }
    free_in_order(c, 3, rng);
  }
}

TEST(Zeroing, CallocPingPong) {
  // Free one dirty block, calloc the same size at once: the just-freed block is the first
  // candidate for inline promotion / list swap.
  for (std::size_t s : {16u, 24u, 32u, 64u, 100u, 128u, 512u, 1024u, 2048u, 8192u, 20000u}) {
    for (int i = 0; i < 20000; ++i) {
      void* p = malloc(s);
      ASSERT_NE(p, nullptr);
      memset(p, 0xAB, s);
      free(p);
      void* q = calloc(1, s);
      ASSERT_TRUE(all_zero(q, s, "ping-pong"));
      memset(q, 0xCD, s);
      free(q);
    }
  }
}

TEST(Zeroing, CallocInterleavedWithDirtyFrees) {
  // A working set where every step frees a dirty block and callocs a new one.
  Rng rng(5);
  for (std::size_t s : {8u, 16u, 48u, 64u, 80u, 256u, 1000u, 1500u, 4096u, 9000u}) {
    std::vector<void*> slots(512, nullptr);
    for (int step = 0; step < 60000; ++step) {
      std::size_t k = rng.below(slots.size());
      free(slots[k]);
      if (rng.below(3) == 0) {
        slots[k] = calloc(1, s);
        ASSERT_TRUE(all_zero(slots[k], s, "interleaved"));
      } else {
        slots[k] = malloc(s);
        ASSERT_NE(slots[k], nullptr);
      }
      memset(slots[k], 0xAB, s);
    }
    for (void* p : slots) free(p);
  }
}

TEST(Zeroing, CallocAfterReallocChurn) {
  Rng rng(17);
  std::vector<void*> v;
  std::vector<std::size_t> sz;
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 300; ++i) {
      std::size_t s = rng.size_log(1, 70000);
      void* p = malloc(s);
      ASSERT_NE(p, nullptr);
      memset(p, 0xAB, s);
      for (int k = 0; k < 3; ++k) {
        std::size_t t = rng.size_log(1, 70000);
        p = realloc(p, t);
        ASSERT_NE(p, nullptr);
        memset(p, 0xAB, t);
        s = t;
      }
      v.push_back(p);
      sz.push_back(s);
    }
    for (void* p : v) free(p);
    v.clear();
    for (int i = 0; i < 300; ++i) {
      std::size_t s = sz[static_cast<std::size_t>(i)];
      void* p = calloc(1, s);
      ASSERT_TRUE(all_zero(p, s, "after realloc churn"));
      memset(p, 0xAB, s);
      v.push_back(p);
    }
    for (void* p : v) free(p);
    v.clear();
    sz.clear();
  }
}

TEST(Zeroing, CallocAfterCrossThreadDirtyFrees) {
  // Blocks dirtied and freed by another thread come back through thread_free.
  for (std::size_t s : {16u, 64u, 200u, 1024u, 3000u, 12000u}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<void*> v;
      for (int i = 0; i < 400; ++i) {
        void* p = malloc(s);
        ASSERT_NE(p, nullptr);
        v.push_back(p);
      }
      std::thread t([&] {
        for (void* p : v) {
          memset(p, 0xAB, s);
          free(p);
        }
      });
      t.join();
      std::vector<void*> c;
      for (int i = 0; i < 600; ++i) {
        void* p = calloc(1, s);
        ASSERT_TRUE(all_zero(p, s, "after cross-thread frees"));
        memset(p, 0xAB, s);
        c.push_back(p);
      }
      for (void* p : c) free(p);
    }
  }
}

TEST(Zeroing, LargeCallocAfterDirtyLargeFree) {
  for (std::size_t s : {70000u, 100000u, 600000u, 1u << 20, 3u << 20, 9u << 20}) {
    for (int i = 0; i < 6; ++i) {
      void* p = malloc(s);
      ASSERT_NE(p, nullptr);
      memset(p, 0xAB, s);
      free(p);
      void* q = calloc(s / 8, 8);
      ASSERT_TRUE(all_zero(q, s, "large"));
      memset(q, 0xAB, s);
      free(q);
    }
  }
}

TEST(Zeroing, CallocAfterFreshPageEmptiesExactly) {
  // A fresh page (free_is_zero) whose extended blocks are all handed out (free == NULL),
  // dirtied and freed: the page empties while its blocks sit in local_free. Whatever moves
  // them into `free` now (retire promotion, inline promotion, collect) must clear
  // free_is_zero. Each trial runs in a new thread so that it starts on fresh pages; the
  // count N tries the likely extension sizes (4096/size, MIN_EXTEND 4 or 8, ...).
  const std::size_t sizes[] = {16, 32, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192};
  for (int kind = 0; kind < 5; ++kind) {
    std::string failure;
    std::thread t([&] {
      for (std::size_t s : sizes) {
        std::size_t n = kind == 0   ? std::max<std::size_t>(4096 / s, 1)
                        : kind == 1 ? 4
                        : kind == 2 ? 8
                        : kind == 3 ? 16
                                    : 2 * std::max<std::size_t>(4096 / s, 4);
        std::vector<void*> v;
        for (std::size_t i = 0; i < n; ++i) {
          void* p = malloc(s);
          if (!p) {
            failure = "malloc failed";
            return;
          }
          memset(p, 0xAB, s);
          v.push_back(p);
        }
        for (auto it = v.rbegin(); it != v.rend(); ++it) free(*it);
        v.clear();
        for (std::size_t i = 0; i <= n; ++i) {
          void* p = calloc(1, s);
          auto r = all_zero(p, s, "fresh page emptied");
          if (!r) {
            failure = std::string(r.message()) + " (N = " + std::to_string(n) + ", block " + std::to_string(i) + ")";
            return;
          }
          v.push_back(p);
        }
        for (void* p : v) free(p);
      }
    });
    t.join();
    ASSERT_TRUE(failure.empty()) << failure;
  }
}
