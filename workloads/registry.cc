// registry.cc — every workload: a name, a family, a function and its parameters.
//
// To add a workload: write `RunResult f(const RunContext&, const FParams&)` (families.h
// declares it and its params; a new .cc file defines it), then add one `add(...)` line
// below. Parameters are chosen so that one run takes about 1-5 ms with glibc.
#include "workloads/registry.h"

#include <algorithm>
#include <string>
#include <utility>

#include "workloads/families.h"

namespace alloclab::workloads {
namespace {

constexpr bool kDefault = true;
constexpr bool kExtra = false;
constexpr size_t kPage = 64 * 1024;  // the page size that single/multi-page churn refer to

template <class Params>
void add(std::vector<Workload>& out, std::string name, std::string family, bool in_default_set, int threads,
         std::string description, RunResult (*fn)(const RunContext&, const Params&), Params params) {
  nlohmann::json json_params = params;
  auto run_once = [name, fn, params = std::move(params)](Mode mode) {
    const RunContext ctx = new_run(mode, name.c_str());
    const RunResult r = fn(ctx, params);
    if (r.mallocs != r.frees + r.reallocs) {
      throw VerifyError("workload '" + name + "': leaked blocks: mallocs " + std::to_string(r.mallocs) + " != frees " +
                        std::to_string(r.frees) + " + reallocs " + std::to_string(r.reallocs));
    }
    return r;
  };
  out.push_back(Workload{std::move(name), std::move(family), std::move(description), in_default_set, threads,
                         std::move(json_params), std::move(run_once)});
}

std::vector<Workload> build() {
  std::vector<Workload> w;
  // --- the patterns the optimizations target ---------------------------------------------
  for (size_t size : {16, 64, 256}) {
    add(w, "ping_pong_" + std::to_string(size), "ping_pong", kDefault, 1,
        "malloc one " + std::to_string(size) + " B block, touch it, free it; repeat", ping_pong,
        PingPongParams{.size = size, .iterations = 250'000});
  }
  add(w, "batch_lifo_64", "batch", kDefault, 1, "allocate 1000 blocks of 64 B, free them in reverse order; repeat",
      batch_lifo, BatchLifoParams{.size = 64, .batch = 1000, .rounds = 150});
  add(w, "interleaved", "interleaved", kDefault, 1,
      "live set of 1024 slots (16-128 B); each step frees a random slot and refills it", interleaved,
      InterleavedParams{.slots = 1024, .min_size = 16, .max_size = 128, .steps = 150'000, .seed = 1});
  add(w, "multi_size", "multi_size", kDefault, 1,
      "batches of 512 blocks over 33 size classes 8 B-8 KiB, freed FIFO or in random order", multi_size,
      MultiSizeParams{.sizes = size_class_ladder(8192), .batch = 512, .batches = 40, .seed = 2});
  add(w, "mt_churn", "multi_threaded", kDefault, 2, "2 threads each alone: ping-pong and LIFO batches of 64 B blocks",
      mt_churn, MtChurnParams{.threads = 2, .size = 64, .rounds = 50, .ping_pong_per_round = 1000, .batch = 256});
  add(w, "producer_consumer", "multi_threaded", kDefault, 2,
      "a producer thread allocates 16-256 B blocks, a consumer thread frees them "
      "(cross-thread frees through a lock-free ring)",
      producer_consumer,
      ProducerConsumerParams{.blocks = 20'000, .min_size = 16, .max_size = 256, .queue_capacity = 1024, .seed = 3});
  add(w, "realloc_growth", "realloc", kDefault, 1,
      "grow a block with realloc from 16 B to 8 KiB in 64 B steps, then free; repeat", realloc_growth,
      ReallocGrowthParams{.start_size = 16, .end_size = 8192, .step = 64, .chains = 200});
  for (size_t size : {16, 64, 256}) {
    const std::string s = std::to_string(size);
    add(w, "single_page_churn_" + s, "page_churn", size == 64 ? kDefault : kExtra, 1,
        "64 blocks of " + s + " B (inside one 64 KiB page) allocated in full, then freed", page_churn,
        PageChurnParams{.size = size, .blocks = 64, .pages = 1, .rounds = 1500});
  }
  for (size_t size : {16, 64, 256}) {
    const std::string s = std::to_string(size);
    const size_t blocks = 8 * kPage / size;
    add(w, "multi_page_churn_" + s, "page_churn", size == 64 ? kDefault : kExtra, 1,
        std::to_string(blocks) + " blocks of " + s + " B (8 pages of 64 KiB) allocated in full, then freed", page_churn,
        PageChurnParams{.size = size, .blocks = blocks, .pages = 8, .rounds = 131072 / blocks});
  }
  // --- the classic suite, written from the published descriptions --------------------------
  add(w, "larson", "classic", kDefault, 2,
      "Larson server simulation: 2 threads replace random 16-1024 B objects; each phase new "
      "threads inherit the arrays, so objects are freed by other threads",
      larson,
      LarsonParams{
          .threads = 2, .slots = 1000, .min_size = 16, .max_size = 1024, .ops = 10'000, .phases = 4, .seed = 4});
  add(w, "xmalloc_test", "classic", kExtra, 2,
      "xmalloc-test: one thread only allocates batches of 16-512 B blocks, another only "
      "frees them",
      xmalloc_test,
      XmallocTestParams{.alloc_threads = 1,
                        .free_threads = 1,
                        .batches_per_thread = 250,
                        .batch = 64,
                        .min_size = 16,
                        .max_size = 512,
                        .max_pending = 16,
                        .seed = 5});
  add(w, "cache_scratch", "classic", kExtra, 2,
      "cache-scratch (passive false sharing): 2 threads free an 8 B object the main thread "
      "allocated, then allocate, write and free 8 B objects",
      cache_scratch, CacheScratchParams{.threads = 2, .object_size = 8, .iterations = 20'000, .writes = 10});
  add(w, "mstress", "classic", kExtra, 2,
      "mstress: calloc of power-of-two sizes skewed to small, objects migrating between "
      "threads, threads re-created every phase",
      mstress,
      MstressParams{.threads = 2,
                    .phases = 4,
                    .ops = 10'000,
                    .retain_slots = 500,
                    .transfer_slots = 256,
                    .min_shift = 3,
                    .max_shift = 15,
                    .seed = 6});
  add(w, "glibc_simple", "classic", kExtra, 1,
      "glibc bench-malloc-simple: 25/100/400/1600 blocks of one size (16 B-4 KiB) "
      "allocated, then freed in order",
      glibc_simple, GlibcSimpleParams{.sizes = {16, 64, 256, 1024, 4096}, .counts = {25, 100, 400, 1600}, .passes = 2});
  add(w, "glibc_thread", "classic", kDefault, 2,
      "glibc bench-malloc-thread: 2 threads replace random slots with blocks of random "
      "size 4-32768 B (density ~1/size)",
      glibc_thread,
      GlibcThreadParams{.threads = 2, .slots = 1024, .min_size = 4, .max_size = 32768, .steps = 20'000, .seed = 7});
  add(w, "alloc_test", "classic", kDefault, 1,
      "alloc-test: Pareto-distributed sizes 8 B-1 KiB, allocations and frees at random "
      "slots of a 4096-slot live set",
      alloc_test,
      AllocTestParams{.slots = 4096, .min_size = 8, .max_size = 1024, .alpha = 1.16, .steps = 100'000, .seed = 8});
  return w;
}

}  // namespace

const std::vector<Workload>& all_workloads() {
  static const std::vector<Workload> workloads = build();
  return workloads;
}

const Workload* find_workload(std::string_view name) {
  const auto& all = all_workloads();
  auto it = std::find_if(all.begin(), all.end(), [&](const Workload& w) { return w.name == name; });
  return it == all.end() ? nullptr : &*it;
}

nlohmann::json workloads_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : all_workloads()) {
    out.push_back({{"name", w.name},
                   {"family", w.family},
                   {"description", w.description},
                   {"default", w.in_default_set},
                   {"threads", w.threads},
                   {"params", w.params}});
  }
  return out;
}

}  // namespace alloclab::workloads
