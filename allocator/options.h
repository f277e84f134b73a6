// options.h — every build switch of the allocator core, in one place.
//
// variants/CMakeLists.txt compiles the core once per variant with -DALLOCLAB_OPT_<NAME>=<v>;
// the code reads them only through `kOptions` (`if constexpr (kOptions.list_swap)`), never
// through scattered #ifdefs. Defaults are the baseline (mimalloc's own values).
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

// The options, X(type, field, macro, default_value), each under a line on what it does and costs.
// This one list declares the fields of `Options`, fills `kOptions` (the value of `macro` when
// the build defines it, else `default_value`) and writes the "options" object of alloclab_variant()
// in api.cc, in this order. A new knob is one entry here plus its entry in variants.json.
#define ALLOCLAB_OPTIONS(X)                                                                               \
  /* Factor: fast path promotes local_free into free inline (+1 branch, 2 loads on refill; see below). */ \
  X(bool, inline_promotion, ALLOCLAB_OPT_INLINE_PROMOTION, false)                                         \
  /* Factor: page_free_collect swaps free/local_free when both are non-empty (hot blocks first). */       \
  X(bool, list_swap, ALLOCLAB_OPT_LIST_SWAP, false)                                                       \
  /* Factor: minimum blocks threaded per extend_free (mimalloc: 4; trades RSS for fewer extends). */      \
  X(std::uint32_t, min_extend, ALLOCLAB_OPT_MIN_EXTEND, 4)                                                \
  /* Factor: keep one empty small page per size class briefly even when not alone in its queue. */        \
  X(bool, hysteresis, ALLOCLAB_OPT_HYSTERESIS, false)                                                     \
  /* Factor: generic-path calls between admin runs (mimalloc: 100). */                                    \
  X(std::uint32_t, admin_interval, ALLOCLAB_OPT_ADMIN_INTERVAL, 100)                                      \
  /* Factor: local frees per page that go straight onto `free` between heartbeats (0: none, baseline). */ \
  X(std::uint32_t, direct_free, ALLOCLAB_OPT_DIRECT_FREE, 0)                                              \
  /* Parameter: generic-path visits an empty retained page survives (mimalloc: 16). */                    \
  X(std::uint32_t, retire_cycles, ALLOCLAB_OPT_RETIRE_CYCLES, 16)                                         \
  /* Test only: a do-nothing loop of this many iterations in every malloc (planted regression). */        \
  X(std::uint32_t, planted_work, ALLOCLAB_OPT_PLANTED_WORK, 0)                                            \
  /* Parameter: free() checks ownership (segment map + block start; 17-19 instructions per pair). */      \
  X(bool, checked_free, ALLOCLAB_OPT_CHECKED_FREE, true)

// The identity fields beside the options (alloclab_variant() writes them first):
//   ALLOCLAB_VARIANT_NAME  the variant's name, a string literal (hence a plain #ifndef)
//   ALLOCLAB_STATS         statistics twin: count internal events per thread (one increment
//                          each; off in timed builds)
//   ALLOCLAB_DEBUG         debug build: page/queue invariants checked on every slow-path visit
//                          (expensive)
#ifndef ALLOCLAB_VARIANT_NAME
#define ALLOCLAB_VARIANT_NAME "baseline"
#endif

// How the list supplies defaults: the preprocessor cannot generate #ifndef blocks from a
// list, so a knob is read from the spelling of its macro. ALLOCLAB_OPTION_TEXT(M) is the text
// M expands to as a string: the -D value when the build defines M, else "M" itself.
// option_value() turns that into the value, or into the default when the text is "M". Take
// the name (#M) where M is still unexpanded: in the macro that receives M as a parameter.
#define ALLOCLAB_OPTION_TEXT_(...) #__VA_ARGS__
#define ALLOCLAB_OPTION_TEXT(macro) ALLOCLAB_OPTION_TEXT_(macro)

namespace alloclab {

namespace options_detail {

// Never defined; called only for a -D value that cannot be read, so the compiler's error
// names the problem.
void option_value_must_be_a_decimal_literal_or_true_or_false();
void option_value_out_of_range_for_its_type();

// Values are decimal literals, `true` or `false` (variants/CMakeLists.txt passes 0/1 and
// decimal numbers); a bool is true when non-zero.
template <typename T>
consteval T option_value(std::string_view text, std::string_view macro, T default_value) {
  if (text == macro) return default_value;
  if (text == "true") return T(1);
  if (text == "false") return T(0);
  if (text.empty()) option_value_must_be_a_decimal_literal_or_true_or_false();
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') option_value_must_be_a_decimal_literal_or_true_or_false();
    if (v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) option_value_out_of_range_for_its_type();
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else {
    if (v > std::numeric_limits<T>::max()) option_value_out_of_range_for_its_type();
    return static_cast<T>(v);
  }
}

}  // namespace options_detail

// Field order follows alloclab_variant(): name, stats, debug, then the options.
struct Options {
  const char* name;
  bool stats;
  bool debug;
#define ALLOCLAB_DECLARE_OPTION(type, field, macro, default_value) type field;
  ALLOCLAB_OPTIONS(ALLOCLAB_DECLARE_OPTION)
#undef ALLOCLAB_DECLARE_OPTION
};

#define ALLOCLAB_INIT_OPTION(type, field, macro, default_value) \
  .field = options_detail::option_value<type>(ALLOCLAB_OPTION_TEXT(macro), #macro, default_value),
inline constexpr Options kOptions{
    .name = ALLOCLAB_VARIANT_NAME,
    .stats = options_detail::option_value<bool>(ALLOCLAB_OPTION_TEXT(ALLOCLAB_STATS), "ALLOCLAB_STATS", false),
    .debug = options_detail::option_value<bool>(ALLOCLAB_OPTION_TEXT(ALLOCLAB_DEBUG), "ALLOCLAB_DEBUG", false),
    ALLOCLAB_OPTIONS(ALLOCLAB_INIT_OPTION)  // .field = value, for each option
};
#undef ALLOCLAB_INIT_OPTION

static_assert(kOptions.min_extend >= 1 && kOptions.min_extend <= 4096, "min_extend out of range");
static_assert(kOptions.admin_interval >= 1, "admin_interval must be positive");
static_assert(kOptions.retire_cycles >= 1 && kOptions.retire_cycles <= 255,
              "retire_cycles must fit the page's 8-bit retire_expire");
static_assert(kOptions.direct_free <= 32767, "direct_free must fit the page's signed 16-bit direct_frees_left");

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
