// heap.cc — per-thread heaps: creation on a thread's first allocation, admin work and
// collection, delayed frees, and abandonment at thread exit (a pthread key destructor).
#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstring>

#include "internal.h"
#include "lock.h"
#include "os.h"

namespace alloclab {

// The static empty page: `free` is null, so the fast path always falls to the generic path.
constinit Page g_empty_page{};

namespace {
constexpr auto kEmptyDirect = [] {
  decltype(Heap::pages_free_direct) direct{};
  direct.fill(&g_empty_page);
  return direct;
}();
}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"  // the rest is zero, on purpose
constinit Heap g_empty_heap{.pages_free_direct = kEmptyDirect};
#pragma GCC diagnostic pop
constinit thread_local Heap* tl_heap __attribute__((tls_model("initial-exec"))) = &g_empty_heap;

namespace {

inline constexpr std::size_t kHeapChunkSize = 256 * 1024;

struct HeapRegistry {
  SpinLock lock;
  Heap* free_list;        // recycled heap structs (linked through next_live)
  Heap* live;             // heaps of running threads
  Counters exited;        // counters of heaps whose threads have exited
  std::uint64_t created;  // heaps handed out: proof that this library served some thread
};
HeapRegistry g_heaps;

pthread_key_t g_heap_key;
std::atomic<int> g_process_state{0};  // 0 = not initialised, 1 = initialising, 2 = ready

void add_counters(Counters& into, const Counters& from) noexcept {
#define ALLOCLAB_ADD_COUNTER(name) into.name += from.name;
  ALLOCLAB_COUNTERS(ALLOCLAB_ADD_COUNTER)
#undef ALLOCLAB_ADD_COUNTER
}

// Heap structs live in memory mapped here (the allocator never calls the system malloc).
Heap* heap_struct_acquire() noexcept {
  LockGuard guard(g_heaps.lock);
  if (g_heaps.free_list == nullptr) {
    auto* chunk = static_cast<std::uint8_t*>(os_map_aligned(kHeapChunkSize, kOsPageSize));
    if (chunk == nullptr) return nullptr;
    for (std::size_t off = 0; off + sizeof(Heap) <= kHeapChunkSize; off += sizeof(Heap)) {
      auto* heap = reinterpret_cast<Heap*>(chunk + off);
      heap->next_live = g_heaps.free_list;
      g_heaps.free_list = heap;
    }
  }
  Heap* heap = g_heaps.free_list;
  g_heaps.free_list = heap->next_live;
  ++g_heaps.created;
  std::memset(static_cast<void*>(heap), 0, sizeof(Heap));
  heap->prev_live = nullptr;
  heap->next_live = g_heaps.live;
  if (g_heaps.live != nullptr) g_heaps.live->prev_live = heap;
  g_heaps.live = heap;
  return heap;
}

void heap_struct_release(Heap* heap) noexcept {
  LockGuard guard(g_heaps.lock);
  add_counters(g_heaps.exited, heap->stats);
  if (heap->prev_live != nullptr) heap->prev_live->next_live = heap->next_live;
  if (heap->next_live != nullptr) heap->next_live->prev_live = heap->prev_live;
  if (g_heaps.live == heap) g_heaps.live = heap->next_live;
  heap->next_live = g_heaps.free_list;
  g_heaps.free_list = heap;
}

void heap_thread_exit(void* value) noexcept { heap_done(static_cast<Heap*>(value)); }

// Processes one block a remote thread freed into one of our full pages. Returns false when
// the page is mid-way through another remote free (try again later).
bool free_delayed_block(Heap* heap, Block* block) noexcept {
  Page* page = page_of(block);
  if (delayed_state(page->thread_free.load(std::memory_order_acquire)) == kDelayedFreeing) return false;
  page_free_collect(page, false);  // bring `used` up to date first
  free_block_local(heap, page, block, true);
  return true;
}

}  // namespace

void process_init() noexcept {
  int expected = 0;
  if (g_process_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    pthread_key_create(&g_heap_key, &heap_thread_exit);  // does not allocate
    g_process_state.store(2, std::memory_order_release);
    return;
  }
  while (g_process_state.load(std::memory_order_acquire) != 2) sched_yield();
}

Heap* heap_init_thread() noexcept {
  process_init();
  Heap* heap = heap_struct_acquire();
  if (heap == nullptr) return nullptr;
  heap->pages_free_direct = kEmptyDirect;
  for (std::size_t bin = 0; bin < kBinCount; ++bin) heap->pages[bin].block_size = kBins[bin].block_size;
  heap->thread_id = current_thread_id();
  heap->page_retired_min = kBinFull;
  heap->page_retired_max = 0;
  heap->promotions_left = kMaxInlinePromotions;
  tl_heap = heap;
  pthread_setspecific(g_heap_key, heap);
  return heap;
}

void heap_delayed_free(Heap* heap, bool all) noexcept {
  for (;;) {
    Block* block = heap->thread_delayed_free.exchange(nullptr, std::memory_order_acquire);
    if (block == nullptr) return;
    bool retry = false;
    while (block != nullptr) {
      Block* next = block->next;
      ALLOCLAB_STAT(heap, delayed_frees);
      if (!free_delayed_block(heap, block)) {  // contended: put it back for a later pass
        Block* head = heap->thread_delayed_free.load(std::memory_order_relaxed);
        do {
          block->next = head;
        } while (!heap->thread_delayed_free.compare_exchange_weak(head, block, std::memory_order_release,
                                                                  std::memory_order_relaxed));
        retry = true;
      }
      block = next;
    }
    if (!all) return;
    if (retry) sched_yield();
  }
}

// Runs every admin_interval generic calls: the deferred-free hook (alloclab registers none;
// mimalloc's mi_register_deferred_free would run here), a pass over thread_delayed_free, and
// every ~kGenericCollectInterval generic calls a heap collect.
void heap_admin(Heap* heap) noexcept {
  ALLOCLAB_STAT(heap, admin_runs);
  heap->generic_collect_count += heap->generic_count;
  heap->generic_count = 0;
  heap_delayed_free(heap, false);
  // Return memory freed more than kPurgeDelayMs ago, and segments of exited threads whose
  // blocks other threads have freed since; scan at most once per purge delay.
  if (heap->unpurged_pages != 0 || segment_cache_holds_segments() || segment_abandoned_waiting()) {
    const auto now = static_cast<std::uint32_t>(os_now_ms());
    if (now - heap->last_purge_ms >= kPurgeDelayMs) {
      heap->last_purge_ms = now;
      segment_purge_free_pages(heap);
      segment_release_abandoned(heap);
      segment_cache_collect();
    }
  }
  if (heap->generic_collect_count >= kGenericCollectInterval) {
    heap->generic_collect_count = 0;
    heap_collect(heap, false);
  }
}

void heap_collect(Heap* heap, bool force) noexcept {
  ALLOCLAB_STAT(heap, heap_collects);
  heap_delayed_free(heap, force);
  for (std::size_t bin = 0; bin < kBinCount; ++bin) {
    PageQueue* pq = &heap->pages[bin];
    for (Page* page = pq->first; page != nullptr;) {
      Page* next = page->next;
      page_free_collect(page, force);
      if (page->used == 0) {
        page_free(heap, page, pq);  // retired pages too
      } else if (bin == kBinFull && (page->free != nullptr || page->local_free != nullptr)) {
        page_unfull(heap, page);
      }
      page = next;
    }
  }
  collect_retired(heap, force);
  // Not forced even at thread exit: the slots freed just now are purged once they age, by the
  // heap that takes their segment over or by the abandoned-segment sweep, so a thread that
  // replaces an exited one does not fault the same memory in again.
  segment_purge_free_pages(heap);
  if (!force) segment_release_abandoned(heap);  // segments of exited threads, all freed since
  // The segment cache is the process's, not this heap's: a dying thread does not empty it.
  segment_cache_collect();
  heap_check(heap);
}

void heap_done(Heap* heap) noexcept {
  if (heap == nullptr || heap == &g_empty_heap) return;
  // 1. No remote thread may start a delayed free into our heap from now on...
  for (PageQueue& pq : heap->pages) {
    for (Page* page = pq.first; page != nullptr; page = page->next) page_set_delayed(page, kNeverDelayedFree, false);
  }
  // 2. ...so the delayed list can be drained for good; then free every empty page.
  heap_collect(heap, true);
  // 3. Live pages go to the abandoned list with their segments, for another thread to reclaim.
  segment_abandon_all(heap);
  tl_heap = &g_empty_heap;  // a later malloc on this thread (other TLS destructors) starts anew
  heap_struct_release(heap);
}

Counters heaps_sum_counters() noexcept {
  LockGuard guard(g_heaps.lock);
  Counters sum = g_heaps.exited;
  for (Heap* heap = g_heaps.live; heap != nullptr; heap = heap->next_live) add_counters(sum, heap->stats);
  return sum;
}

std::uint64_t heaps_created() noexcept {
  LockGuard guard(g_heaps.lock);
  return g_heaps.created;
}

void heaps_fork_prepare() noexcept { g_heaps.lock.lock(); }
void heaps_fork_parent() noexcept { g_heaps.lock.unlock(); }
void heaps_fork_child() noexcept { g_heaps.lock.reset_in_fork_child(); }

}  // namespace alloclab
