// api: the full C allocation API, as every variant must provide it (ALLOCATOR.md, "What every
// variant must pass"). Plain libc calls; the allocator is the LD_PRELOADed library.
#include <gtest/gtest.h>

#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "test_util.h"

using namespace alloclab::test;

namespace {

constexpr std::size_t kHugeSizes[] = {SIZE_MAX,
                                      SIZE_MAX - 1,
                                      SIZE_MAX - 4096,
                                      static_cast<std::size_t>(PTRDIFF_MAX) + 1,
                                      std::size_t{1} << 62,
                                      std::size_t{1} << 48};

bool aligned_to(const void* p, std::size_t a) { return (reinterpret_cast<std::uintptr_t>(p) & (a - 1)) == 0; }

// Writes the whole block (and the whole usable size), checks the pattern, frees it.
void exercise_block(void* p, std::size_t size, const char* what, std::size_t align = 16) {
  ASSERT_NE(p, nullptr) << what << " size " << size;
  EXPECT_TRUE(aligned_to(p, align)) << what << " size " << size << " returned " << p << ", not " << align
                                    << "-byte aligned";
  std::size_t usable = malloc_usable_size(p);
  EXPECT_GE(usable, size) << what << " size " << size;
  std::uint64_t seed = block_seed(p, size);
  fill_pattern(p, usable, seed);
  std::size_t bad = check_pattern(p, usable, seed);
  EXPECT_EQ(bad, SIZE_MAX) << what << " size " << size << ": byte " << bad << " of " << usable
                           << " did not keep its value";
  free(p);
}

// Sizes around every bin boundary up to 64 KiB: powers of two and the quarter steps between
// them (x1.25, x1.5, x1.75), each -1, exact, +1.
std::vector<std::size_t> bin_boundary_sizes() {
  std::vector<std::size_t> v;
  for (std::size_t p = 16; p <= 65536; p *= 2)
    for (std::size_t q = 0; q < 4; ++q) {
      std::size_t s = p + q * (p / 4);
      if (s > 65536 + 1) break;
      v.push_back(s - 1);
      v.push_back(s);
      v.push_back(s + 1);
    }
  return v;
}

}  // namespace

TEST(Api, MallocZeroIsNonNullAndFreeable) {
  for (int i = 0; i < 100; ++i) {
    void* p = malloc(opaque<std::size_t>(0));
    ASSERT_NE(p, nullptr) << "malloc(0) must return a unique non-null pointer";
    EXPECT_TRUE(aligned_to(p, 16));
    free(p);
  }
  // Distinct live malloc(0) results.
  void* a = malloc(opaque<std::size_t>(0));
  void* b = malloc(opaque<std::size_t>(0));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b) << "two live malloc(0) blocks share an address";
  free(a);
  free(b);
}

TEST(Api, FreeNullIsNoop) {
  free(opaque<void*>(nullptr));
  SUCCEED();
}

TEST(Api, HugeMallocFailsWithEnomem) {
  for (std::size_t s : kHugeSizes) {
    errno = 0;
    void* p = malloc(opaque(s));
    EXPECT_EQ(p, nullptr) << "malloc(" << s << ")";
    EXPECT_EQ(errno, ENOMEM) << "malloc(" << s << ")";
    free(p);
  }
}

TEST(Api, CallocOverflowFailsWithEnomem) {
  const std::size_t half = SIZE_MAX / 2 + 1;
  const std::pair<std::size_t, std::size_t> cases[] = {{half, 2},
                                                       {2, half},
                                                       {std::size_t{1} << 32, std::size_t{1} << 32},
                                                       {SIZE_MAX, SIZE_MAX},
                                                       {SIZE_MAX, 1},
                                                       {1, SIZE_MAX},
                                                       {(std::size_t{1} << 62), 4},
                                                       {65537, SIZE_MAX / 65536}};
  for (auto [n, s] : cases) {
    errno = 0;
    void* p = calloc(opaque(n), opaque(s));
    EXPECT_EQ(p, nullptr) << "calloc(" << n << ", " << s << ")";
    EXPECT_EQ(errno, ENOMEM) << "calloc(" << n << ", " << s << ")";
    free(p);
  }
}

