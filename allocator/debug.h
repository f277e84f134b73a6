// debug.h — assertion levels. ALLOCLAB_ASSERT is cheap and internal; the expensive
// whole-structure checks (page_check, heap_check in invariants.cc) run only in debug builds.
#pragma once

#include "options.h"

namespace alloclab {

[[noreturn, gnu::cold]] void fatal(const char* message, const char* file, int line) noexcept;

#define ALLOCLAB_ASSERT(cond)                         \
  do {                                                \
    if constexpr (::alloclab::kOptions.debug) {       \
      if (!(cond)) [[unlikely]]                       \
        ::alloclab::fatal(#cond, __FILE__, __LINE__); \
    }                                                 \
  } while (0)

struct Page;
struct Heap;
void page_check(const Page* page) noexcept;  // no-ops unless kOptions.debug
void heap_check(const Heap* heap) noexcept;

}  // namespace alloclab
