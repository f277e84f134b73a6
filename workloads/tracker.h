// tracker.h — the only place workloads call malloc/free/calloc/realloc.
//
// A Tracker belongs to one thread of one run. It counts every allocation call (see the
// counting rules in workload.h) and, by mode:
//   kTimed   writes one word into each new block (as real code does) and nothing else:
//            about 3 instructions beside the call.
//   kVerify  checks alignment, fills the WHOLE block with a pattern derived from
//            (address, size, run_id), and checks the whole pattern right before free;
//            calloc'd blocks are checked to be zero, realloc'd blocks to keep their prefix.
// Blocks may cross threads: any Tracker of the same run can release a block another one
// allocated (the pattern does not depend on the thread).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "workloads/workload.h"

namespace alloclab::workloads {

// A block and its requested size: what a workload must remember to free it (and what
// verify mode needs to find its pattern).
struct Block {
  void* ptr = nullptr;
  size_t size = 0;
};

class Tracker {
 public:
  explicit Tracker(const RunContext& ctx) : ctx_(ctx) {}
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  // malloc(size). Counts one malloc.
  void* alloc(size_t size) {
    void* p = std::malloc(size);
    if (p == nullptr) [[unlikely]]
      fail_null("malloc", size);
    ++result_.mallocs;
    after_alloc(p, size);
    return p;
  }
  Block alloc_block(size_t size) { return Block{alloc(size), size}; }

  // calloc(count, size). Counts one malloc; verify mode checks the block is zeroed.
  void* alloc_zeroed(size_t count, size_t size) {
    void* p = std::calloc(count, size);
    if (p == nullptr) [[unlikely]]
      fail_null("calloc", count * size);
    ++result_.mallocs;
    if (ctx_.mode == Mode::kVerify) [[unlikely]]
      check_zero(p, count * size);
    after_alloc(p, count * size);
    return p;
  }

  // realloc(p, new_size); p may be nullptr (old_size is then ignored). Counts one malloc,
  // and one realloc when p != nullptr. Verify mode checks the first min(old, new) bytes
  // still hold the old block's pattern, then re-fills the whole block. Timed mode writes
  // the last word, as code that grows a buffer to append to it does.
  void* grow(void* p, size_t old_size, size_t new_size) {
    const auto old_addr = reinterpret_cast<uintptr_t>(p);
    void* q = std::realloc(p, new_size);
    if (q == nullptr) [[unlikely]]
      fail_null("realloc", new_size);
    ++result_.mallocs;
    if (p != nullptr) ++result_.reallocs;
    if (ctx_.mode == Mode::kVerify) [[unlikely]] {
      if (p != nullptr) check_moved(q, old_addr, old_size, new_size);
      verify_new_block(q, new_size);
    } else {
      touch(static_cast<char*>(q) + (new_size - std::min<size_t>(new_size, 8)), new_size);
    }
    return q;
  }

  // free(p) of a block of `size` bytes. Counts one free; verify mode checks the pattern.
  void release(void* p, size_t size) {
    if (ctx_.mode == Mode::kVerify) [[unlikely]]
      check_pattern(p, size);
    std::free(p);
    ++result_.frees;
  }
  void release(Block b) { release(b.ptr, b.size); }

  // Verify mode: re-write the block's pattern (for workloads that write into live blocks).
  void refill(void* p, size_t size) { fill_pattern(p, size); }

  Mode mode() const { return ctx_.mode; }
  const RunContext& context() const { return ctx_; }
  const RunResult& result() const { return result_; }

 private:
  void after_alloc(void* p, size_t size) {
    if (ctx_.mode == Mode::kVerify) [[unlikely]] {
      verify_new_block(p, size);
    } else {
      touch(p, size);
    }
  }
  // One store: a word, or a byte for blocks under 8 bytes.
  static void touch(void* p, size_t size) {
    if (size >= sizeof(uint64_t)) [[likely]] {
      const uint64_t v = size;
      std::memcpy(p, &v, sizeof v);
    } else {
      *static_cast<unsigned char*>(p) = static_cast<unsigned char>(size);
    }
    benchmark::DoNotOptimize(p);
  }

  // Cold paths (tracker.cc).
  [[noreturn]] void fail_null(const char* call, size_t size) const;
  void verify_new_block(void* p, size_t size) const;  // alignment, then fill_pattern
  void fill_pattern(void* p, size_t size) const;
  void check_pattern(const void* p, size_t size) const;
  void check_zero(const void* p, size_t size) const;
  void check_moved(const void* q, uintptr_t old_addr, size_t old_size, size_t new_size) const;

  RunContext ctx_;
  RunResult result_;
};

}  // namespace alloclab::workloads