TEST(Api, CallocZeroCountsAreFreeable) {
  free(calloc(opaque<std::size_t>(0), opaque<std::size_t>(0)));
  free(calloc(opaque<std::size_t>(0), opaque<std::size_t>(100)));
  free(calloc(opaque<std::size_t>(100), opaque<std::size_t>(0)));
  void* p = calloc(opaque<std::size_t>(7), opaque<std::size_t>(13));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(first_nonzero(p, 91), SIZE_MAX);
  free(p);
}

TEST(Api, ReallocarrayOverflowFailsWithEnomem) {
  void* p = malloc(64);
  ASSERT_NE(p, nullptr);
  fill_pattern(p, 64, 42);
  const std::size_t half = SIZE_MAX / 2 + 1;
  const std::pair<std::size_t, std::size_t> cases[] = {
      {half, 2}, {2, half}, {std::size_t{1} << 32, std::size_t{1} << 32}, {SIZE_MAX, SIZE_MAX}};
  for (auto [n, s] : cases) {
    errno = 0;
    void* q = reallocarray(p, opaque(n), opaque(s));
    EXPECT_EQ(q, nullptr) << "reallocarray(p, " << n << ", " << s << ")";
    EXPECT_EQ(errno, ENOMEM) << "reallocarray(p, " << n << ", " << s << ")";
    if (q) p = q;
  }
  // The original block is untouched by the failed calls.
  EXPECT_EQ(check_pattern(p, 64, 42), SIZE_MAX);
  errno = 0;
  void* r = reallocarray(nullptr, opaque<std::size_t>(SIZE_MAX), opaque<std::size_t>(3));
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(errno, ENOMEM);
  // A valid reallocarray grows and keeps content.
  void* g = reallocarray(p, opaque<std::size_t>(100), opaque<std::size_t>(40));
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(check_pattern(g, 64, 42), SIZE_MAX);
  EXPECT_GE(malloc_usable_size(g), 4000u);
  fill_pattern(g, 4000, 43);
  EXPECT_EQ(check_pattern(g, 4000, 43), SIZE_MAX);
  free(g);
  void* n = reallocarray(nullptr, opaque<std::size_t>(10), opaque<std::size_t>(10));
  exercise_block(n, 100, "reallocarray(NULL, 10, 10)");
}

TEST(Api, ReallocZeroFreesOrReturnsFreeable) {
  for (std::size_t s : {1, 64, 1000, 5000, 70000, 2 << 20}) {
    void* p = malloc(opaque<std::size_t>(s));
    ASSERT_NE(p, nullptr);
    memset(p, 0x5a, s);
    void* q = realloc(p, opaque<std::size_t>(0));
    // Either freed (NULL) or a valid minimal block that must be freeable.
    free(q);
  }
}

TEST(Api, ReallocNullActsAsMalloc) {
  for (std::size_t s : {0, 1, 16, 1024, 1025, 65536, 200000}) {
    void* p = realloc(opaque<void*>(nullptr), opaque<std::size_t>(s));
    ASSERT_NE(p, nullptr) << "realloc(NULL, " << s << ")";
    exercise_block(p, s, "realloc(NULL, n)");
  }
}

TEST(Api, ReallocGrowShrinkKeepsContent) {
  const std::size_t steps[] = {1,      8,    16,    24,    100,   512,    1024,    1025,          2048,
                               8192,   8193, 16000, 65536, 65537, 100000, 1 << 20, (3 << 20) + 5, 8 << 20,
                               100000, 4096, 1000,  24,    1,     300000, 17,      64 << 20,      33};
  for (int round = 0; round < 3; ++round) {
    std::size_t cur = steps[0];
    void* p = malloc(cur);
    ASSERT_NE(p, nullptr);
    std::uint64_t seed = 1000 + round;
    fill_pattern(p, cur, seed);
    for (std::size_t next : steps) {
      void* q = realloc(p, opaque(next));
      ASSERT_NE(q, nullptr) << "realloc to " << next;
      std::size_t keep = cur < next ? cur : next;
      std::size_t bad = check_pattern(q, keep, seed);
      ASSERT_EQ(bad, SIZE_MAX) << "realloc " << cur << " -> " << next << " lost byte " << bad;
      EXPECT_GE(malloc_usable_size(q), next);
      EXPECT_TRUE(aligned_to(q, 16));
      seed = mix64(seed);
      fill_pattern(q, next, seed);
      p = q;
      cur = next;
    }
    free(p);
  }
}

