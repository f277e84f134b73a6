// invariants.cc — the expensive whole-structure checks of ALLOCLAB_DEBUG builds, run on every
// slow-path visit of a page (collect, retire, free) and on every heap collect.
#include "internal.h"

namespace alloclab {
namespace {

#define ALLOCLAB_CHECK(cond)                                   \
  do {                                                         \
    if (!(cond)) [[unlikely]]                                  \
      fatal("invariant violated: " #cond, __FILE__, __LINE__); \
  } while (0)

// Walks one free list: every block inside the page's initialised area, on a block boundary,
// seen once (bitmap). Returns its length.
std::uint32_t check_list(const Page* page, const Block* head, std::uint64_t* seen) {
  std::uint32_t count = 0;
  for (const Block* b = head; b != nullptr; b = b->next) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(b);
    ALLOCLAB_CHECK(bytes >= page->page_start);
    const std::size_t offset = static_cast<std::size_t>(bytes - page->page_start);
    ALLOCLAB_CHECK(offset % page->block_size == 0);
    const std::size_t index = offset / page->block_size;
    ALLOCLAB_CHECK(index < page->capacity);
    ALLOCLAB_CHECK((seen[index / 64] & (std::uint64_t{1} << (index % 64))) == 0);  // no cycle, no double free
    seen[index / 64] |= std::uint64_t{1} << (index % 64);
    ++count;
  }
  return count;
}

}  // namespace

void page_check(const Page* page) noexcept {
  if constexpr (kOptions.debug) {
    ALLOCLAB_CHECK(page->in_use);
    ALLOCLAB_CHECK(page->capacity <= page->reserved);
    ALLOCLAB_CHECK(page->used <= page->capacity);
    ALLOCLAB_CHECK(page->block_size == kBins[page->bin].block_size);
    std::uint64_t seen[(65536 / 16 + 63) / 64] = {};
    const std::uint32_t free_count = check_list(page, page->free, seen);
    const std::uint32_t local_count = check_list(page, page->local_free, seen);
    ALLOCLAB_CHECK(page->used + free_count + local_count == page->capacity);
    const Heap* heap = page->heap.load(std::memory_order_relaxed);
    ALLOCLAB_CHECK(heap != nullptr);
    ALLOCLAB_CHECK(segment_of(page)->thread_id.load(std::memory_order_relaxed) == heap->thread_id);
  }
}

void heap_check(const Heap* heap) noexcept {
  if constexpr (kOptions.debug) {
    for (std::size_t bin = 0; bin < kBinCount; ++bin) {
      const PageQueue& pq = heap->pages[bin];
      const Page* prev = nullptr;
      for (const Page* page = pq.first; page != nullptr; page = page->next) {
        ALLOCLAB_CHECK(page->prev == prev);
        ALLOCLAB_CHECK(page->heap.load(std::memory_order_relaxed) == heap);
        ALLOCLAB_CHECK(((page->flags & kPageInFull) != 0) == (bin == kBinFull));
        if (bin != kBinFull) ALLOCLAB_CHECK(page->bin == bin);
        page_check(page);
        prev = page;
      }
      ALLOCLAB_CHECK(pq.last == prev);
      // The direct table always points at the first page of the queue serving that size.
      if (bin < kBinHuge && kBins[bin].block_size != 0 && kBins[bin].block_size <= kSmallSizeMax) {
        const Page* expected = pq.first != nullptr ? pq.first : &g_empty_page;
        for (std::size_t w = kBins[bin].wsize_lo; w <= kBins[bin].wsize_hi; ++w) {
          ALLOCLAB_CHECK(heap->pages_free_direct[w] == expected);
        }
      }
    }
  }
}

}  // namespace alloclab
