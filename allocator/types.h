// types.h — the allocator's data structures and the invariants that tie them together.
//
// Glossary (mimalloc's architecture, v1-style segment layout as ALLOCATOR.md allows):
//   block    one allocation; a free block's first word links it into a free list.
//   page     a run of equal-sized blocks: 64 KiB (blocks <= 8 KiB) or 512 KiB (<= 64 KiB);
//            a huge block (> 64 KiB) is the single block of its own page and segment.
//   segment  a 4 MiB-aligned region from mmap holding pages; its header (this file's Segment,
//            with the page metadata array) sits at its start, so any pointer finds its
//            segment with one mask and its page with one shift.
//   heap     per-thread: a page queue per size-class bin, the full queue, and the
//            pages_free_direct table that makes malloc of <= 1 KiB one load + one pop.
//
// Layers: os -> size_classes -> page -> segment -> heap -> C API; lower layers never
// include higher ones.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "options.h"
#include "size_classes.h"
#include "stats.h"

namespace alloclab {

inline constexpr unsigned kSegmentShift = 22;  // 4 MiB
inline constexpr std::size_t kSegmentSize = std::size_t{1} << kSegmentShift;
inline constexpr std::uintptr_t kSegmentMask = kSegmentSize - 1;
inline constexpr unsigned kSmallPageShift = 16;                                      // 64 KiB
inline constexpr unsigned kMediumPageShift = 19;                                     // 512 KiB
inline constexpr unsigned kHugePageShift = 62;                                       // every offset maps to page 0
inline constexpr std::size_t kMaxPagesPerSegment = kSegmentSize >> kSmallPageShift;  // 64
inline constexpr std::size_t kMaxExtendSize = 4096;  // bytes threaded per extend (one OS page)
inline constexpr std::size_t kOsPageSize = 4096;
inline constexpr std::size_t kMaxAlignment = kSegmentSize / 2;   // larger alignments: ENOMEM
inline constexpr std::uint32_t kGenericCollectInterval = 10000;  // generic calls per heap collect
inline constexpr std::size_t kMaxCandidateSearch = 4;
inline constexpr std::uint32_t kPurgeDelayMs = 10;  // free page slots / cached segments keep memory this long

struct Block {
  Block* next;
};

// Low two bits of Page::thread_free: may a cross-thread free use the owner's delayed list?
enum DelayedState : std::uintptr_t {
  kUseDelayedFree = 0,    // page is in the full queue: the first remote free notifies the owner
  kDelayedFreeing = 1,    // a remote thread is pushing onto the owner's delayed list right now
  kNoDelayedFree = 2,     // plain remote frees onto thread_free
  kNeverDelayedFree = 3,  // abandoned page (no owner heap)
};
inline constexpr std::uintptr_t kDelayedMask = 3;

struct Heap;
struct Segment;

enum PageFlags : std::uint8_t {
  kPageInFull = 1,      // in the heap's full queue
  kPageHasAligned = 2,  // holds a block handed out at an interior (aligned) address
};

// Invariants (checked by page_check() in ALLOCLAB_DEBUG builds):
//   used + |free| + |local_free| == capacity <= reserved   (used counts blocks sitting in
//       thread_free too: a remote free decrements used only when thread_free is collected,
//       so live blocks = used - |thread_free|)
//   used == 0  <=>  every block of the page is free
//   free_is_zero  =>  every block on `free` is zero except its link word
// alignas(64): a page's hot fields share one cache line, and sizeof(Page) becomes a power of
// two (128), so free() turns the page index into an address with one shift.
struct alignas(64) Page {
  // -- hot: the malloc fast path reads free/used, the free fast path local_free/used/flags
  Block* free;        // allocation pops here
  Block* local_free;  // the owner's frees push here; never refills `free` directly, so `free`
                      // runs dry and the owner reaches the generic path (the heartbeat)
  std::uint32_t used;
  std::uint8_t flags;  // PageFlags; non-zero sends free() to its slow path
  bool free_is_zero;
  std::uint8_t retire_expire;  // > 0: empty page kept alive for this many more collect_retired
  std::uint8_t bin;
  std::uint16_t capacity;  // blocks initialised so far (extend_free grows it)
  std::uint16_t reserved;  // blocks that fit in the page
  // direct_free: local frees that may still go straight onto `free` (LIFO: the block freed
  // last is handed out next, still in cache); at 0 frees go to local_free and the first one
  // empties `free` (see heap_free), so the generic path (the heartbeat) is reached. Refilled
  // to kOptions.direct_free whenever local_free is taken over: by page_free_collect (the
  // generic path) or by a promotion heartbeat_allows_promotion approved.
  std::int16_t direct_frees_left;
  std::uint8_t retire_cycles;  // retire_expire given when it empties: retire_cycles, 1/4 for > 8 KiB blocks
  // block_size = m << block_shift with m odd, and block_inverse * m == 1 (mod 2^64): then
  // rotr(offset * block_inverse, block_shift) is offset / block_size when it divides, and
  // huge otherwise, so free() checks "p starts a block handed out" with one multiply.
  std::uint8_t block_shift;
  std::uint64_t block_inverse;
  std::size_t block_size;                   // bytes; for huge pages, the usable bytes from page_start
  std::uint8_t* page_start;                 // first block
  std::atomic<std::uintptr_t> thread_free;  // Block* | DelayedState: remote frees (CAS push)
  std::atomic<Heap*> heap;                  // owner heap; nullptr when abandoned
  Page* next;                               // page queue links
  Page* prev;
  std::uint32_t freed_at_ms;  // free slot, not yet purged: when it was freed (purge after a delay)
  bool in_use;                // page slot handed to a heap
  bool is_zero_init;          // the slot's memory is fresh from the OS (or purged)
};

static_assert((sizeof(Page) & (sizeof(Page) - 1)) == 0, "free() indexes pages with a shift");

enum class SegmentKind : std::uint8_t { kSmall, kMedium, kHuge };

struct Segment {
  std::atomic<std::uintptr_t> thread_id;  // owning thread; 0 when abandoned and for huge
  std::uint8_t page_shift;
  SegmentKind kind;
  bool in_free_queue;  // linked in its heap's free_segments[kind]
  bool purged;         // (segment cache) memory returned with MADV_DONTNEED since caching
  std::uint32_t page_count;
  std::uint32_t used_pages;
  std::size_t mapped_size;     // bytes mapped from this header on
  std::uint64_t cached_at_ms;  // (segment cache) when it was cached
  Segment* next;               // heap's free_segments queue, the abandoned list
  Segment* prev;
  Page pages[kMaxPagesPerSegment];
};

// Page 0 starts after the header, on an OS page so that purging the page returns all of its
// blocks; huge blocks start there too (or at their alignment).
inline constexpr std::size_t kSegmentHeaderSize = (sizeof(Segment) + kOsPageSize - 1) & ~(kOsPageSize - 1);

struct PageQueue {
  Page* first;
  Page* last;
  std::size_t block_size;
};

struct Heap {
  // pages_free_direct[wsize] is the first page of the queue serving wsize (<= 1 KiB), or
  // the static empty page (free == nullptr) that forces the generic path.
  std::array<Page*, kSmallWsizeMax + 1> pages_free_direct;
  PageQueue pages[kBinCount];
  std::atomic<Block*> thread_delayed_free;  // remote frees into full pages, see DelayedState
  std::uintptr_t thread_id;
  std::size_t page_retired_min;  // bin range that may hold retired pages
  std::size_t page_retired_max;
  std::uint32_t generic_count;          // generic calls since the last admin run
  std::uint32_t generic_collect_count;  // generic calls since the last heap collect
  std::uint32_t promotions_left;        // inline_promotion budget until the next generic call
  Page* hysteresis_page[kBinCount];     // hysteresis: the retained non-first page per bin
  Segment* free_segments[2];            // owned small/medium segments with free page slots
  std::uint32_t unpurged_pages;         // free page slots in owned segments still holding memory
  std::uint32_t last_purge_ms;          // when admin work last scanned for them
  Heap* next_live;                      // registry of live heaps (stats, fork)
  Heap* prev_live;
  Counters stats;
};

}  // namespace alloclab