TEST(Api, ReallocHugeFailsAndKeepsBlock) {
  for (std::size_t s0 : {32, 5000, 300000}) {
    void* p = malloc(s0);
    ASSERT_NE(p, nullptr);
    fill_pattern(p, s0, s0);
    for (std::size_t s : kHugeSizes) {
      errno = 0;
      void* q = realloc(p, opaque(s));
      EXPECT_EQ(q, nullptr) << "realloc(p, " << s << ")";
      EXPECT_EQ(errno, ENOMEM) << "realloc(p, " << s << ")";
      if (q) p = q;
    }
    EXPECT_EQ(check_pattern(p, s0, s0), SIZE_MAX) << "failed realloc damaged the block";
    free(p);
  }
}

TEST(Api, EverySizeUpTo2048) {
  for (std::size_t s = 0; s <= 2048; ++s) {
    exercise_block(malloc(opaque(s)), s, "malloc");
    if (HasFailure()) return;
  }
  // Same sizes, all live at once (blocks of neighbouring sizes must not overlap).
  std::vector<void*> live;
  for (std::size_t s = 0; s <= 2048; ++s) {
    void* p = malloc(opaque(s));
    ASSERT_NE(p, nullptr);
    fill_pattern(p, s, block_seed(p, s));
    live.push_back(p);
  }
  for (std::size_t s = 0; s <= 2048; ++s) {
    EXPECT_EQ(check_pattern(live[s], s, block_seed(live[s], s)), SIZE_MAX)
        << "block of size " << s << " was overwritten";
    free(live[s]);
  }
}

TEST(Api, BinBoundarySizes) {
  auto sizes = bin_boundary_sizes();
  for (std::size_t s : sizes) exercise_block(malloc(opaque(s)), s, "malloc");
  std::vector<void*> live;
  for (int rep = 0; rep < 3; ++rep)
    for (std::size_t s : sizes) {
      void* p = malloc(opaque(s));
      ASSERT_NE(p, nullptr);
      fill_pattern(p, s, block_seed(p, s));
      live.push_back(p);
    }
  std::size_t i = 0;
  for (int rep = 0; rep < 3; ++rep)
    for (std::size_t s : sizes) {
      void* p = live[i++];
      EXPECT_EQ(check_pattern(p, s, block_seed(p, s)), SIZE_MAX) << "size " << s;
      free(p);
    }
}

TEST(Api, LargeAndHugeBlocks) {
  const std::size_t sizes[] = {100 << 10, 1 << 20, 3 << 20, 8 << 20, 64 << 20, (1 << 20) + 1, (8 << 20) - 1, 513 << 10};
  for (std::size_t s : sizes) exercise_block(malloc(opaque(s)), s, "malloc(large)");
  // Several live at once.
  std::vector<void*> live;
  for (std::size_t s : sizes) {
    void* p = malloc(opaque(s));
    ASSERT_NE(p, nullptr);
    fill_pattern(p, s, block_seed(p, s));
    live.push_back(p);
  }
  for (std::size_t k = 0; k < live.size(); ++k) {
    EXPECT_EQ(check_pattern(live[k], sizes[k], block_seed(live[k], sizes[k])), SIZE_MAX);
    free(live[k]);
  }
}

TEST(Api, MallocUsableSize) {
  EXPECT_EQ(malloc_usable_size(opaque<void*>(nullptr)), 0u);
  for (std::size_t s : {0,    1,    7,    8,    9,     15,    16,    17,     100,     1000,   1024,
                        1025, 4000, 8192, 8193, 60000, 65536, 65537, 100000, 1 << 20, 5 << 20}) {
    void* p = malloc(opaque<std::size_t>(s));
    ASSERT_NE(p, nullptr);
    std::size_t u = malloc_usable_size(p);
    EXPECT_GE(u, static_cast<std::size_t>(s)) << "malloc_usable_size for size " << s;
    memset(p, 0xcd, u);  // the whole usable size belongs to the caller
    free(p);
  }
}

