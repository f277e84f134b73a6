// families.h — every workload function and its parameters.
//
// A workload function is `RunResult f(const RunContext&, const XParams&)`: it does one
// run (see workload.h), allocating only through Trackers, and frees everything before it
// returns. The params struct is recorded verbatim in `--list` and in results files, so
// every field that changes the work is a field here. registry.cc binds names to
// (function, params) pairs.
//
// Per-run counts are given as formulas where they are fixed; "data-dependent" means
// deterministic for a given seed but not a closed formula.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "workloads/workload.h"

namespace alloclab::workloads {

// ping_pong.cc — malloc one block, touch it, free it; repeat.
// mallocs = frees = iterations.
struct PingPongParams {
  size_t size;
  uint64_t iterations;
};
RunResult ping_pong(const RunContext& ctx, const PingPongParams& p);

// batch_lifo.cc — allocate `batch` blocks, free them in reverse order; `rounds` times.
// mallocs = frees = batch * rounds.
struct BatchLifoParams {
  size_t size;
  size_t batch;
  uint64_t rounds;
};
RunResult batch_lifo(const RunContext& ctx, const BatchLifoParams& p);

// interleaved.cc — fill `slots` slots, then `steps` times free a random slot and
// allocate a new block (uniform size in [min_size, max_size]) into it; free the rest.
// mallocs = frees = slots + steps.
struct InterleavedParams {
  size_t slots;
  size_t min_size;
  size_t max_size;
  uint64_t steps;
  uint64_t seed;
};
RunResult interleaved(const RunContext& ctx, const InterleavedParams& p);

// multi_size.cc — `batches` batches of `batch` blocks, each size drawn uniformly from
// `sizes` (size classes 8 B .. 8 KiB); even batches are freed FIFO, odd batches in a
// random order. mallocs = frees = batch * batches.
struct MultiSizeParams {
  std::vector<size_t> sizes;
  size_t batch;
  uint64_t batches;
  uint64_t seed;
};
RunResult multi_size(const RunContext& ctx, const MultiSizeParams& p);
// 8, 16, 32, 48, 64, 80, 96, 112, 128, then four classes per doubling up to `max`.
std::vector<size_t> size_class_ladder(size_t max);

// mt_churn.cc — `threads` threads, each alone: `rounds` times, `ping_pong_per_round`
// ping-pongs then a batch of `batch` blocks freed LIFO. All blocks are `size` bytes.
// mallocs = frees = threads * rounds * (ping_pong_per_round + batch).
struct MtChurnParams {
  int threads;
  size_t size;
  uint64_t rounds;
  uint64_t ping_pong_per_round;
  size_t batch;
};
RunResult mt_churn(const RunContext& ctx, const MtChurnParams& p);

// producer_consumer.cc — a producer thread allocates `blocks` blocks (uniform size in
// [min_size, max_size]) and hands each through a bounded lock-free single-producer
// single-consumer ring of `queue_capacity` slots to a consumer thread that frees it:
// every free is a cross-thread free. mallocs = frees = blocks.
struct ProducerConsumerParams {
  uint64_t blocks;
  size_t min_size;
  size_t max_size;
  size_t queue_capacity;  // a power of two
  uint64_t seed;
};
RunResult producer_consumer(const RunContext& ctx, const ProducerConsumerParams& p);

// realloc_growth.cc — malloc(start_size), then realloc up by `step` bytes at a time until
// end_size, then free; `chains` times. With g = ceil((end_size - start_size) / step):
// mallocs = chains * (1 + g), reallocs = chains * g, frees = chains.
struct ReallocGrowthParams {
  size_t start_size;
  size_t end_size;
  size_t step;
  uint64_t chains;
};
RunResult realloc_growth(const RunContext& ctx, const ReallocGrowthParams& p);

// page_churn.cc — allocate a live set of `blocks` blocks of `size` bytes in full, then
// free it in full (allocation order); `rounds` times. `pages` is the number of 64 KiB
// pages the live set's payload fills (single-page churn: fits in one; multi-page: spans
// several). mallocs = frees = blocks * rounds.
struct PageChurnParams {
  size_t size;
  size_t blocks;
  size_t pages;
  uint64_t rounds;
};
RunResult page_churn(const RunContext& ctx, const PageChurnParams& p);

// larson.cc — Larson & Krishnan's server simulation. The caller fills `threads` arrays of
// `slots` blocks (uniform size in [min_size, max_size]); then for each of `phases` phases,
// `threads` new threads each take over an array that another thread worked on in the
// previous phase and do `ops` replacements (free a random slot, allocate a new block into
// it), so objects are freed by threads other than the one that allocated them. The caller
// frees what is left. mallocs = frees = threads * (slots + phases * ops).
struct LarsonParams {
  int threads;
  size_t slots;
  size_t min_size;
  size_t max_size;
  uint64_t ops;
  int phases;
  uint64_t seed;
};
RunResult larson(const RunContext& ctx, const LarsonParams& p);

// xmalloc.cc — after Lever & Boreham's xmalloc-test: `alloc_threads` threads only
// allocate, filling batches of `batch` blocks (uniform size in [min_size, max_size]) that
// they push to a shared queue (at most `max_pending` batches waiting); `free_threads`
// threads only pop batches and free them. mallocs = frees = alloc_threads *
// batches_per_thread * batch.
struct XmallocTestParams {
  int alloc_threads;
  int free_threads;
  uint64_t batches_per_thread;
  size_t batch;
  size_t min_size;
  size_t max_size;
  size_t max_pending;
  uint64_t seed;
};
RunResult xmalloc_test(const RunContext& ctx, const XmallocTestParams& p);

// cache_scratch.cc — Berger's passive false-sharing test (Hoard): the caller allocates
// `threads` objects of `object_size` bytes, hands one to each thread; each thread frees
// it, then `iterations` times allocates an object, writes every word of it `writes`
// times, and frees it. mallocs = frees = threads * (1 + iterations).
struct CacheScratchParams {
  int threads;
  size_t object_size;
  uint64_t iterations;
  int writes;
};
RunResult cache_scratch(const RunContext& ctx, const CacheScratchParams& p);

// mstress.cc — after mimalloc's stress test: sizes are powers of two 2^min_shift ..
// 2^max_shift with a skew to small (each larger power half as likely), allocated with
// calloc. For `phases` phases `threads` new threads run; thread i does ops * (threads-i) /
// threads operations on its retained array of `retain_slots` slots, inherited from the
// previous phase's thread i: 60 % replace a slot, 30 % allocate a short-lived block and
// free it, 10 % swap a slot with a random slot of a global `transfer_slots` array (objects
// migrate between threads). At the end of a phase each thread frees each retained block
// with probability 1/2; the rest survive into the next phase. The caller frees what is
// left. mallocs = frees: data-dependent.
struct MstressParams {
  int threads;
  int phases;
  uint64_t ops;
  size_t retain_slots;
  size_t transfer_slots;
  int min_shift;
  int max_shift;
  uint64_t seed;
};
RunResult mstress(const RunContext& ctx, const MstressParams& p);

// glibc_simple.cc — after glibc's bench-malloc-simple: for each size in `sizes` and each
// count in `counts`, allocate `count` blocks of that size and free them in allocation
// order; `passes` times. mallocs = frees = passes * |sizes| * sum(counts).
struct GlibcSimpleParams {
  std::vector<size_t> sizes;
  std::vector<size_t> counts;
  uint64_t passes;
};
RunResult glibc_simple(const RunContext& ctx, const GlibcSimpleParams& p);

// glibc_thread.cc — after glibc's bench-malloc-thread: `threads` threads, each with
// `slots` slots filled with blocks of random size in [min_size, max_size] (density
// ~ 1/size), then `steps` times freeing a random slot and allocating a new random-size
// block into it. mallocs = frees = threads * (slots + steps).
struct GlibcThreadParams {
  int threads;
  size_t slots;
  size_t min_size;
  size_t max_size;
  uint64_t steps;
  uint64_t seed;
};
RunResult glibc_thread(const RunContext& ctx, const GlibcThreadParams& p);

// alloc_pareto.cc — after ITHare's alloc-test: `slots` slots, initially empty; `steps` times
// pick a random slot, free its block if it holds one, else allocate a block of
// Pareto-distributed size (shape `alpha`, scale min_size, capped at max_size) into it.
// The caller frees what is left. mallocs = frees: data-dependent (about steps / 2).
struct AllocTestParams {
  size_t slots;
  size_t min_size;
  size_t max_size;
  double alpha;
  uint64_t steps;
  uint64_t seed;
};
RunResult alloc_test(const RunContext& ctx, const AllocTestParams& p);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PingPongParams, size, iterations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BatchLifoParams, size, batch, rounds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InterleavedParams, slots, min_size, max_size, steps, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MultiSizeParams, sizes, batch, batches, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MtChurnParams, threads, size, rounds, ping_pong_per_round, batch)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProducerConsumerParams, blocks, min_size, max_size, queue_capacity, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReallocGrowthParams, start_size, end_size, step, chains)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PageChurnParams, size, blocks, pages, rounds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LarsonParams, threads, slots, min_size, max_size, ops, phases, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(XmallocTestParams, alloc_threads, free_threads, batches_per_thread, batch, min_size,
                                   max_size, max_pending, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CacheScratchParams, threads, object_size, iterations, writes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MstressParams, threads, phases, ops, retain_slots, transfer_slots, min_shift,
                                   max_shift, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GlibcSimpleParams, sizes, counts, passes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GlibcThreadParams, threads, slots, min_size, max_size, steps, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AllocTestParams, slots, min_size, max_size, alpha, steps, seed)

}  // namespace alloclab::workloads
