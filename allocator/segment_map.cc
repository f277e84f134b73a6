// segment_map.cc — the live-segment bitmap (see segment_map.h).
#include "segment_map.h"

namespace alloclab {

constinit std::atomic<std::uint64_t> g_segment_map[kSegmentMapBits / 64]{};

void segment_map_mark(const Segment* segment, bool live) noexcept {
  const std::uintptr_t index = reinterpret_cast<std::uintptr_t>(segment) >> kSegmentShift;
  if (index >= kSegmentMapBits) return;  // mmap never returns such an address on x86-64
  const std::uint64_t bit = std::uint64_t{1} << (index % 64);
  if (live) {
    g_segment_map[index / 64].fetch_or(bit, std::memory_order_relaxed);
  } else {
    g_segment_map[index / 64].fetch_and(~bit, std::memory_order_relaxed);
  }
}

}  // namespace alloclab
