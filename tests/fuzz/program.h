// program.h — how the fuzzer's input bytes decode into a program of allocation operations.
//
// An input is a sequence of operations; decoding stops at the first one whose bytes run out.
// Every operation starts with a header byte h: thread = h >> 6 (0 = the main thread, 1..3 =
// worker threads), kind = kKindTable[h & 15]. Its arguments follow, in this order:
//   slot   1 byte, % kSlots: which live-block slot the operation works on
//   align  1 byte: alignment 1 << (b % 23), 1 B .. 4 MiB    (aligned kinds only)
//   size   3 bytes (m, lo, hi), see decode_size             (allocating kinds only)
//   arg    1 byte: calloc's count, realloc_relative's step, edge case, respawned worker
// tests/fuzz/make_corpus.py writes the seed corpus with the same encoding.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace fuzz {

inline constexpr int kThreads = 4;  // main + 3 workers
inline constexpr std::size_t kSlots = 64;
inline constexpr std::size_t kMaxAlignShift = 22;  // 4 MiB: beyond the allocator's 2 MiB limit

enum class Kind : std::uint8_t {
  kMalloc,
  kCalloc,
  kRealloc,
  kReallocRelative,  // realloc to a size near the block's current one (in-place paths)
  kReallocArray,
  kPosixMemalign,
  kAlignedAlloc,
  kMemalign,
  kValloc,
  kPvalloc,
  kFree,
  kRespawn,   // a worker thread exits (its blocks stay live) and a fresh one replaces it
  kCheckAll,  // verify every live block
  kEdgeCase,  // a call that must fail cleanly (overflow, bad alignment, ...)
};

inline constexpr std::array<Kind, 16> kKindTable = {
    Kind::kMalloc,       Kind::kMalloc,        Kind::kCalloc,       Kind::kRealloc,  Kind::kReallocRelative,
    Kind::kReallocArray, Kind::kPosixMemalign, Kind::kAlignedAlloc, Kind::kMemalign, Kind::kValloc,
    Kind::kPvalloc,      Kind::kFree,          Kind::kFree,         Kind::kRespawn,  Kind::kCheckAll,
    Kind::kEdgeCase,
};

constexpr bool has_align(Kind k) {
  return k == Kind::kPosixMemalign || k == Kind::kAlignedAlloc || k == Kind::kMemalign;
}
constexpr bool has_size(Kind k) {
  return k == Kind::kMalloc || k == Kind::kCalloc || k == Kind::kRealloc || k == Kind::kReallocArray || has_align(k) ||
         k == Kind::kValloc || k == Kind::kPvalloc;
}
constexpr bool has_slot(Kind k) { return k != Kind::kRespawn && k != Kind::kCheckAll; }
constexpr bool has_arg(Kind k) {
  return k == Kind::kCalloc || k == Kind::kReallocArray || k == Kind::kReallocRelative || k == Kind::kEdgeCase ||
         k == Kind::kRespawn;
}

// Block sizes of mimalloc's size-class bins (ALLOCATOR.md), recomputed here from the
// documented formula rather than taken from allocator/: the fuzzer aims at their edges.
constexpr unsigned bin_of_wsize(std::size_t wsize) {
  if (wsize <= 2) return 2;
  if (wsize <= 8) return static_cast<unsigned>((wsize + 1) & ~std::size_t{1});
  const std::size_t w = wsize - 1;
  unsigned b = 0;
  while ((w >> (b + 1)) != 0) ++b;
  return (b << 2) + static_cast<unsigned>((w >> (b - 2)) & 3) - 3;
}

// Interesting sizes: every bin's largest size (up to 64 KiB) and the allocator's structural
// limits (OS page, 512 KiB medium page, 2 MiB max alignment, 4 MiB segment).
struct EdgeSizes {
  std::array<std::size_t, 64> size{};
  std::size_t count = 0;
};
inline constexpr EdgeSizes kEdges = [] {
  EdgeSizes e;
  for (std::size_t w = 1; w <= 8192; ++w)
    if (bin_of_wsize(w + 1) != bin_of_wsize(w)) e.size[e.count++] = w * 8;
  for (std::size_t s : {std::size_t{0}, std::size_t{1}, std::size_t{4096}, std::size_t{1} << 19, std::size_t{1} << 21,
                        std::size_t{1} << 22, (std::size_t{1} << 22) + (std::size_t{1} << 16)})
    e.size[e.count++] = s;
  return e;
}();
static_assert(kEdges.count == 51 && kEdges.size[0] == 16 && kEdges.size[43] == 65536);

// The size argument: m picks a range, v = lo | hi << 8 a point in it.
//   0: 0..128   1: 129..1 KiB   2: ..8 KiB   3: ..64 KiB   4: huge 64 KiB+1 .. ~1.06 MiB
//   5: an edge size (kEdges.size[v]) - 1, + 0 or + 1 (by m >> 3)
//   6: 1 MiB .. 5 MiB   7: 1..20 MiB plus up to 124 KiB
constexpr std::size_t decode_size(std::uint8_t m, std::uint16_t v) {
  switch (m & 7) {
    case 0: return v % 129;
    case 1: return 129 + v % 896;
    case 2: return 1025 + v % 7168;
    case 3: return 8193 + v % 57344;
    case 4: return 65537 + (std::size_t{v} * 8) % (std::size_t{1} << 20);
    case 5: {
      const std::size_t edge = kEdges.size[v % kEdges.count];
      const int delta = static_cast<int>((m >> 3) % 3) - 1;
      return edge == 0 && delta < 0 ? 0 : edge + static_cast<std::size_t>(static_cast<long>(delta));
    }
    case 6: return (std::size_t{1} << 20) + std::size_t{v} * 64;
    default: return (static_cast<std::size_t>(v % 20 + 1) << 20) + static_cast<std::size_t>(m >> 3) * 4096;
  }
}

struct Op {
  Kind kind;
  int thread;
  std::size_t slot = 0;
  std::size_t align = 0;
  std::size_t size = 0;
  std::uint8_t arg = 0;
};

// Reads operations one at a time from the input.
class Decoder {
 public:
  Decoder(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

  // False when the input ends (a truncated last operation is dropped).
  bool next(Op& op) {
    std::uint8_t h;
    if (!take(h)) return false;
    op = Op{kKindTable[h & 15], h >> 6};
    std::uint8_t b;
    if (has_slot(op.kind)) {
      if (!take(b)) return false;
      op.slot = b % kSlots;
    }
    if (has_align(op.kind)) {
      if (!take(b)) return false;
      op.align = std::size_t{1} << (b % (kMaxAlignShift + 1));
    }
    if (has_size(op.kind)) {
      std::uint8_t m, lo, hi;
      if (!take(m) || !take(lo) || !take(hi)) return false;
      op.size = decode_size(m, static_cast<std::uint16_t>(lo | hi << 8));
    }
    if (has_arg(op.kind) && !take(op.arg)) return false;
    return true;
  }

 private:
  bool take(std::uint8_t& b) {
    if (p_ == end_) return false;
    b = *p_++;
    return true;
  }
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace fuzz
