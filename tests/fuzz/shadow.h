// shadow.h — the fuzzer's model of what the allocator has handed out.
//
// Every live block sits in one of kSlots slots with its requested size, alignment, the usable
// size the allocator reported and a pattern seed (derived from the block's id). The block's
// whole usable range holds that pattern, so a byte the allocator writes into a live block, a
// block handed out twice, or a realloc that loses the prefix shows up as a mismatch. The
// model lives in static storage: nothing here allocates through the allocator under test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "program.h"

namespace fuzz {

inline std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The 8-byte word at offset i (a multiple of 8) of a block with pattern `seed`.
inline std::uint64_t pattern_word(std::uint64_t seed, std::size_t i) { return mix64(seed ^ (i >> 3)); }

// Which bytes of a block are written and verified: all of them up to 256 KiB; above, the first
// and last 64 KiB and 64 bytes of every 64 KiB (a 20 MiB block then costs 320 page faults, not
// 5120: touching every page made huge blocks 90 % of the fuzzer's time). Ranges are 8-byte
// aligned except possibly the block's end.
template <typename F>
void for_each_checked_range(std::size_t n, F f) {
  constexpr std::size_t kFull = 256 << 10, kEdge = 64 << 10, kPage = 64 << 10, kStripe = 64;
  if (n <= kFull) {
    f(std::size_t{0}, n);
    return;
  }
  f(std::size_t{0}, kEdge);
  for (std::size_t off = kEdge; off + kStripe <= n - kEdge; off += kPage) f(off, off + kStripe);
  f((n - kEdge) & ~std::size_t{7}, n);
}

// Writes the pattern into [from, to) (from is 8-byte aligned).
inline void fill_range(unsigned char* p, std::size_t from, std::size_t to, std::uint64_t seed) {
  std::size_t i = from;
  for (; i + 8 <= to; i += 8) {
    const std::uint64_t w = pattern_word(seed, i);
    std::memcpy(p + i, &w, 8);
  }
  if (i < to) {
    const std::uint64_t w = pattern_word(seed, i);
    std::memcpy(p + i, &w, to - i);
  }
}

// Offset of the first byte in [from, to) that does not hold the pattern, or SIZE_MAX.
inline std::size_t check_range(const unsigned char* p, std::size_t from, std::size_t to, std::uint64_t seed) {
  std::size_t i = from;
  for (; i < to; i += 8) {
    const std::uint64_t w = pattern_word(seed, i);
    const std::size_t n = to - i < 8 ? to - i : 8;
    if (std::memcmp(p + i, &w, n) != 0) {
      for (std::size_t k = 0; k < n; ++k)
        if (p[i + k] != reinterpret_cast<const unsigned char*>(&w)[k]) return i + k;
    }
  }
  return SIZE_MAX;
}

inline void fill_block(void* p, std::size_t n, std::uint64_t seed) {
  for_each_checked_range(n,
                         [&](std::size_t a, std::size_t b) { fill_range(static_cast<unsigned char*>(p), a, b, seed); });
}

// First mismatching offset below `limit` of a block of n bytes filled by fill_block, or SIZE_MAX.
inline std::size_t check_block(const void* p, std::size_t n, std::size_t limit, std::uint64_t seed) {
  std::size_t bad = SIZE_MAX;
  for_each_checked_range(n, [&](std::size_t a, std::size_t b) {
    if (bad != SIZE_MAX || a >= limit) return;
    bad = check_range(static_cast<const unsigned char*>(p), a, b < limit ? b : limit, seed);
  });
  return bad;
}

inline std::size_t first_nonzero_in(const void* p, std::size_t from, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  std::size_t i = from;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, b + i, 8);
    if (w != 0) break;
  }
  for (; i < n; ++i)
    if (b[i] != 0) return i;
  return SIZE_MAX;
}

// First non-zero byte of a block of n bytes within the checked ranges, or SIZE_MAX.
inline std::size_t first_nonzero(const void* p, std::size_t n) {
  std::size_t bad = SIZE_MAX;
  for_each_checked_range(n, [&](std::size_t a, std::size_t b) {
    if (bad == SIZE_MAX) bad = first_nonzero_in(p, a, b);
  });
  return bad;
}

struct LiveBlock {
  unsigned char* p = nullptr;  // nullptr: the slot is empty
  std::size_t size = 0;        // requested
  std::size_t usable = 0;      // malloc_usable_size at allocation
  std::size_t align = 0;
  std::uint64_t id = 0;
  std::uint64_t seed = 0;
  Kind kind = Kind::kMalloc;
  int thread = 0;                // allocating thread
  std::uint32_t generation = 0;  // of that thread, when it allocated (respawns bump it)
};

struct Shadow {
  LiveBlock slot[kSlots];
  std::size_t live_bytes = 0;
  std::uint64_t next_id = 1;

  // The slot whose block's usable range overlaps [p, p + n), other than `except`; -1 if none.
  long overlapping(const unsigned char* p, std::size_t n, std::size_t except) const {
    const auto a = reinterpret_cast<std::uintptr_t>(p), b = a + (n ? n : 1);
    for (std::size_t i = 0; i < kSlots; ++i) {
      const LiveBlock& l = slot[i];
      if (i == except || l.p == nullptr) continue;
      const auto c = reinterpret_cast<std::uintptr_t>(l.p), d = c + (l.usable ? l.usable : 1);
      if (a < d && c < b) return static_cast<long>(i);
    }
    return -1;
  }
};

}  // namespace fuzz
