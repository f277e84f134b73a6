// segment_map.h — one byte per 4 MiB of user address space: is a live segment of ours there?
// free() asks before it reads the header a pointer implies: a stack pointer, a pointer into
// another mapping or into a segment already released has no header of ours to read, and
// reading one would crash (or worse, corrupt a heap). 2^47 bytes / 4 MiB = 2^25 entries: 32 MiB
// of zero-initialised .bss, of which only the pages for addresses in use are ever touched. A
// byte, not a bit: the test is one compare with memory instead of a shift, a load and a bit
// test (3 instructions fewer on every free).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "types.h"

namespace alloclab {

inline constexpr unsigned kUserAddressBits = 47;  // x86-64 user space (4-level paging)
inline constexpr std::size_t kSegmentMapBits = std::size_t{1} << (kUserAddressBits - kSegmentShift);
extern std::atomic<std::uint8_t> g_segment_map[kSegmentMapBits];

inline bool segment_is_live(const void* p) noexcept {
  const std::uintptr_t index = reinterpret_cast<std::uintptr_t>(p) >> kSegmentShift;
  if (index >= kSegmentMapBits) [[unlikely]]
    return false;
  return g_segment_map[index].load(std::memory_order_relaxed) != 0;
}

// A segment is live from segment_setup until segment_release (cached segments are not).
void segment_map_mark(const Segment* segment, bool live) noexcept;

}  // namespace alloclab
