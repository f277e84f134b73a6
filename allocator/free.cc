// free.cc — freeing: the owner's fast path (push on local_free, retire the page when it
// empties), and the slow paths: full or aligned pages, remote frees onto thread_free or, for
// a page in the owner's full queue, onto the owner heap's delayed list; huge blocks.
#include "internal.h"

namespace alloclab {
namespace {

// A remote (non-owner) free: CAS-push onto the page's thread_free, or, if the page is in its
// owner's full queue (kUseDelayedFree), hand the block to the owner's thread_delayed_free
// so the owner learns that the full page has space.
[[gnu::noinline]] void free_block_mt(Page* page, Block* block) noexcept {
  // acq_rel below: entering kDelayedFreeing must also acquire, so the page->heap read after
  // it sees the owner that set kUseDelayedFree (a release in page_set_delayed).
  std::uintptr_t tf = page->thread_free.load(std::memory_order_relaxed);
  bool use_delayed;
  std::uintptr_t desired;
  do {
    use_delayed = delayed_state(tf) == kUseDelayedFree;
    if (use_delayed) [[unlikely]] {
      desired = (tf & ~kDelayedMask) | kDelayedFreeing;
    } else {
      block->next = thread_free_block(tf);
      desired = reinterpret_cast<std::uintptr_t>(block) | (tf & kDelayedMask);
    }
  } while (!page->thread_free.compare_exchange_weak(tf, desired, std::memory_order_acq_rel, std::memory_order_relaxed));
  if (!use_delayed) [[likely]]
    return;

  // kDelayedFreeing keeps the owner from abandoning its heap until we are done (heap_done
  // waits for it), so the heap pointer stays valid here.
  Heap* heap = page->heap.load(std::memory_order_acquire);
  if (heap != nullptr) {
    Block* head = heap->thread_delayed_free.load(std::memory_order_relaxed);
    do {
      block->next = head;
    } while (!heap->thread_delayed_free.compare_exchange_weak(head, block, std::memory_order_release,
                                                              std::memory_order_relaxed));
  }
  tf = page->thread_free.load(std::memory_order_relaxed);
  while (!page->thread_free.compare_exchange_weak(tf, (tf & ~kDelayedMask) | kNoDelayedFree, std::memory_order_release,
                                                  std::memory_order_relaxed)) {
  }
  if (heap == nullptr) free_block_mt(page, block);  // no owner any more: a plain remote free
}

[[gnu::noinline]] void free_generic(Segment* segment, Page* page, void* p) noexcept {
  if (segment->kind == SegmentKind::kHuge) {
    huge_free(segment);
    return;
  }
  // Interior pointers come from aligned allocation; find the block start. Remote frees always
  // compute it: has_aligned is the owner's flag and reading it here would race.
  Block* block = page_block_of(page, p);
  if (segment->thread_id.load(std::memory_order_relaxed) == current_thread_id()) {
    free_block_local(page->heap.load(std::memory_order_relaxed), page, block, true);
  } else {
    free_block_mt(page, block);
  }
}

// page_retire_plain's most common case, inline: ping-pong churn empties the same page on
// every free. A page that is the only one of its queue and still counting down from its last
// retirement (so already inside the heap's retired range) only restarts its count. Under
// hysteresis the out-of-line path may also promote local_free, so only a page whose `free`
// is not empty qualifies there. Returns false if the out-of-line path must run.
[[gnu::always_inline]] inline bool page_rearm_retired(Page* page) noexcept {
  if (page->retire_expire == 0 || page->prev != nullptr || page->next != nullptr) return false;
  if constexpr (kOptions.hysteresis) {
    if (page->free == nullptr) return false;
  }
  ALLOCLAB_STAT(page->heap.load(std::memory_order_relaxed), pages_retired);
  page->retire_expire = page->retire_cycles;
  return true;
}

}  // namespace

void free_block_local(Heap* heap, Page* page, Block* block, bool check_full) noexcept {
  block->next = page->local_free;
  page->local_free = block;
  if (--page->used == 0) [[unlikely]] {
    page_retire(page);
  } else if (check_full && (page->flags & kPageInFull) != 0) {
    page_unfull(heap, page);
  }
}

// Fast path: owner thread, page neither full nor holding aligned blocks.
void heap_free(void* p) noexcept {
  if (p == nullptr) return;
  Segment* segment = segment_of(p);
  Page* page = page_of(segment, p);
  if (segment->thread_id.load(std::memory_order_relaxed) == current_thread_id() && page->flags == 0) [[likely]] {
    auto* block = static_cast<Block*>(p);
    block->next = page->local_free;
    page->local_free = block;
    if (--page->used == 0) [[unlikely]] {
      if (page_rearm_retired(page)) return;
      page_retire_plain(page);
    }
    return;
  }
  free_generic(segment, page, p);
}

std::size_t usable_size(const void* p) noexcept {
  if (p == nullptr) return 0;
  Segment* segment = segment_of(p);
  const Page* page = page_of(segment, p);
  const auto* bytes = static_cast<const std::uint8_t*>(p);
  if (segment->kind == SegmentKind::kHuge) return static_cast<std::size_t>(page->page_start + page->block_size - bytes);
  const auto* block = reinterpret_cast<const std::uint8_t*>(page_block_of(page, p));
  return page->block_size - static_cast<std::size_t>(bytes - block);
}

}  // namespace alloclab
