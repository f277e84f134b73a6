// alloc.cc — allocation: the fast path (malloc <= 1 KiB is one table load and one pop), the
// inline-promotion refill (optimization 1), the generic path with its admin heartbeat
// (optimization 5), calloc's zeroing, aligned allocation and realloc.
#include <cerrno>
#include <cstring>

#include "internal.h"
#include "segment_map.h"

namespace alloclab {
namespace {

// calloc: a block from `free` is zero except its link word while free_is_zero holds.
inline void zero_block(const Page* page, Block* block) noexcept {
  if (page->free_is_zero) {
    block->next = nullptr;
  } else {
    std::memset(block, 0, page->block_size);
  }
}

// Debug builds mark freed blocks (free.cc); a block handed out loses the mark, so a later
// free of it does not look like a double free.
inline void debug_clear_freed_mark(Block* block) noexcept {
  if constexpr (kOptions.debug) reinterpret_cast<std::uintptr_t*>(block)[1] = 0;
}

// `free` is empty: inline promotion (optimization 1) or the generic path. Out of line.
template <bool kZero>
[[gnu::noinline]] void* malloc_refill(Heap* heap, Page* page, std::size_t size) noexcept {
  if constexpr (kOptions.inline_promotion) {
    // Promote local_free inline unless that would starve the heartbeat (see internal.h).
    Block* block = page->local_free;
    if (block != nullptr && heartbeat_allows_promotion(heap, page)) [[likely]] {
      ALLOCLAB_STAT(heap, inline_promotions);
      page->local_free = nullptr;
      page->free = block->next;
      page->free_is_zero = false;
      page_refill_direct_frees(page);
      ++page->used;
      debug_clear_freed_mark(block);
      if constexpr (kZero) zero_block(page, block);
      return block;
    }
  }
  return malloc_generic(heap, size, kZero);
}

// Fast path: a table load and a pop. malloc() of <= 1 KiB that hits costs 16 instructions
// including the call (callgrind, scripts/fastpath-callgrind.sh).
template <bool kZero>
[[gnu::always_inline]] inline void* malloc_small(Heap* heap, std::size_t size) noexcept {
  Page* page = heap->pages_free_direct[wsize_of(size)];
  Block* block = page->free;
  if (block != nullptr) [[likely]] {
    page->free = block->next;
    ++page->used;
    ALLOCLAB_STAT(heap, fast_allocs);
    debug_clear_freed_mark(block);
    if constexpr (kZero) zero_block(page, block);
    return block;
  }
  return malloc_refill<kZero>(heap, page, size);
}

}  // namespace

// The generic path: sizes > 1 KiB always come here, smaller ones when their page's `free`
// is empty. Initialises the thread's heap on its first call.
void* malloc_generic(Heap* heap, std::size_t size, bool zero) noexcept {
  if (heap == &g_empty_heap) [[unlikely]] {
    heap = heap_init_thread();
    if (heap == nullptr) {
      errno = ENOMEM;
      return nullptr;
    }
  }
  ALLOCLAB_STAT(heap, generic_calls);
  if constexpr (kOptions.inline_promotion || kOptions.hysteresis) heap->promotions_left = kMaxInlinePromotions;
  if (++heap->generic_count >= kOptions.admin_interval) [[unlikely]]
    heap_admin(heap);

  if (size > kMediumObjSizeMax) [[unlikely]]
    return huge_alloc(size, 0, zero);
  Page* page = find_free_page(heap, bin_of_size(size));
  if (page == nullptr) [[unlikely]] {
    errno = ENOMEM;
    return nullptr;
  }
  Block* block = page->free;
  page->free = block->next;
  ++page->used;
  debug_clear_freed_mark(block);
  if (zero) zero_block(page, block);
  if (page->used == page->reserved) [[unlikely]]
    page_to_full(heap, page, heap_queue_of(heap, page));
  return block;
}

void* heap_malloc(std::size_t size, bool zero) noexcept {
  Heap* heap = tl_heap;
  if (size <= kSmallSizeMax) [[likely]] {
    return zero ? malloc_small<true>(heap, size) : malloc_small<false>(heap, size);
  }
  return malloc_generic(heap, size, zero);
}

// Alignment > 16: over-allocate in a regular page and hand out the aligned interior pointer
// (marking the page so free() finds the block start), or place a huge block aligned.
void* heap_malloc_aligned(std::size_t size, std::size_t alignment, bool zero) noexcept {
  if (alignment <= kMinAlign) return heap_malloc(size, zero);
  if (alignment > kMaxAlignment || size > (std::size_t{1} << 46)) {
    errno = ENOMEM;
    return nullptr;
  }
  const std::size_t padded = size + alignment - 1;
  if (padded > kMediumObjSizeMax) return huge_alloc(size, alignment, zero);
  auto* p = static_cast<std::uint8_t*>(heap_malloc(padded, zero));
  if (p == nullptr) return nullptr;
  const std::uintptr_t addr = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t aligned = (addr + alignment - 1) & ~(std::uintptr_t{alignment} - 1);
  if (aligned != addr) page_of(p)->flags |= kPageHasAligned;
  return reinterpret_cast<void*>(aligned);
}

void* heap_realloc(void* p, std::size_t size) noexcept {
  if (p == nullptr) return heap_malloc(size, false);
  if (kOptions.checked_free && !segment_is_live(p)) [[unlikely]] {
    report_invalid_free(p, "realloc of a pointer this allocator did not hand out");
    errno = EINVAL;
    return nullptr;
  }
  if (size == 0) {  // glibc semantics: free and return NULL
    heap_free(p);
    return nullptr;
  }
  const std::size_t available = usable_size(p);
  if (size <= available && size >= available / 2) return p;  // fits and wastes < half
  void* fresh = heap_malloc(size, false);
  if (fresh == nullptr) return nullptr;  // the old block stays valid
  std::memcpy(fresh, p, size < available ? size : available);
  heap_free(p);
  return fresh;
}

}  // namespace alloclab
