// page_queue.cc — per-bin doubly linked page queues and the pages_free_direct table.
// Every change of a small queue's first page rewrites the direct entries of its whole
// word-size range, so the malloc fast path only ever sees a queue's first page.
#include "internal.h"

namespace alloclab {
namespace {

void update_direct(Heap* heap, const PageQueue* pq) noexcept {
  const std::size_t bin = static_cast<std::size_t>(pq - heap->pages);
  if (bin >= kBinHuge || kBins[bin].block_size > kSmallSizeMax) return;
  Page* first = pq->first != nullptr ? pq->first : &g_empty_page;
  const BinInfo& info = kBins[bin];
  if (heap->pages_free_direct[info.wsize_hi] == first) return;
  for (std::size_t w = info.wsize_lo; w <= info.wsize_hi; ++w) heap->pages_free_direct[w] = first;
}

}  // namespace

PageQueue* heap_queue_of(Heap* heap, const Page* page) noexcept {
  return (page->flags & kPageInFull) != 0 ? &heap->pages[kBinFull] : &heap->pages[page->bin];
}

void queue_push_front(Heap* heap, PageQueue* pq, Page* page) noexcept {
  page->prev = nullptr;
  page->next = pq->first;
  if (pq->first != nullptr) {
    pq->first->prev = page;
  } else {
    pq->last = page;
  }
  pq->first = page;
  update_direct(heap, pq);
}

void queue_push_back(Heap* heap, PageQueue* pq, Page* page) noexcept {
  page->next = nullptr;
  page->prev = pq->last;
  if (pq->last != nullptr) {
    pq->last->next = page;
  } else {
    pq->first = page;
  }
  pq->last = page;
  if (pq->first == page) update_direct(heap, pq);
}

void queue_remove(Heap* heap, PageQueue* pq, Page* page) noexcept {
  ALLOCLAB_ASSERT(pq->first != nullptr);
  if (page->prev != nullptr) page->prev->next = page->next;
  if (page->next != nullptr) page->next->prev = page->prev;
  if (pq->last == page) pq->last = page->prev;
  const bool was_first = pq->first == page;
  if (was_first) pq->first = page->next;
  page->next = page->prev = nullptr;
  if (was_first) update_direct(heap, pq);
}

void queue_move_to_front(Heap* heap, PageQueue* pq, Page* page) noexcept {
  if (pq->first == page) return;
  queue_remove(heap, pq, page);
  queue_push_front(heap, pq, page);
}

}  // namespace alloclab
