// free.cc — freeing: the owner's fast path (push on local_free, retire the page when it
// empties), and the slow paths: full or aligned pages, remote frees onto thread_free or, for
// a page in the owner's full queue, onto the owner heap's delayed list; huge blocks.
#include "internal.h"
#include "segment_map.h"

namespace alloclab {
namespace {

// Debug builds mark every block they free in its second word (blocks are >= 16 bytes) and,
// when a block to be freed carries the mark, look for it on its page's own lists: a double
// free is reported and ignored. (Blocks sitting on a remote thread_free list are not looked
// for: another thread may be pushing onto it.)
constexpr std::uintptr_t kFreedMark = 0xa110c1abf4eedb10ull;

inline void debug_mark_freed(Block* block) noexcept {
  if constexpr (kOptions.debug)
    reinterpret_cast<std::uintptr_t*>(block)[1] = kFreedMark ^ reinterpret_cast<std::uintptr_t>(block);
}

bool list_holds(const Block* list, const Block* block) noexcept {
  for (; list != nullptr; list = list->next)
    if (list == block) return true;
  return false;
}

inline bool debug_double_free(const Page* page, const Block* block) noexcept {
  if constexpr (kOptions.debug) {
    const std::uintptr_t mark = reinterpret_cast<const std::uintptr_t*>(block)[1];
    if (mark == (kFreedMark ^ reinterpret_cast<std::uintptr_t>(block)) &&
        (list_holds(page->free, block) || list_holds(page->local_free, block))) [[unlikely]] {
      report_invalid_free(block, "double free (the block is already on its page's free list)");
      return true;
    }
  }
  return false;
}

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
    if (kOptions.checked_free && p != page->page_start) [[unlikely]] {
      report_invalid_free(p, "not the start of a block (inside a huge block)");
      return;
    }
    huge_free(segment);
    return;
  }
  if (kOptions.checked_free && !page->in_use) [[unlikely]] {
    report_invalid_free(p, "points into a page that holds no blocks (freed or never used)");
    return;
  }
  // Interior pointers come from aligned allocation; find the block start. Remote frees always
  // compute it: has_aligned is the owner's flag and reading it here would race (so a remote
  // free of an interior pointer frees its block, as an aligned block's pointer would). For
  // the same reason a remote free is checked against `reserved` (fixed while the page is in
  // use), the owner's against `capacity` (the blocks handed out so far).
  // One division gives both the check and the block (p below page_start wraps to a huge index).
  const bool local = segment->thread_id.load(std::memory_order_relaxed) == current_thread_id();
  const std::size_t index =
      (reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(page->page_start)) / page->block_size;
  if (kOptions.checked_free && index >= (local ? page->capacity : page->reserved)) [[unlikely]] {
    report_invalid_free(p, "not inside a block this page handed out");
    return;
  }
  auto* block = reinterpret_cast<Block*>(page->page_start + index * page->block_size);
  if (local) {
    if (kOptions.checked_free && (page->flags & kPageHasAligned) == 0 && block != p) [[unlikely]] {
      report_invalid_free(p, "not the start of a block (an interior pointer)");
      return;
    }
    if (debug_double_free(page, block)) return;
    debug_mark_freed(block);
    free_block_local(page->heap.load(std::memory_order_relaxed), page, block, true);
  } else {
    debug_mark_freed(block);
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
// The two ownership checks (is p in a live segment of ours, does it start a block handed out)
// cost a segment-map load and a multiply; without them a stray pointer crashes or corrupts a heap.
void heap_free(void* p) noexcept {
  if (p == nullptr) return;
  if constexpr (kOptions.checked_free) {
    if (!segment_is_live(p)) [[unlikely]] {
      report_invalid_free(p, "not a pointer this allocator handed out (stack, another mapping or a released segment)");
      return;
    }
  }
  Segment* segment = segment_of(p);
  Page* page = page_of(segment, p);
  if (segment->thread_id.load(std::memory_order_relaxed) == current_thread_id() && page->flags == 0) [[likely]] {
    if constexpr (kOptions.checked_free) {
      if (!page_is_block_start(page, p)) [[unlikely]] {
        report_invalid_free(p, "not the start of a block handed out (an interior pointer or a free slot)");
        return;
      }
    }
    auto* block = static_cast<Block*>(p);
    if (debug_double_free(page, block)) return;
    debug_mark_freed(block);
    if constexpr (kOptions.direct_free != 0) {
      // Onto `free` while the page's budget lasts (Page::direct_frees_left): the next malloc
      // of this size pops the block just freed (still in cache), and `free` does not run dry
      // every few allocations.
      if (--page->direct_frees_left != 0) [[likely]] {
        ALLOCLAB_STAT(page->heap.load(std::memory_order_relaxed), direct_frees);
        block->next = page->free;
        page->free = block;
        page->free_is_zero = false;  // a freed block entered `free`
      } else {
        // Budget spent: onto local_free as in baseline. The first such free (local_free
        // empty) takes `free` along behind it, O(1): `free` is now empty, so the page's next
        // malloc enters the generic path, which collects remote frees, counts towards the
        // admin work, moves the list back and refills the budget. The heartbeat thus comes
        // every direct_free local frees per page, not whenever `free` happens to run dry.
        // The budget stays at 1 until then, so every free of the page comes here. (This
        // branch ends in its own return: joining the fast path would cost it registers.)
        page->direct_frees_left = 1;
        block->next = page->local_free;
        page->local_free = block;
        if (block->next == nullptr) {
          block->next = page->free;
          page->free = nullptr;
        }
        if (--page->used == 0) [[unlikely]] {
          if (!page_rearm_retired(page)) page_retire_plain(page);  // as the main path below
        }
        return;
      }
    } else {
      block->next = page->local_free;
      page->local_free = block;
    }
    if (--page->used == 0) [[unlikely]] {
      if (page_rearm_retired(page)) return;
      page_retire_plain(page);
    }
    return;
  }
  free_generic(segment, page, p);
}

std::size_t usable_size(const void* p) noexcept {
  if (p == nullptr || (kOptions.checked_free && !segment_is_live(p))) return 0;
  Segment* segment = segment_of(p);
  const Page* page = page_of(segment, p);
  const auto* bytes = static_cast<const std::uint8_t*>(p);
  if (segment->kind == SegmentKind::kHuge) return static_cast<std::size_t>(page->page_start + page->block_size - bytes);
  const auto* block = reinterpret_cast<const std::uint8_t*>(page_block_of(page, p));
  return page->block_size - static_cast<std::size_t>(bytes - block);
}

}  // namespace alloclab
