// size_classes.h — mimalloc's size-class bins, computed at compile time.
//
// wsize = ceil(size / 8). wsize <= 8: bin = wsize rounded up to even (16-byte minimum
// alignment). Above: b = bsr(wsize - 1); bin = (b << 2) + (((wsize - 1) >> (b - 2)) & 3) - 3,
// four classes per power of two. A bin's block size is the largest wsize mapping to it, so
// every block size is a multiple of 16 and every block is 16-byte aligned.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace alloclab {

inline constexpr std::size_t kWordSize = 8;
inline constexpr std::size_t kMinAlign = 16;        // malloc's alignment guarantee
inline constexpr std::size_t kSmallSizeMax = 1024;  // served by pages_free_direct
inline constexpr std::size_t kSmallWsizeMax = kSmallSizeMax / kWordSize;
inline constexpr std::size_t kSmallObjSizeMax = 8 * 1024;    // blocks in 64 KiB small pages
inline constexpr std::size_t kMediumObjSizeMax = 64 * 1024;  // blocks in 512 KiB medium pages
inline constexpr std::size_t kMediumWsizeMax = kMediumObjSizeMax / kWordSize;

constexpr std::uint8_t bin_of_wsize(std::size_t wsize) {
  if (wsize <= 2) return 2;
  if (wsize <= 8) return static_cast<std::uint8_t>((wsize + 1) & ~std::size_t{1});
  const std::size_t w = wsize - 1;
  const unsigned b = static_cast<unsigned>(std::bit_width(w) - 1);
  return static_cast<std::uint8_t>((b << 2) + ((w >> (b - 2)) & 3) - 3);
}

inline constexpr std::uint8_t kBinMaxRegular = bin_of_wsize(kMediumWsizeMax);  // 48
inline constexpr std::uint8_t kBinHuge = kBinMaxRegular + 1;                   // > 64 KiB: own segment, no queue
inline constexpr std::uint8_t kBinFull = kBinHuge + 1;                         // the full-page queue
inline constexpr std::size_t kBinCount = kBinFull + 1;

constexpr std::size_t wsize_of(std::size_t size) { return (size + kWordSize - 1) / kWordSize; }
constexpr std::uint8_t bin_of_size(std::size_t size) {
  return size > kMediumObjSizeMax ? kBinHuge : bin_of_wsize(wsize_of(size));
}

struct BinInfo {
  std::size_t block_size = 0;  // bytes; 0 for unused bin numbers
  std::size_t wsize_lo = 0;    // smallest wsize mapping to the bin (pages_free_direct range)
  std::size_t wsize_hi = 0;
};

inline constexpr std::array<BinInfo, kBinCount> kBins = [] {
  std::array<BinInfo, kBinCount> bins{};
  for (std::size_t w = kMediumWsizeMax + 1; w-- > 0;) {
    BinInfo& info = bins[bin_of_wsize(w)];
    if (info.block_size == 0) {
      info.block_size = w * kWordSize;
      info.wsize_hi = w;
    }
    info.wsize_lo = w;
  }
  return bins;
}();

static_assert(kBinMaxRegular == 48);
static_assert(kBins[2].block_size == 16 && kBins[2].wsize_lo == 0);
static_assert(kBins[9].block_size == 80 && kBins[kBinMaxRegular].block_size == kMediumObjSizeMax);
static_assert(
    [] {
      for (std::size_t s = 0; s <= kMediumObjSizeMax; ++s) {
        const auto& info = kBins[bin_of_size(s)];
        if (info.block_size < s || info.block_size % kMinAlign != 0) return false;
      }
      return true;
    }(),
    "every size maps to a bin whose 16-aligned block fits it");

}  // namespace alloclab