TEST(Api, MallocIs16ByteAligned) {
  std::vector<void*> live;
  for (std::size_t s = 0; s <= 4096; s += (s < 256 ? 1 : 17)) {
    for (int k = 0; k < 3; ++k) {
      void* p = malloc(opaque(s));
      ASSERT_NE(p, nullptr);
      EXPECT_TRUE(aligned_to(p, 16)) << "malloc(" << s << ") = " << p;
      live.push_back(p);
    }
  }
  for (void* p : live) free(p);
}

// ---- aligned allocation -------------------------------------------------------------------

namespace {
std::vector<std::size_t> sizes_for_alignment(std::size_t a) {
  return {0, 1, 8, 24, 100, a / 2, a - 1, a, a + 1, 3 * a + 17, 5000};
}
}  // namespace

TEST(Api, PosixMemalignEveryPowerOfTwo) {
  for (std::size_t a = 8; a <= (1u << 20); a *= 2)
    for (std::size_t s : sizes_for_alignment(a)) {
      void* p = reinterpret_cast<void*>(1);
      int rc = posix_memalign(&p, opaque(a), opaque(s));
      ASSERT_EQ(rc, 0) << "posix_memalign(" << a << ", " << s << ")";
      exercise_block(p, s, "posix_memalign", a);
    }
}

TEST(Api, AlignedAllocEveryPowerOfTwo) {
  for (std::size_t a = 1; a <= (1u << 20); a *= 2)
    for (std::size_t s : sizes_for_alignment(a)) {
      errno = 0;
      void* p = aligned_alloc(opaque(a), opaque(s));
      ASSERT_NE(p, nullptr) << "aligned_alloc(" << a << ", " << s << ") errno " << errno;
      exercise_block(p, s, "aligned_alloc", a);
    }
}

TEST(Api, MemalignEveryPowerOfTwo) {
  for (std::size_t a = 1; a <= (1u << 20); a *= 2)
    for (std::size_t s : sizes_for_alignment(a)) {
      void* p = memalign(opaque(a), opaque(s));
      ASSERT_NE(p, nullptr) << "memalign(" << a << ", " << s << ")";
      exercise_block(p, s, "memalign", a);
    }
}

TEST(Api, AlignedBlocksLiveTogether) {
  // Many aligned blocks of mixed alignments live at the same time, then freed in another order.
  struct B {
    void* p;
    std::size_t a, s;
  };
  std::vector<B> live;
  Rng rng(7);
  for (int i = 0; i < 600; ++i) {
    std::size_t a = std::size_t{8} << rng.below(i % 50 == 0 ? 18 : 10);
    std::size_t s = rng.size_log(1, 20000);
    void* p = nullptr;
    ASSERT_EQ(posix_memalign(&p, a, s), 0);
    ASSERT_TRUE(aligned_to(p, a));
    fill_pattern(p, s, block_seed(p, s));
    live.push_back({p, a, s});
  }
  for (std::size_t i = 0; i < live.size(); i += 2) {
    EXPECT_EQ(check_pattern(live[i].p, live[i].s, block_seed(live[i].p, live[i].s)), SIZE_MAX);
    free(live[i].p);
  }
  for (std::size_t i = 1; i < live.size(); i += 2) {
    EXPECT_EQ(check_pattern(live[i].p, live[i].s, block_seed(live[i].p, live[i].s)), SIZE_MAX);
    // realloc of an aligned block keeps content
    void* q = realloc(live[i].p, live[i].s * 2 + 1);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(check_pattern(q, live[i].s, block_seed(live[i].p, live[i].s)), SIZE_MAX);
    free(q);
  }
}

