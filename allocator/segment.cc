// segment.cc — segments: page slots for heaps, huge blocks, a small cache of freed segments
// (purged after kPurgeDelayMs, unmapped after kUnmapDelayMs), and abandonment/reclaim of a
// dead thread's segments.
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "internal.h"
#include "lock.h"
#include "os.h"
#include "segment_map.h"

namespace alloclab {
namespace {

inline constexpr std::size_t kCacheSlots = 16;
inline constexpr std::size_t kCacheMaxSegmentSize = 64 * 1024 * 1024;  // larger: unmap at once
inline constexpr std::size_t kCacheMaxBytes = 128 * 1024 * 1024;       // unpurged or not
inline constexpr std::uint64_t kUnmapDelayMs = 2000;
// A sweep of the abandoned segments visits an eighth of them (at least 8, at most 1024), so
// successive sweeps cover the whole queue without one thread start paying for all of it.
inline constexpr std::size_t kMinSweepVisits = 8;
inline constexpr std::size_t kMaxSweepVisits = 1024;

struct SegmentCache {
  SpinLock lock;
  Segment* slots[kCacheSlots];
  std::atomic<std::uint64_t> last_collect_ms;  // read without the lock to skip early
  std::atomic<bool> holds_segments;            // read without the lock by admin work
};
SegmentCache g_cache;

// Segments of exited threads, first in first out: a sweep takes from the head and puts the
// segments it does not keep back at the tail, so every one is visited in turn (a LIFO stack
// let the most recently abandoned segments shadow older ones whose blocks had all been
// freed, and those were never released).
struct AbandonedQueue {
  SpinLock lock;
  Segment* head;
  Segment* tail;
  std::atomic<std::size_t> count;  // read without the lock to skip empty sweeps
};
AbandonedQueue g_abandoned;

std::size_t page_shift_of(SegmentKind kind) noexcept {
  switch (kind) {
    case SegmentKind::kSmall: return kSmallPageShift;
    case SegmentKind::kMedium: return kMediumPageShift;
    case SegmentKind::kHuge: break;
  }
  return kHugePageShift;
}

// Which of two fitting cached segments to reuse: one still holding its memory before a
// purged one (which faults its pages in again); then one of the kind asked for (small and
// medium slots differ in size, so the other kind's resident memory lies where its blocks
// were, not where ours will go: reuse across kinds made glibc_thread's RSS 1.5x mimalloc's);
// then the most recently cached (the older ones are the ones to age into a purge and an unmap).
bool better_to_reuse(const Segment* a, const Segment* b, SegmentKind kind) noexcept {
  if (a->purged != b->purged) return !a->purged;
  if ((a->kind == kind) != (b->kind == kind)) return a->kind == kind;
  return a->cached_at_ms > b->cached_at_ms;
}

// A cached segment that fits `size` without wasting more than half again; else a new mapping.
Segment* segment_map(std::size_t size, SegmentKind kind) noexcept {
  Segment* found = nullptr;
  {
    LockGuard guard(g_cache.lock);
    Segment** best = nullptr;
    for (Segment*& slot : g_cache.slots) {
      if (slot != nullptr && slot->mapped_size >= size && slot->mapped_size - size <= size / 2 &&
          (best == nullptr || better_to_reuse(slot, *best, kind)))
        best = &slot;
    }
    if (best != nullptr) {
      found = *best;
      *best = nullptr;
    }
  }
  if (found != nullptr) return found;
  auto* segment = static_cast<Segment*>(os_map_aligned(size, kSegmentSize));
  if (segment == nullptr) return nullptr;
  segment->mapped_size = size;
  segment->purged = true;  // fresh from the OS: zero
  return segment;
}

// What a page slot's memory holds: nothing written since it was mapped or purged (zero), or
// else when it was last freed, which starts its purge delay.
struct SlotMemory {
  bool zero;
  std::uint32_t freed_at_ms;
};

// The slots of a segment taken from the cache, as its header says before segment_setup
// resets it. A huge block's one slot was written and never freed on its own: it counts as
// freed when the segment was cached.
std::uint32_t read_slot_memory(const Segment* segment, SlotMemory (&slots)[kMaxPagesPerSegment]) noexcept {
  if (segment->kind == SegmentKind::kHuge) {
    slots[0] = {false, static_cast<std::uint32_t>(segment->cached_at_ms)};
    return 1;
  }
  for (std::uint32_t j = 0; j < segment->page_count; ++j) {
    const Page& page = segment->pages[j];
    ALLOCLAB_ASSERT(!page.in_use);  // cached segments have every slot free (release_emptied)
    slots[j] = {page.is_zero_init, page.freed_at_ms};
  }
  return segment->page_count;
}

// The memory of new slot [lo, hi) from the old slots (old_shift wide) it overlaps: the old
// kind may differ, so slots differ in size. Zero if all of them were; else freed when the
// latest of them was (a slot freed moments ago is not purged because its neighbour is old).
SlotMemory slot_memory_of(const SlotMemory* old, std::uint32_t old_count, unsigned old_shift, std::size_t lo,
                          std::size_t hi) noexcept {
  SlotMemory m{true, 0};
  const std::size_t last = (hi - 1) >> old_shift;
  for (std::size_t j = lo >> old_shift; j <= last && j < old_count; ++j) {
    if (old[j].zero) continue;
    if (m.zero || static_cast<std::int32_t>(old[j].freed_at_ms - m.freed_at_ms) > 0) m.freed_at_ms = old[j].freed_at_ms;
    m.zero = false;
  }
  return m;
}

// Sets a segment up for `kind`; returns how many of its page slots still hold memory (to be
// purged once they have been free for kPurgeDelayMs, as any freed slot is). A cached,
// unpurged segment keeps each slot's own history: the slots it hands out are not faulted in
// again, and the ones it does not use are purged when their delay runs out. (Restarting
// every slot's clock at time zero made the new owner's first admin pass purge them all,
// and the next thread faulted its working set in again; restarting it at caching time kept
// slots resident forever when threads replaced each other within the delay.)
std::uint32_t segment_setup(Segment* segment, SegmentKind kind, std::uintptr_t thread_id) noexcept {
  const std::size_t mapped = segment->mapped_size;
  const bool zero = segment->purged;
  SlotMemory old[kMaxPagesPerSegment];
  const unsigned old_shift = segment->page_shift;
  const std::uint32_t old_count = zero ? 0 : read_slot_memory(segment, old);
  // The header's page array is metadata we own: reset it (cheap next to a page fault).
  std::memset(static_cast<void*>(segment), 0, sizeof(Segment));
  segment->mapped_size = mapped;
  segment->kind = kind;
  segment->page_shift = static_cast<std::uint8_t>(page_shift_of(kind));
  segment->page_count =
      kind == SegmentKind::kHuge ? 1 : static_cast<std::uint32_t>(kSegmentSize >> segment->page_shift);
  std::uint32_t holding = 0;
  for (std::uint32_t i = 0; i < segment->page_count; ++i) {
    const std::size_t lo = std::size_t{i} << segment->page_shift;
    const std::size_t hi = kind == SegmentKind::kHuge ? mapped : lo + (std::size_t{1} << segment->page_shift);
    const SlotMemory m = slot_memory_of(old, old_count, old_shift, lo, hi);
    segment->pages[i].is_zero_init = m.zero;
    segment->pages[i].freed_at_ms = m.freed_at_ms;
    holding += m.zero ? 0 : 1;
  }
  segment->thread_id.store(thread_id, std::memory_order_release);
  segment_map_mark(segment, true);
  return holding;
}

// Returns a segment to the cache (or the OS). The cache keeps the most recent kCacheSlots.
void segment_release(Segment* segment) noexcept {
  segment_map_mark(segment, false);  // from now on a free() into it is an invalid free
  segment->thread_id.store(0, std::memory_order_relaxed);
  if (segment->mapped_size <= kCacheMaxSegmentSize) {
    segment->cached_at_ms = os_now_ms();
    segment->purged = false;
    Segment* evicted = segment;
    {
      LockGuard guard(g_cache.lock);
      std::size_t cached_bytes = segment->mapped_size;
      for (Segment* slot : g_cache.slots) cached_bytes += slot != nullptr ? slot->mapped_size : 0;
      for (Segment*& slot : g_cache.slots) {
        if (slot == nullptr && cached_bytes <= kCacheMaxBytes) {
          slot = segment;
          evicted = nullptr;
          break;
        }
      }
      if (evicted != nullptr && cached_bytes <= kCacheMaxBytes) {  // no free slot: replace the oldest
        Segment** oldest = &g_cache.slots[0];
        for (Segment*& slot : g_cache.slots) {
          if (slot->cached_at_ms < (*oldest)->cached_at_ms) oldest = &slot;
        }
        evicted = *oldest;
        *oldest = segment;
      }
    }
    g_cache.holds_segments.store(true, std::memory_order_relaxed);
    if (evicted != nullptr) os_unmap(evicted, evicted->mapped_size);
  } else {
    os_unmap(segment, segment->mapped_size);
  }
  segment_cache_collect();
}

void free_queue_remove(Heap* heap, Segment* segment) noexcept {
  if (!segment->in_free_queue) return;
  Segment*& head = heap->free_segments[segment->kind == SegmentKind::kSmall ? 0 : 1];
  if (segment->prev != nullptr) segment->prev->next = segment->next;
  if (segment->next != nullptr) segment->next->prev = segment->prev;
  if (head == segment) head = segment->next;
  segment->next = segment->prev = nullptr;
  segment->in_free_queue = false;
}

void free_queue_push(Heap* heap, Segment* segment) noexcept {
  if (segment->in_free_queue) return;
  Segment*& head = heap->free_segments[segment->kind == SegmentKind::kSmall ? 0 : 1];
  segment->prev = nullptr;
  segment->next = head;
  if (head != nullptr) head->prev = segment;
  head = segment;
  segment->in_free_queue = true;
}

void segment_free(Heap* heap, Segment* segment) noexcept {
  free_queue_remove(heap, segment);
  segment_release(segment);
}

// Takes the first free page slot of a segment in the heap's free queue for `kind`.
Page* take_page_slot(Heap* heap, SegmentKind kind) noexcept {
  Segment* segment = heap->free_segments[kind == SegmentKind::kSmall ? 0 : 1];
  if (segment == nullptr) return nullptr;
  for (std::uint32_t i = 0; i < segment->page_count; ++i) {
    Page* page = &segment->pages[i];
    if (!page->in_use) {
      page->in_use = true;
      if (++segment->used_pages == segment->page_count) free_queue_remove(heap, segment);
      return page;
    }
  }
  fatal("segment in the free queue has no free page slot", __FILE__, __LINE__);
}

// One page slot fewer in use: the segment goes back to its heap's free queue, or away.
void segment_unref(Heap* heap, Segment* segment) noexcept {
  ALLOCLAB_ASSERT(segment->used_pages > 0);
  if (--segment->used_pages == 0) {
    segment_free(heap, segment);
  } else if (segment->used_pages < segment->page_count) {
    free_queue_push(heap, segment);
  }
}

// Returns the memory of the segment's page slots free for longer than kPurgeDelayMs to the
// OS; returns how many free slots still hold memory. A slot reused before that keeps its
// memory: churn pays no syscalls, and neither does a thread that takes over the segments
// of one that just exited (their slots are not purged at the exit, only once they age).
std::uint32_t purge_free_slots(Segment* segment, std::uint32_t now) noexcept {
  std::uint32_t remaining = 0;
  for (std::uint32_t i = 0; i < segment->page_count; ++i) {
    Page* page = &segment->pages[i];
    if (page->in_use || page->is_zero_init) continue;
    if (now - page->freed_at_ms < kPurgeDelayMs) {
      ++remaining;
      continue;
    }
    const PageArea area = page_area(segment, i);
    os_purge(area.start, static_cast<std::size_t>(area.end - area.start));
    page->is_zero_init = true;
  }
  return remaining;
}

Segment* abandoned_pop() noexcept {
  LockGuard guard(g_abandoned.lock);
  Segment* segment = g_abandoned.head;
  if (segment != nullptr) {
    g_abandoned.head = segment->next;
    if (g_abandoned.head == nullptr) g_abandoned.tail = nullptr;
    segment->next = nullptr;
    g_abandoned.count.fetch_sub(1, std::memory_order_relaxed);
  }
  return segment;
}

// Appends the chain first..last (linked through `next`, n segments) at the tail.
void abandoned_append(Segment* first, Segment* last, std::size_t n) noexcept {
  if (first == nullptr) return;
  last->next = nullptr;
  LockGuard guard(g_abandoned.lock);
  if (g_abandoned.tail != nullptr) {
    g_abandoned.tail->next = first;
  } else {
    g_abandoned.head = first;
  }
  g_abandoned.tail = last;
  g_abandoned.count.fetch_add(n, std::memory_order_relaxed);
}

// What an abandoned segment (popped, so ours alone) holds once its remote frees are counted.
struct AbandonedContents {
  bool all_free;        // every block was freed (by other threads): release the segment
  bool serves_request;  // has a page of the wanted bin with space, or a free page slot of the wanted kind
};

struct ReclaimWant {
  std::uint8_t bin;
  SegmentKind kind;
};

AbandonedContents inspect_abandoned(Segment* segment, const ReclaimWant* want) noexcept {
  AbandonedContents c{true, false};
  std::uint32_t live_pages = 0;
  for (std::uint32_t i = 0; i < segment->page_count; ++i) {
    Page* page = &segment->pages[i];
    if (!page->in_use) continue;
    page_thread_free_collect(page);
    if (page->used == 0) continue;
    ++live_pages;
    c.all_free = false;
    if (want != nullptr && page->bin == want->bin && page->used < page->reserved) c.serves_request = true;
  }
  if (want != nullptr && segment->kind == want->kind && live_pages < segment->page_count) c.serves_request = true;
  return c;
}

// Takes over a popped abandoned segment: its live pages join the heap's queues, its empty
// pages become free slots.
void reclaim_into(Heap* heap, Segment* segment) noexcept {
  ALLOCLAB_STAT(heap, segments_reclaimed);
  segment->thread_id.store(heap->thread_id, std::memory_order_release);
  segment->prev = segment->next = nullptr;
  segment->in_free_queue = false;
  // Hold a pseudo page-reference so freeing empty pages cannot release the segment mid-loop.
  ++segment->used_pages;
  for (std::uint32_t i = 0; i < segment->page_count; ++i) {
    Page* page = &segment->pages[i];
    if (!page->in_use) {
      if (!page->is_zero_init) ++heap->unpurged_pages;  // ours to purge once it has aged
      continue;
    }
    page_set_delayed(page, kNoDelayedFree, true);
    page->heap.store(heap, std::memory_order_release);
    page_free_collect(page, false);
    PageQueue* pq = &heap->pages[page->bin];
    queue_push_front(heap, pq, page);
    if (page->used == 0) page_free(heap, page, pq);
  }
  segment_unref(heap, segment);
}

// Releases an abandoned segment whose blocks were all freed by other threads. Its pages are
// still marked in use (nobody ran segment_page_free on them): free them as that would, so the
// cached segment's slots say "written, freed now" and a later owner neither hands out their
// memory as zero (calloc) nor purges it before the delay.
void release_emptied(Segment* segment, std::uint32_t now) noexcept {
  for (std::uint32_t i = 0; i < segment->page_count; ++i) {
    Page* page = &segment->pages[i];
    if (!page->in_use) continue;
    page->in_use = false;
    page->is_zero_init = false;
    page->freed_at_ms = now;
  }
  segment_release(segment);
}

// Visits a bounded number of abandoned segments from the head: releases those whose blocks
// were all freed, takes over the first that serves `want` (none when `want` is null), and
// puts the others back at the tail. Returns whether a segment was taken over.
bool sweep_abandoned(Heap* heap, const ReclaimWant* want) noexcept {
  const std::size_t queued = g_abandoned.count.load(std::memory_order_relaxed);
  if (queued == 0) return false;
  std::size_t visits = queued / 8;
  if (visits < kMinSweepVisits) visits = kMinSweepVisits;
  if (visits > kMaxSweepVisits) visits = kMaxSweepVisits;
  if (visits > queued) visits = queued;
  const auto now = static_cast<std::uint32_t>(os_now_ms());
  Segment* kept_first = nullptr;
  Segment* kept_last = nullptr;
  std::size_t kept = 0;
  bool taken = false;
  for (std::size_t i = 0; i < visits && !taken; ++i) {
    Segment* segment = abandoned_pop();
    if (segment == nullptr) break;
    const AbandonedContents c = inspect_abandoned(segment, want);
    if (c.all_free) {
      ALLOCLAB_STAT(heap, abandoned_released);
      release_emptied(segment, now);
    } else if (c.serves_request) {
      reclaim_into(heap, segment);
      taken = true;
    } else {
      // Nobody else purges an abandoned segment's free slots: the sweep does, once they age.
      purge_free_slots(segment, now);
      if (kept_last == nullptr)
        kept_first = segment;
      else
        kept_last->next = segment;
      kept_last = segment;
      ++kept;
    }
  }
  abandoned_append(kept_first, kept_last, kept);
  return taken;
}

}  // namespace

Page* segment_page_alloc(Heap* heap, SegmentKind kind) noexcept {
  if (Page* page = take_page_slot(heap, kind)) return page;
  Segment* segment = segment_map(kSegmentSize, kind);
  if (segment == nullptr) return nullptr;
  heap->unpurged_pages += segment_setup(segment, kind, heap->thread_id);
  free_queue_push(heap, segment);
  return take_page_slot(heap, kind);
}

void segment_page_free(Heap* heap, Page* page) noexcept {
  page->in_use = false;
  page->is_zero_init = false;  // its blocks were written: purge the slot if it stays free
  page->freed_at_ms = static_cast<std::uint32_t>(os_now_ms());
  ++heap->unpurged_pages;
  segment_unref(heap, segment_of(page));
}

void segment_purge_free_pages(Heap* heap) noexcept {
  const auto now = static_cast<std::uint32_t>(os_now_ms());
  std::uint32_t remaining = 0;
  for (Segment* segment : heap->free_segments) {
    for (; segment != nullptr; segment = segment->next) remaining += purge_free_slots(segment, now);
  }
  heap->unpurged_pages = remaining;
}

void segment_abandon_all(Heap* heap) noexcept {
  // Every owned segment has at least one page in use, and every page in use is in a queue.
  // The segments are gathered on a private list and published only after the walk: a
  // segment published mid-walk could be reclaimed by another thread while this walk still
  // follows `page->next` links through it and re-abandons it on meeting its next page.
  Segment* gathered = nullptr;
  Segment* tail = nullptr;  // the first one gathered
  std::size_t gathered_count = 0;
  for (PageQueue& pq : heap->pages) {
    for (Page* page = pq.first; page != nullptr; page = page->next) {
      Segment* segment = segment_of(page);
      if (segment->thread_id.load(std::memory_order_relaxed) == 0) continue;  // already gathered
      free_queue_remove(heap, segment);
      for (std::uint32_t i = 0; i < segment->page_count; ++i) {
        Page* p = &segment->pages[i];
        if (!p->in_use) continue;
        p->flags &= static_cast<std::uint8_t>(~kPageInFull);
        p->retire_expire = 0;
        p->heap.store(nullptr, std::memory_order_release);
      }
      segment->thread_id.store(0, std::memory_order_release);  // remote frees from now on
      segment->next = gathered;
      gathered = segment;
      ++gathered_count;
      if (tail == nullptr) tail = segment;
    }
  }
  for (PageQueue& pq : heap->pages) pq.first = pq.last = nullptr;
  heap->free_segments[0] = heap->free_segments[1] = nullptr;
  abandoned_append(gathered, tail, gathered_count);
}

bool segment_has_free_slot(const Heap* heap, SegmentKind kind) noexcept {
  return heap->free_segments[kind == SegmentKind::kSmall ? 0 : 1] != nullptr;
}

bool segment_reclaim_for(Heap* heap, std::uint8_t bin, SegmentKind kind) noexcept {
  const ReclaimWant want{bin, kind};
  return sweep_abandoned(heap, &want);
}

void segment_release_abandoned(Heap* heap) noexcept { sweep_abandoned(heap, nullptr); }

bool segment_abandoned_waiting() noexcept { return g_abandoned.count.load(std::memory_order_relaxed) != 0; }

void* huge_alloc(std::size_t size, std::size_t alignment, bool zero) noexcept {
  if (size > (std::size_t{1} << 46) || alignment > kMaxAlignment) {
    errno = ENOMEM;
    return nullptr;
  }
  if (alignment < kMinAlign) alignment = kMinAlign;
  const std::size_t offset = (kSegmentHeaderSize + alignment - 1) & ~(alignment - 1);
  const std::size_t need = (offset + size + kOsPageSize - 1) & ~(kOsPageSize - 1);
  Segment* segment = segment_map(need, SegmentKind::kHuge);
  if (segment == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  const bool was_zero = segment->purged;
  segment_setup(segment, SegmentKind::kHuge, 0);  // unowned: any thread frees it directly
  Page* page = &segment->pages[0];
  page->in_use = true;
  page->page_start = reinterpret_cast<std::uint8_t*>(segment) + offset;
  page_set_block_divisor(page, segment->mapped_size - offset);
  page->reserved = page->capacity = 1;
  page->used = 1;
  page->bin = kBinHuge;
  page->thread_free.store(kNeverDelayedFree, std::memory_order_relaxed);
  segment->used_pages = 1;
  if (Heap* heap = tl_heap; heap != &g_empty_heap) ALLOCLAB_STAT(heap, huge_allocs);
  if (zero && !was_zero) std::memset(page->page_start, 0, size);
  return page->page_start;
}

void huge_free(Segment* segment) noexcept { segment_release(segment); }

void segment_cache_collect() noexcept {
  const std::uint64_t now = os_now_ms();
  if (now == g_cache.last_collect_ms.load(std::memory_order_relaxed)) return;  // once per ms
  Segment* to_unmap[kCacheSlots];
  std::size_t n_unmap = 0;
  Segment* to_purge[kCacheSlots];
  std::size_t n_purge = 0;
  {
    LockGuard guard(g_cache.lock);
    g_cache.last_collect_ms.store(now, std::memory_order_relaxed);
    for (Segment*& slot : g_cache.slots) {
      if (slot == nullptr) continue;
      // A segment cached after `now` was read (before we got the lock) is of age 0, not ~2^64.
      const std::uint64_t age = slot->cached_at_ms < now ? now - slot->cached_at_ms : 0;
      if (age >= kUnmapDelayMs) {
        to_unmap[n_unmap++] = slot;
        slot = nullptr;
      } else if (!slot->purged && age >= kPurgeDelayMs) {
        to_purge[n_purge++] = slot;
        slot = nullptr;  // out of the cache while we madvise without the lock
      }
    }
  }
  // Everything after the first OS page goes back to the OS; the first page keeps the cache's
  // fields, and segment_setup rebuilds the rest of the header on reuse.
  static_assert(offsetof(Segment, pages) <= kOsPageSize, "the cache's fields must survive a purge");
  for (std::size_t i = 0; i < n_purge; ++i) {
    Segment* segment = to_purge[i];
    os_purge(reinterpret_cast<std::uint8_t*>(segment) + kOsPageSize, segment->mapped_size - kOsPageSize);
    segment->purged = true;
  }
  {
    LockGuard guard(g_cache.lock);
    std::size_t next = 0;
    for (Segment*& slot : g_cache.slots) {
      if (slot == nullptr && next < n_purge) slot = to_purge[next++];
    }
    while (next < n_purge) to_unmap[n_unmap++] = to_purge[next++];  // the cache refilled meanwhile
    bool any = false;
    for (Segment* slot : g_cache.slots) any = any || slot != nullptr;
    g_cache.holds_segments.store(any, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < n_unmap; ++i) os_unmap(to_unmap[i], to_unmap[i]->mapped_size);
}

bool segment_cache_holds_segments() noexcept { return g_cache.holds_segments.load(std::memory_order_relaxed); }

void segments_fork_prepare() noexcept {
  g_abandoned.lock.lock();
  g_cache.lock.lock();
}
void segments_fork_parent() noexcept {
  g_cache.lock.unlock();
  g_abandoned.lock.unlock();
}
void segments_fork_child() noexcept {
  g_cache.lock.reset_in_fork_child();
  g_abandoned.lock.reset_in_fork_child();
}

}  // namespace alloclab
