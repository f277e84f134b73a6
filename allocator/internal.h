// internal.h — what the allocator's files call of each other, plus the O(1) address
// arithmetic every path uses.
//
// Call tree:
//   malloc -> heap_malloc_small -> page pop                        (alloc.cc, fast)
//                              \-> refill: inline promotion (opt 1) | malloc_generic
//   malloc_generic -> admin every admin_interval calls (opt 5)     (alloc.cc, heap.cc)
//                  -> find_free_page -> page_free_collect (opt 2)   (page.cc)
//                                    -> extend_free (opt 3)
//                                    -> collect_retired -> page_fresh -> segment_page_alloc
//   free -> local push + page_retire (opt 4) | free_generic -> free_block_mt   (free.cc)
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "debug.h"
#include "types.h"

namespace alloclab {

// ---- address arithmetic ------------------------------------------------------------------
inline Segment* segment_of(const void* p) noexcept {
  return reinterpret_cast<Segment*>(reinterpret_cast<std::uintptr_t>(p) & ~kSegmentMask);
}
inline Page* page_of(Segment* segment, const void* p) noexcept {
  const std::uintptr_t offset = reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(segment);
  return &segment->pages[offset >> segment->page_shift];
}
inline Page* page_of(const void* p) noexcept { return page_of(segment_of(p), p); }

// The bytes of page slot `index` of a small or medium segment.
struct PageArea {
  std::uint8_t* start;
  std::uint8_t* end;
};
inline PageArea page_area(Segment* segment, std::size_t index) noexcept {
  const std::size_t page_size = std::size_t{1} << segment->page_shift;
  auto* start = reinterpret_cast<std::uint8_t*>(segment) + index * page_size;
  return {index == 0 ? start + kSegmentHeaderSize : start, start + page_size};
}

// The block containing an interior pointer (aligned allocations hand out interior pointers).
inline Block* page_block_of(const Page* page, const void* p) noexcept {
  const std::size_t offset = static_cast<std::size_t>(static_cast<const std::uint8_t*>(p) - page->page_start);
  return reinterpret_cast<Block*>(page->page_start + offset - offset % page->block_size);
}

// Is p the start of a block this page has handed out (index < capacity)? See Page::block_inverse.
inline bool page_is_block_start(const Page* page, const void* p) noexcept {
  const std::uint64_t offset = reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(page->page_start);
  return std::rotr(offset * page->block_inverse, page->block_shift) < page->capacity;
}
void page_set_block_divisor(Page* page, std::size_t block_size) noexcept;

// A free() of a pointer this allocator did not hand out (or no longer owns): reported once
// on stderr, counted, and ignored so the heap stays intact.
void report_invalid_free(const void* p, const char* why) noexcept;

// Unique per live thread and free to read: the thread pointer (mimalloc does the same).
inline std::uintptr_t current_thread_id() noexcept {
  std::uintptr_t tp;
  __asm__("movq %%fs:0, %0" : "=r"(tp));
  return tp;
}

// ---- the thread's heap -------------------------------------------------------------------
extern Heap g_empty_heap;  // every thread starts here; its direct table forces the generic path
extern Page g_empty_page;
extern thread_local Heap* tl_heap __attribute__((tls_model("initial-exec")));

// ---- delayed-free state on Page::thread_free ---------------------------------------------
inline DelayedState delayed_state(std::uintptr_t tf) noexcept { return static_cast<DelayedState>(tf & kDelayedMask); }
inline Block* thread_free_block(std::uintptr_t tf) noexcept { return reinterpret_cast<Block*>(tf & ~kDelayedMask); }
// Sets the state; waits while a remote free is mid-way (kDelayedFreeing); never overrides
// kNeverDelayedFree unless `override_never`.
void page_set_delayed(Page* page, DelayedState state, bool override_never) noexcept;

// ---- the heartbeat ------------------------------------------------------------------------
// Both promotions that let a thread skip the generic path (inline_promotion's refill and
// hysteresis' promotion at retire) ask here first. They are refused while the page has
// pending remote frees, the heap has pending delayed frees or freed pages not yet returned
// to the OS, and after kMaxInlinePromotions in a row, so the generic path (which collects
// those frees and runs the admin work that returns memory) is still reached: memory stays
// bounded and is given back however tight the churn loop.
inline bool heartbeat_allows_promotion(Heap* heap, const Page* page) noexcept {
  if (thread_free_block(page->thread_free.load(std::memory_order_relaxed)) != nullptr) return false;
  if (heap->thread_delayed_free.load(std::memory_order_relaxed) != nullptr) return false;
  if (heap->unpurged_pages != 0) return false;
  return heap->promotions_left != 0 && --heap->promotions_left != 0;
}

// direct_free: the page's budget of frees straight onto `free` is refilled whenever
// local_free is taken over by the heartbeat (page_free_collect on the generic path) or by a
// promotion heartbeat_allows_promotion approved; never by a free or a fast-path malloc.
inline void page_refill_direct_frees(Page* page) noexcept {
  if constexpr (kOptions.direct_free != 0) page->direct_frees_left = static_cast<std::int16_t>(kOptions.direct_free);
}

// ---- page queues (page_queue.cc) ----------------------------------------------------------
PageQueue* heap_queue_of(Heap* heap, const Page* page) noexcept;  // the full queue if in_full
void queue_push_front(Heap* heap, PageQueue* pq, Page* page) noexcept;
void queue_push_back(Heap* heap, PageQueue* pq, Page* page) noexcept;
void queue_remove(Heap* heap, PageQueue* pq, Page* page) noexcept;
void queue_move_to_front(Heap* heap, PageQueue* pq, Page* page) noexcept;
inline bool queue_is_special(const PageQueue* pq, const Heap* heap) noexcept { return pq == &heap->pages[kBinFull]; }

// ---- pages (page.cc) ---------------------------------------------------------------------
void page_init(Heap* heap, Page* page, std::uint8_t bin) noexcept;
void page_free_collect(Page* page, bool force) noexcept;
void page_thread_free_collect(Page* page) noexcept;  // remote frees onto local_free; `used` drops
void page_retire(Page* page) noexcept;               // any page that just became empty
void page_retire_plain(Page* page) noexcept;         // ... whose flags are 0 (free's fast path)
void page_free(Heap* heap, Page* page, PageQueue* pq) noexcept;
void page_to_full(Heap* heap, Page* page, PageQueue* pq) noexcept;
void page_unfull(Heap* heap, Page* page) noexcept;
Page* find_free_page(Heap* heap, std::uint8_t bin) noexcept;
void collect_retired(Heap* heap, bool force) noexcept;

// ---- segments (segment.cc) ---------------------------------------------------------------
Page* segment_page_alloc(Heap* heap, SegmentKind kind) noexcept;  // a free page slot, or nullptr
void segment_page_free(Heap* heap, Page* page) noexcept;
void segment_purge_free_pages(Heap* heap) noexcept;  // slots free for kPurgeDelayMs
void segment_abandon_all(Heap* heap) noexcept;       // thread exit: hand live segments over
bool segment_has_free_slot(const Heap* heap, SegmentKind kind) noexcept;
// Sweeps part of the abandoned queue: releases segments whose blocks were all freed and
// takes over the first one holding a page of `bin` with space or a free slot of `kind`.
bool segment_reclaim_for(Heap* heap, std::uint8_t bin, SegmentKind kind) noexcept;
void segment_release_abandoned(Heap* heap) noexcept;  // the same sweep, releasing only
bool segment_abandoned_waiting() noexcept;
// [[gnu::cold]] here and below: once per huge block or per thread; GCC moves such functions,
// and the branches of hot callers that lead to them, out of the hot text. (Not on
// report_invalid_free: free()'s registers came out one move worse, +1 instruction a pair.)
[[gnu::cold]] void* huge_alloc(std::size_t size, std::size_t alignment, bool zero) noexcept;
[[gnu::cold]] void huge_free(Segment* segment) noexcept;
void segment_cache_collect() noexcept;  // purge/unmap cached segments past their delays
bool segment_cache_holds_segments() noexcept;
void segments_fork_prepare() noexcept;
void segments_fork_parent() noexcept;
void segments_fork_child() noexcept;

// ---- heaps (heap.cc) ---------------------------------------------------------------------
[[gnu::cold]] Heap* heap_init_thread() noexcept;  // nullptr when out of memory
[[gnu::cold]] void heap_done(Heap* heap) noexcept;
void heap_admin(Heap* heap) noexcept;
void heap_collect(Heap* heap, bool force) noexcept;
void heap_delayed_free(Heap* heap, bool all) noexcept;
[[gnu::cold]] void process_init() noexcept;
void heaps_fork_prepare() noexcept;
void heaps_fork_parent() noexcept;
void heaps_fork_child() noexcept;
Counters heaps_sum_counters() noexcept;
std::uint64_t heaps_created() noexcept;  // kept in every build

// ---- allocation and free (alloc.cc, free.cc) ------------------------------------------------
void* malloc_generic(Heap* heap, std::size_t size, bool zero) noexcept;
void* heap_malloc(std::size_t size, bool zero) noexcept;
void* heap_malloc_aligned(std::size_t size, std::size_t alignment, bool zero) noexcept;
void* heap_realloc(void* p, std::size_t size) noexcept;
void heap_free(void* p) noexcept;
void free_block_local(Heap* heap, Page* page, Block* block, bool check_full) noexcept;
std::size_t usable_size(const void* p) noexcept;

}  // namespace alloclab