TEST(Api, VallocAndPvalloc) {
  const long page = sysconf(_SC_PAGESIZE);
  ASSERT_GT(page, 0);
  const std::size_t pg = static_cast<std::size_t>(page);
  for (std::size_t s : {std::size_t{0}, std::size_t{1}, std::size_t{100}, pg - 1, pg, pg + 1, 3 * pg + 5,
                        std::size_t{100000}, std::size_t{3} << 20}) {
    void* v = valloc(opaque(s));
    ASSERT_NE(v, nullptr) << "valloc(" << s << ")";
    exercise_block(v, s, "valloc", pg);
    void* p = pvalloc(opaque(s));
    ASSERT_NE(p, nullptr) << "pvalloc(" << s << ")";
    std::size_t rounded = (s + pg - 1) / pg * pg;
    // pvalloc rounds the size up to whole pages: all of it is usable.
    exercise_block(p, rounded, "pvalloc", pg);
  }
}

TEST(Api, InvalidAlignmentsAreEinval) {
  // posix_memalign: not a power of two, or smaller than sizeof(void*) -> returns EINVAL.
  for (std::size_t a : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{3}, std::size_t{12},
                        std::size_t{24}, std::size_t{48}, std::size_t{1000}, std::size_t{4097},
                        (std::size_t{1} << 20) + 8, SIZE_MAX, (SIZE_MAX >> 1) + 2}) {
    void* p = reinterpret_cast<void*>(0x1234);
    int rc = posix_memalign(&p, opaque(a), opaque<std::size_t>(64));
    EXPECT_EQ(rc, EINVAL) << "posix_memalign(alignment " << a << ")";
    if (rc == 0) free(p);
  }
  // aligned_alloc / memalign: alignment 0 or not a power of two -> NULL with errno EINVAL.
  for (std::size_t a : {std::size_t{0}, std::size_t{3}, std::size_t{12}, std::size_t{24}, std::size_t{48},
                        std::size_t{1000}, std::size_t{4097}, (std::size_t{1} << 20) + 8, SIZE_MAX}) {
    errno = 0;
    void* p = aligned_alloc(opaque(a), opaque<std::size_t>(64));
    EXPECT_EQ(p, nullptr) << "aligned_alloc(alignment " << a << ")";
    EXPECT_EQ(errno, EINVAL) << "aligned_alloc(alignment " << a << ")";
    free(p);
    errno = 0;
    p = memalign(opaque(a), opaque<std::size_t>(64));
    EXPECT_EQ(p, nullptr) << "memalign(alignment " << a << ")";
    EXPECT_EQ(errno, EINVAL) << "memalign(alignment " << a << ")";
    free(p);
  }
}

TEST(Api, AlignedHugeSizesFailWithEnomem) {
  for (std::size_t a : {std::size_t{16}, std::size_t{4096}, std::size_t{1} << 20})
    for (std::size_t s : kHugeSizes) {
      void* p = nullptr;
      int rc = posix_memalign(&p, opaque(a), opaque(s));
      EXPECT_EQ(rc, ENOMEM) << "posix_memalign(" << a << ", " << s << ")";
      if (rc == 0) free(p);
      errno = 0;
      p = aligned_alloc(opaque(a), opaque(s));
      EXPECT_EQ(p, nullptr) << "aligned_alloc(" << a << ", " << s << ")";
      EXPECT_EQ(errno, ENOMEM) << "aligned_alloc(" << a << ", " << s << ")";
      free(p);
      errno = 0;
      p = memalign(opaque(a), opaque(s));
      EXPECT_EQ(p, nullptr) << "memalign(" << a << ", " << s << ")";
      EXPECT_EQ(errno, ENOMEM) << "memalign(" << a << ", " << s << ")";
      free(p);
    }
  for (std::size_t s : kHugeSizes) {
    errno = 0;
    void* p = valloc(opaque(s));
    EXPECT_EQ(p, nullptr) << "valloc(" << s << ")";
    EXPECT_EQ(errno, ENOMEM) << "valloc(" << s << ")";
    free(p);
    errno = 0;
    p = pvalloc(opaque(s));
    EXPECT_EQ(p, nullptr) << "pvalloc(" << s << ")";
    EXPECT_EQ(errno, ENOMEM) << "pvalloc(" << s << ")";
    free(p);
  }
}
