// os.h — the only place memory comes from: mmap/munmap/madvise. Also keeps the byte
// counters (always on: these calls are slow anyway).
#pragma once

#include <cstddef>
#include <cstdint>

namespace alloclab {

// Maps `size` bytes aligned to `alignment` (a power of two >= 4 KiB): over-maps and trims.
// Fresh anonymous memory is zero. Returns nullptr on failure (errno from mmap).
void* os_map_aligned(std::size_t size, std::size_t alignment) noexcept;
void os_unmap(void* p, std::size_t size) noexcept;
// Returns the physical pages to the OS; the range reads as zero afterwards.
void os_purge(void* p, std::size_t size) noexcept;
std::uint64_t os_now_ms() noexcept;

struct OsCounters {
  std::uint64_t bytes_mapped;
  std::uint64_t bytes_mapped_peak;
  std::uint64_t segments_mapped;  // os_map_aligned calls that succeeded
  std::uint64_t bytes_purged;     // given back with os_purge (madvise), summed over calls
};
OsCounters os_counters() noexcept;

}  // namespace alloclab
