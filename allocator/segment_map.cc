// segment_map.cc — the live-segment map (see segment_map.h).
#include "segment_map.h"

namespace alloclab {

constinit std::atomic<std::uint8_t> g_segment_map[kSegmentMapBits]{};

void segment_map_mark(const Segment* segment, bool live) noexcept {
  const std::uintptr_t index = reinterpret_cast<std::uintptr_t>(segment) >> kSegmentShift;
  if (index >= kSegmentMapBits) return;  // mmap never returns such an address on x86-64
  g_segment_map[index].store(live ? 1 : 0, std::memory_order_relaxed);
}

}  // namespace alloclab
