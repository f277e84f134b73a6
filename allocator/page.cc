// page.cc — a page's life: init, extend_free, collecting its free lists, the full queue,
// retirement, and the generic path's page search. Four of the five optimizations live here.
#include <sched.h>

#include "internal.h"

namespace alloclab {

void page_set_delayed(Page* page, DelayedState state, bool override_never) noexcept {
  std::uintptr_t tf = page->thread_free.load(std::memory_order_relaxed);
  for (;;) {
    const DelayedState old = delayed_state(tf);
    if (old == kDelayedFreeing) {  // a remote free holds the owner heap pointer: wait for it
      sched_yield();
      tf = page->thread_free.load(std::memory_order_relaxed);
      continue;
    }
    if (old == state || (old == kNeverDelayedFree && !override_never)) return;
    const std::uintptr_t desired = (tf & ~kDelayedMask) | state;
    if (page->thread_free.compare_exchange_weak(tf, desired, std::memory_order_acq_rel, std::memory_order_relaxed))
      return;
  }
}

namespace {

// Threads the next `extend` uninitialised blocks into `free` (which is empty):
// extend = min(reserved - capacity, max(min_extend, kMaxExtendSize / block_size)),
// about one OS page of blocks per call so untouched memory stays untouched.
void extend_free(Heap* heap, Page* page) noexcept {
  ALLOCLAB_ASSERT(page->free == nullptr && page->local_free == nullptr && page->capacity < page->reserved);
  ALLOCLAB_STAT(heap, extend_calls);
  const std::size_t bsize = page->block_size;
  std::size_t max_extend = bsize >= kMaxExtendSize ? kOptions.min_extend : kMaxExtendSize / bsize;
  if (max_extend < kOptions.min_extend) max_extend = kOptions.min_extend;
  std::size_t extend = static_cast<std::size_t>(page->reserved - page->capacity);
  if (extend > max_extend) extend = max_extend;

  std::uint8_t* const start = page->page_start + page->capacity * bsize;
  std::uint8_t* const last = start + (extend - 1) * bsize;
  for (std::uint8_t* b = start; b < last; b += bsize)
    reinterpret_cast<Block*>(b)->next = reinterpret_cast<Block*>(b + bsize);
  reinterpret_cast<Block*>(last)->next = nullptr;
  page->free = reinterpret_cast<Block*>(start);
  page->capacity = static_cast<std::uint16_t>(page->capacity + extend);
}

}  // namespace

// Takes the remote frees (thread_free) and prepends them to local_free; `used` drops only now.
void page_thread_free_collect(Page* page) noexcept {
  std::uintptr_t tf = page->thread_free.load(std::memory_order_relaxed);
  while (!page->thread_free.compare_exchange_weak(tf, tf & kDelayedMask, std::memory_order_acq_rel,
                                                  std::memory_order_relaxed)) {
  }
  Block* head = thread_free_block(tf);
  if (head == nullptr) return;
  std::uint32_t count = 1;
  Block* tail = head;
  while (tail->next != nullptr) {
    tail = tail->next;
    ++count;
    if (count > page->capacity) [[unlikely]]
      fatal("corrupted thread_free list (double free?)", __FILE__, __LINE__);
  }
  tail->next = page->local_free;
  page->local_free = head;
  ALLOCLAB_ASSERT(page->used >= count);
  page->used -= count;
}

namespace {

bool page_is_expandable(const Page* page) noexcept { return page->capacity < page->reserved; }
bool page_is_mostly_used(const Page* page) noexcept {
  return page->used >= static_cast<std::uint32_t>(page->reserved - page->reserved / 8);
}

SegmentKind segment_kind_of(std::uint8_t bin) noexcept {
  return kBins[bin].block_size <= kSmallObjSizeMax ? SegmentKind::kSmall : SegmentKind::kMedium;
}

// Carves a fresh page from a segment (a free slot of the heap's, or a new mapping).
Page* page_fresh(Heap* heap, std::uint8_t bin) noexcept {
  const SegmentKind kind = segment_kind_of(bin);
  Page* page = segment_page_alloc(heap, kind);
  if (page == nullptr) return nullptr;
  page_init(heap, page, bin);
  return page;
}

// mimalloc's mi_page_queue_find_free_ex: visit up to kMaxCandidateSearch pages with space,
// collecting each, parking exhausted ones in the full queue; prefer fuller pages.
Page* queue_find_candidate(Heap* heap, PageQueue* pq) noexcept {
  Page* candidate = nullptr;
  std::size_t candidate_count = 0;
  for (Page* page = pq->first; page != nullptr;) {
    Page* next = page->next;
    ++candidate_count;
    page_free_collect(page, false);
    const bool available = page->free != nullptr;
    if (!available && !page_is_expandable(page)) {
      page_to_full(heap, page, pq);
    } else {
      if (candidate == nullptr) {
        candidate = page;
        candidate_count = 0;
      } else if (page->used >= candidate->used && !page_is_mostly_used(page) && !page_is_expandable(page)) {
        candidate = page;
      }
      if (available || candidate_count > kMaxCandidateSearch) break;
    }
    page = next;
  }
  return candidate;
}

Page* find_free_ex(Heap* heap, std::uint8_t bin, bool first_try) noexcept {
  PageQueue* pq = &heap->pages[bin];
  Page* candidate = queue_find_candidate(heap, pq);
  if (candidate == nullptr) {
    collect_retired(heap, false);  // perhaps frees a page slot
    // Without a free slot of our own, take over an exited thread's segment before mapping a
    // new one: a page of this bin with space there is used as it is (a fresh slot per new
    // thread made thread churn grow without bound), and the sweep releases the abandoned
    // segments whose blocks were all freed meanwhile.
    const SegmentKind kind = segment_kind_of(bin);
    if (!segment_has_free_slot(heap, kind) && segment_reclaim_for(heap, bin, kind)) {
      candidate = queue_find_candidate(heap, pq);
    }
  }
  if (candidate != nullptr) {
    if (candidate->free == nullptr) extend_free(heap, candidate);
    queue_move_to_front(heap, pq, candidate);
    if (candidate->retire_expire != 0) ALLOCLAB_STAT(heap, pages_reused);
    candidate->retire_expire = 0;
    page_check(candidate);
    return candidate;
  }
  Page* page = page_fresh(heap, bin);
  if (page == nullptr && first_try) return find_free_ex(heap, bin, false);
  return page;
}

void hysteresis_forget(Heap* heap, const Page* page) noexcept {
  if constexpr (kOptions.hysteresis) {
    if (heap->hysteresis_page[page->bin] == page) heap->hysteresis_page[page->bin] = nullptr;
  }
}

void widen_retired_range(Heap* heap, std::size_t bin) noexcept {
  if (bin < heap->page_retired_min) heap->page_retired_min = bin;
  if (bin > heap->page_retired_max) heap->page_retired_max = bin;
}

// collect_retired's step for one kept page: count down while still empty, free at zero.
// Returns true if the page stays retained.
bool retired_page_tick(Heap* heap, Page* page, bool force) noexcept {
  if (page->retire_expire == 0) return false;
  if (page->used != 0) {
    ALLOCLAB_STAT(heap, pages_reused);
    page->retire_expire = 0;
    return false;
  }
  --page->retire_expire;
  if (force || page->retire_expire == 0) {
    page_free(heap, page, heap_queue_of(heap, page));
    return false;
  }
  return true;
}

}  // namespace

void page_set_block_divisor(Page* page, std::size_t block_size) noexcept {
  page->block_size = block_size;
  const auto shift = static_cast<unsigned>(std::countr_zero(block_size));
  const std::uint64_t odd = block_size >> shift;
  std::uint64_t inverse = odd;                               // correct to 3 bits: odd * odd == 1 (mod 8)
  for (int i = 0; i < 5; ++i) inverse *= 2 - odd * inverse;  // Newton: 6, 12, 24, 48, 96 bits
  page->block_shift = static_cast<std::uint8_t>(shift);
  page->block_inverse = inverse;
}

void page_init(Heap* heap, Page* page, std::uint8_t bin) noexcept {
  Segment* segment = segment_of(page);
  const std::size_t bsize = kBins[bin].block_size;
  const PageArea slot = page_area(segment, static_cast<std::size_t>(page - segment->pages));
  std::uint8_t* area = slot.start;
  // Don't start every page at the same power-of-two offset: avoids cache aliasing of the
  // first blocks of many pages (mimalloc's start offset for small blocks).
  if (bsize <= 64) {
    area += 3 * bsize;
  } else if (bsize <= 512) {
    area += bsize;
  }
  page_set_block_divisor(page, bsize);
  page->bin = bin;
  page->page_start = area;
  page->reserved = static_cast<std::uint16_t>(static_cast<std::size_t>(slot.end - area) / bsize);
  page->capacity = 0;
  page->used = 0;
  page->free = nullptr;
  page->local_free = nullptr;
  page->flags = 0;
  page->free_is_zero = page->is_zero_init;
  page->retire_expire = 0;
  page->retire_cycles =
      static_cast<std::uint8_t>(bsize <= kSmallObjSizeMax ? kOptions.retire_cycles : kShortRetireCycles);
  page_refill_direct_frees(page);
  page->thread_free.store(kNoDelayedFree, std::memory_order_relaxed);
  page->heap.store(heap, std::memory_order_release);
  ALLOCLAB_STAT(heap, fresh_pages);
  extend_free(heap, page);
  queue_push_front(heap, &heap->pages[bin], page);
  page_check(page);
}

// Moves remote frees to local_free, then local_free to free when free is empty. When both
// are non-empty: baseline appends local_free only if forced (a linear walk); list_swap swaps
// them so the most recently freed, cache-hot blocks are handed out first. Refills the page's
// direct_free budget.
void page_free_collect(Page* page, bool force) noexcept {
  page_refill_direct_frees(page);  // the heartbeat reached this page
  if (force || thread_free_block(page->thread_free.load(std::memory_order_relaxed)) != nullptr) {
    page_thread_free_collect(page);
  }
  if (page->local_free != nullptr) {
    if (page->free == nullptr) [[likely]] {
      page->free = page->local_free;
      page->local_free = nullptr;
      page->free_is_zero = false;
    } else if (force) {
      Block* tail = page->local_free;
      while (tail->next != nullptr) tail = tail->next;
      tail->next = page->free;
      page->free = page->local_free;
      page->local_free = nullptr;
      page->free_is_zero = false;
    } else if constexpr (kOptions.list_swap) {
      Block* hot = page->local_free;
      page->local_free = page->free;
      page->free = hot;
      page->free_is_zero = false;
      ALLOCLAB_STAT(page->heap.load(std::memory_order_relaxed), list_swaps);
    }
  }
  page_check(page);
}

void page_to_full(Heap* heap, Page* page, PageQueue* pq) noexcept {
  ALLOCLAB_ASSERT((page->flags & kPageInFull) == 0);
  // The first remote free into a full page will notify us through thread_delayed_free.
  page_set_delayed(page, kUseDelayedFree, false);
  queue_remove(heap, pq, page);
  page->flags |= kPageInFull;
  queue_push_back(heap, &heap->pages[kBinFull], page);
}

void page_unfull(Heap* heap, Page* page) noexcept {
  ALLOCLAB_ASSERT((page->flags & kPageInFull) != 0);
  queue_remove(heap, &heap->pages[kBinFull], page);
  page->flags &= static_cast<std::uint8_t>(~kPageInFull);
  queue_push_back(heap, &heap->pages[page->bin], page);
}

void page_free(Heap* heap, Page* page, PageQueue* pq) noexcept {
  ALLOCLAB_ASSERT(page->used == 0);
  page_check(page);
  hysteresis_forget(heap, page);
  queue_remove(heap, pq, page);
  page->flags = 0;
  page->retire_expire = 0;
  page->free = page->local_free = nullptr;
  page->heap.store(nullptr, std::memory_order_relaxed);
  ALLOCLAB_STAT(heap, pages_freed);
  segment_page_free(heap, page);
}

// A page just became empty (used == 0) and is neither full nor holding aligned blocks
// (free()'s fast path knows this). mimalloc keeps it if it is the only page of its queue
// (retire_expire = retire_cycles, counted down by collect_retired); otherwise frees it.
// In ping-pong churn every free lands here, so the only-page case is kept short.
[[gnu::noinline]] void page_retire_plain(Page* page) noexcept {
  Heap* heap = page->heap.load(std::memory_order_relaxed);
  // A page in use is in exactly one queue (here its bin's, as its flags are 0), so it is
  // the only page there iff it has no neighbours: two loads of the page itself, not of the
  // heap's queue.
  if (page->prev == nullptr && page->next == nullptr) [[likely]] {
    ALLOCLAB_ASSERT(heap->pages[page->bin].first == page && heap->pages[page->bin].last == page);
    ALLOCLAB_STAT(heap, pages_retired);
    // A page still counting down is already inside the retired range (collect_retired
    // resets the count of a page it finds in use), so only a fresh retirement widens it.
    if (page->retire_expire == 0) widen_retired_range(heap, page->bin);
    page->retire_expire = page->retire_cycles;
    if constexpr (kOptions.hysteresis) {
      // Make the next allocation O(1): it pops `free` instead of entering the generic path
      // (bounded like inline_promotion: see heartbeat_allows_promotion).
      if (page->free == nullptr && heartbeat_allows_promotion(heap, page)) {
        page->free = page->local_free;
        page->local_free = nullptr;
        page->free_is_zero = false;
        page_refill_direct_frees(page);
      }
    }
    return;
  }
  PageQueue* pq = &heap->pages[page->bin];
  ALLOCLAB_ASSERT(pq->first != pq->last);
  if constexpr (kOptions.hysteresis) {
    // Keep one empty small page per bin briefly even though others exist, at the front so it
    // is used next. collect_retired visits heap->hysteresis_page too, so the page is freed
    // even after another page pushed it off the front.
    Page* held = heap->hysteresis_page[page->bin];
    const bool slot_busy = held != nullptr && held != page && held->retire_expire != 0 && held->used == 0;
    if (page->block_size <= kSmallObjSizeMax && page->capacity >= 4 && !slot_busy) {
      ALLOCLAB_STAT(heap, pages_kept_hysteresis);
      if (page->retire_expire == 0) widen_retired_range(heap, page->bin);
      page->retire_expire = kShortRetireCycles;
      heap->hysteresis_page[page->bin] = page;
      queue_move_to_front(heap, pq, page);
      return;
    }
  }
  page_free(heap, page, pq);
}

void page_retire(Page* page) noexcept {
  page->flags &= static_cast<std::uint8_t>(~kPageHasAligned);  // no live interior pointers remain
  if ((page->flags & kPageInFull) != 0) [[unlikely]] {         // the full queue is special: free at once
    Heap* heap = page->heap.load(std::memory_order_relaxed);
    page_free(heap, page, &heap->pages[kBinFull]);
    return;
  }
  page_retire_plain(page);
}

void collect_retired(Heap* heap, bool force) noexcept {
  std::size_t min = kBinFull;
  std::size_t max = 0;
  for (std::size_t bin = heap->page_retired_min; bin <= heap->page_retired_max; ++bin) {
    PageQueue* pq = &heap->pages[bin];
    bool kept = false;
    Page* first = pq->first;
    if (first != nullptr) kept = retired_page_tick(heap, first, force);
    if constexpr (kOptions.hysteresis) {
      Page* held = heap->hysteresis_page[bin];
      if (held != nullptr && held != first) {
        if (retired_page_tick(heap, held, force)) {
          kept = true;
        } else if (heap->hysteresis_page[bin] == held && held->retire_expire == 0) {
          heap->hysteresis_page[bin] = nullptr;
        }
      }
    }
    if (kept) {
      if (bin < min) min = bin;
      if (bin > max) max = bin;
    }
  }
  heap->page_retired_min = min;
  heap->page_retired_max = max;
}

Page* find_free_page(Heap* heap, std::uint8_t bin) noexcept {
  Page* page = heap->pages[bin].first;
  if (page != nullptr) {
    page_free_collect(page, false);
    if (page->free != nullptr) {
      if (page->retire_expire != 0) ALLOCLAB_STAT(heap, pages_reused);
      page->retire_expire = 0;
      return page;
    }
  }
  return find_free_ex(heap, bin, true);
}

}  // namespace alloclab
