// stats.h — internal event counters of the statistics twin (ALLOCLAB_STATS builds).
// Counted per heap with plain increments (no atomics on hot paths), summed at thread exit.
#pragma once

#include <cstdint>

#include "options.h"

namespace alloclab {

#define ALLOCLAB_COUNTERS(X)                                                            \
  X(fast_allocs)           /* malloc served by the fast path's pop */                   \
  X(generic_calls)         /* entries into malloc_generic */                            \
  X(inline_promotions)     /* local_free promoted to free inside the fast path */       \
  X(list_swaps)            /* free/local_free swapped in page_free_collect */           \
  X(direct_frees)          /* local frees pushed straight onto free (direct_free) */    \
  X(extend_calls)          /* extend_free calls */                                      \
  X(fresh_pages)           /* pages initialised (new or reused slot) */                 \
  X(pages_freed)           /* pages returned to their segment */                        \
  X(pages_retired)         /* empty pages kept as the only page of their queue */       \
  X(pages_kept_hysteresis) /* empty pages kept by hysteresis (not alone in queue) */    \
  X(pages_reused)          /* kept (retired) pages used again before expiring */        \
  X(admin_runs)            /* admin work runs (every admin_interval generic calls) */   \
  X(heap_collects)         /* heap collects */                                          \
  X(delayed_frees)         /* blocks taken from thread_delayed_free */                  \
  X(segments_reclaimed)    /* abandoned segments taken over */                          \
  X(abandoned_released)    /* abandoned segments released once all blocks were freed */ \
  X(huge_allocs)           /* blocks > 64 KiB */

struct Counters {
#define ALLOCLAB_DECLARE_COUNTER(name) std::uint64_t name;
  ALLOCLAB_COUNTERS(ALLOCLAB_DECLARE_COUNTER)
#undef ALLOCLAB_DECLARE_COUNTER
};

// Compiles to nothing unless the statistics twin is being built.
#define ALLOCLAB_STAT(heap, counter)                                   \
  do {                                                                 \
    if constexpr (::alloclab::kOptions.stats) ++(heap)->stats.counter; \
  } while (0)

}  // namespace alloclab
