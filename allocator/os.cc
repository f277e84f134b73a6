// os.cc — mmap-based memory from the OS.
#include "os.h"

#include <sys/mman.h>
#include <time.h>

#include <atomic>

namespace alloclab {
namespace {

std::atomic<std::uint64_t> g_bytes_mapped{0};
std::atomic<std::uint64_t> g_bytes_mapped_peak{0};
std::atomic<std::uint64_t> g_segments_mapped{0};
std::atomic<std::uint64_t> g_bytes_purged{0};

void account_mapped(std::size_t size) noexcept {
  const std::uint64_t now = g_bytes_mapped.fetch_add(size, std::memory_order_relaxed) + size;
  std::uint64_t peak = g_bytes_mapped_peak.load(std::memory_order_relaxed);
  while (now > peak && !g_bytes_mapped_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

void* map_raw(std::size_t size) noexcept {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace

void* os_map_aligned(std::size_t size, std::size_t alignment) noexcept {
  if (size == 0 || size > (std::size_t{1} << 46)) return nullptr;
  // Over-map by the alignment, then trim the unaligned head and the tail.
  const std::size_t over = size + alignment;
  auto* raw = static_cast<std::uint8_t*>(map_raw(over));
  if (raw == nullptr) return nullptr;
  const auto addr = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (addr + alignment - 1) & ~(std::uintptr_t{alignment} - 1);
  const std::size_t head = aligned - addr;
  if (head > 0) munmap(raw, head);
  const std::size_t tail = over - head - size;
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
  account_mapped(size);
  g_segments_mapped.fetch_add(1, std::memory_order_relaxed);
  return reinterpret_cast<void*>(aligned);
}

void os_unmap(void* p, std::size_t size) noexcept {
  munmap(p, size);
  g_bytes_mapped.fetch_sub(size, std::memory_order_relaxed);
}

void os_purge(void* p, std::size_t size) noexcept {
  madvise(p, size, MADV_DONTNEED);
  g_bytes_purged.fetch_add(size, std::memory_order_relaxed);
}

std::uint64_t os_now_ms() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

OsCounters os_counters() noexcept {
  return {g_bytes_mapped.load(std::memory_order_relaxed), g_bytes_mapped_peak.load(std::memory_order_relaxed),
          g_segments_mapped.load(std::memory_order_relaxed), g_bytes_purged.load(std::memory_order_relaxed)};
}

}  // namespace alloclab
