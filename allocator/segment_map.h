// segment_map.h — one bit per 4 MiB of user address space: is a live segment of ours there?
// free() asks before it reads the header a pointer implies: a stack pointer, a pointer into
// another mapping or into a segment already released has no header of ours to read, and
// reading one would crash (or worse, corrupt a heap). 2^47 bytes / 4 MiB = 2^25 bits, 4 MiB
// of zero-initialised .bss of which only the words for addresses in use are ever touched.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "types.h"

namespace alloclab {

inline constexpr unsigned kUserAddressBits = 47;  // x86-64 user space (4-level paging)
inline constexpr std::size_t kSegmentMapBits = std::size_t{1} << (kUserAddressBits - kSegmentShift);
extern std::atomic<std::uint64_t> g_segment_map[kSegmentMapBits / 64];

inline bool segment_is_live(const void* p) noexcept {
  const std::uintptr_t index = reinterpret_cast<std::uintptr_t>(p) >> kSegmentShift;
  if (index >= kSegmentMapBits) [[unlikely]]
    return false;
  return ((g_segment_map[index / 64].load(std::memory_order_relaxed) >> (index % 64)) & 1) != 0;
}

// A segment is live from segment_setup until segment_release (cached segments are not).
void segment_map_mark(const Segment* segment, bool live) noexcept;

}  // namespace alloclab
