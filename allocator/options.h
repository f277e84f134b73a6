// options.h — every build switch of the allocator core, in one place.
//
// variants/CMakeLists.txt compiles the core once per variant with -DALLOCLAB_OPT_<NAME>=<v>;
// the code reads them only through `kOptions` (`if constexpr (kOptions.list_swap)`), never
// through scattered #ifdefs. Defaults are the baseline (mimalloc's own values).
#pragma once

#include <cstdint>

#ifndef ALLOCLAB_VARIANT_NAME
#define ALLOCLAB_VARIANT_NAME "baseline"
#endif
// 1. Fast path promotes local_free into free inline (costs: one branch + two loads on the
//    refill path; risk: fewer generic-path visits, bounded below by kMaxInlinePromotions).
#ifndef ALLOCLAB_OPT_INLINE_PROMOTION
#define ALLOCLAB_OPT_INLINE_PROMOTION 0
#endif
// 2. page_free_collect swaps free/local_free when both are non-empty (hot blocks first).
#ifndef ALLOCLAB_OPT_LIST_SWAP
#define ALLOCLAB_OPT_LIST_SWAP 0
#endif
// 3. Minimum blocks threaded per extend_free (mimalloc: 4; trades RSS for fewer extends).
#ifndef ALLOCLAB_OPT_MIN_EXTEND
#define ALLOCLAB_OPT_MIN_EXTEND 4
#endif
// 4. Keep one empty small page per size class briefly even when not alone in its queue.
#ifndef ALLOCLAB_OPT_HYSTERESIS
#define ALLOCLAB_OPT_HYSTERESIS 0
#endif
// 5. Generic-path calls between admin runs (mimalloc: 100).
#ifndef ALLOCLAB_OPT_ADMIN_INTERVAL
#define ALLOCLAB_OPT_ADMIN_INTERVAL 100
#endif
// Parameter: generic-path visits an empty retained page survives (mimalloc: 16).
#ifndef ALLOCLAB_OPT_RETIRE_CYCLES
#define ALLOCLAB_OPT_RETIRE_CYCLES 16
#endif
// Test only: a do-nothing loop of this many iterations in every malloc (planted regression).
#ifndef ALLOCLAB_OPT_PLANTED_WORK
#define ALLOCLAB_OPT_PLANTED_WORK 0
#endif
// Statistics twin: count internal events per thread (one increment each; off in timed builds).
#ifndef ALLOCLAB_STATS
#define ALLOCLAB_STATS 0
#endif
// Debug build: page/queue invariants checked on every slow-path visit (expensive).
#ifndef ALLOCLAB_DEBUG
#define ALLOCLAB_DEBUG 0
#endif

namespace alloclab {

struct Options {
  const char* name;
  bool inline_promotion;
  bool list_swap;
  std::uint32_t min_extend;
  bool hysteresis;
  std::uint32_t admin_interval;
  std::uint32_t retire_cycles;
  std::uint32_t planted_work;
  bool stats;
  bool debug;
};

inline constexpr Options kOptions{
    ALLOCLAB_VARIANT_NAME,
    ALLOCLAB_OPT_INLINE_PROMOTION != 0,
    ALLOCLAB_OPT_LIST_SWAP != 0,
    ALLOCLAB_OPT_MIN_EXTEND,
    ALLOCLAB_OPT_HYSTERESIS != 0,
    ALLOCLAB_OPT_ADMIN_INTERVAL,
    ALLOCLAB_OPT_RETIRE_CYCLES,
    ALLOCLAB_OPT_PLANTED_WORK,
    ALLOCLAB_STATS != 0,
    ALLOCLAB_DEBUG != 0,
};

static_assert(kOptions.min_extend >= 1 && kOptions.min_extend <= 4096, "min_extend out of range");
static_assert(kOptions.admin_interval >= 1, "admin_interval must be positive");
static_assert(kOptions.retire_cycles >= 1 && kOptions.retire_cycles <= 255,
              "retire_cycles must fit the page's 8-bit retire_expire");

// Empty pages of blocks > 8 KiB, and pages kept by hysteresis, survive a quarter as long.
inline constexpr std::uint8_t kShortRetireCycles = (kOptions.retire_cycles + 3) / 4;

// inline_promotion (and hysteresis' promotion at retire, which skips the generic path the
// same way) keep the "heartbeat" of the generic path: a promotion is refused when the page
// has pending cross-thread frees, when the heap has pending delayed frees, or after this
// many promotions in a row. So cross-thread and delayed frees are collected as promptly as
// in baseline, and admin work (which also returns freed memory to the OS) still runs at
// least once per kMaxInlinePromotions * admin_interval promotions.
inline constexpr std::uint32_t kMaxInlinePromotions = 1024;

}  // namespace alloclab
