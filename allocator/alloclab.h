// alloclab.h — the public, non-malloc part of each variant library's ABI.
//
// Every liballoclab-<variant>.so exports the full C allocation API (malloc, free, calloc,
// realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc,
// malloc_usable_size) for LD_PRELOAD, plus the two functions below. Callers that are not
// linked against alloclab find them with dlsym(RTLD_DEFAULT, "alloclab_variant"): if the
// symbol is missing, no alloclab library is loaded.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// The library's identity as one line of JSON, in static storage:
//   {"name":"baseline","stats":false,"debug":false,
//    "options":{"inline_promotion":false,"list_swap":false,"min_extend":4,
//               "hysteresis":false,"admin_interval":100,"retire_cycles":16,
//               "planted_work":0}}
const char* alloclab_variant(void);

// Internal event counters as one line of JSON, in a static buffer that the next call
// overwrites (not thread-safe to call concurrently):
//   {"variant":"baseline","stats_enabled":true,
//    "counters":{"fast_allocs":N,"generic_calls":N,...},
//    "bytes_mapped":N,"bytes_mapped_peak":N,"segments_mapped":N,"bytes_purged":N}
// Counters are per-thread and summed at thread exit; live threads' counts are added
// when this is called. In builds without ALLOCLAB_STATS, "stats_enabled" is false and
// "counters" is {} (the OS-level byte counts are always kept).
const char* alloclab_stats(void);

// Counts kept in every build, as one line of JSON in a static buffer (same caveat):
//   {"variant":"baseline","heaps_created":N,"bytes_mapped":N,"bytes_mapped_peak":N,
//    "segments_mapped":N,"bytes_purged":N,"invalid_frees":N}
// heaps_created > 0 proves that some thread of the process allocated through this library;
// the harness's exit probe records it for every process of a real-program run.
const char* alloclab_process_stats(void);

#ifdef __cplusplus
}
#endif
