// tracker.cc — Tracker's cold paths: the verify pattern and the error messages.
//
// Pattern: for a block (address a, size s) in run r,
//   seed      = mix64(a ^ mix64(s ^ mix64(r)))
//   word i    = seed + i * kWeyl            (little-endian; a short tail uses the low bytes
//                                            of the next word)
// Neighbouring words, blocks and runs all differ, so a block handed out twice, a write
// past a neighbour's end, or a stale block from an earlier run all show as a mismatch.
#include "workloads/tracker.h"

#include <atomic>
#include <bit>
#include <cstdio>
#include <optional>
#include <string>

#include "workloads/support.h"  // thread_body_runner

namespace alloclab::workloads {
namespace {

constexpr uint64_t kWeyl = 0x9E3779B97F4A7C15ull;

uint64_t mix64(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

uint64_t pattern_seed(uintptr_t addr, size_t size, uint64_t run_id) {
  return mix64(addr ^ mix64(size ^ mix64(run_id)));
}

uint8_t expected_byte(uint64_t seed, size_t offset) {
  const uint64_t word = seed + (offset / 8) * kWeyl;
  return static_cast<uint8_t>(word >> (8 * (offset % 8)));
}

// Offset of the first byte of [p, p+len) that does not hold the pattern of `seed`.
std::optional<size_t> first_mismatch(const void* p, size_t len, uint64_t seed) {
  const auto* bytes = static_cast<const unsigned char*>(p);
  const size_t words = len / 8;
  for (size_t i = 0; i < words; ++i) {
    uint64_t got;
    std::memcpy(&got, bytes + 8 * i, 8);
    if (got != seed + i * kWeyl) [[unlikely]] {
      for (size_t b = 8 * i;; ++b) {
        if (bytes[b] != expected_byte(seed, b)) return b;
      }
    }
  }
  for (size_t b = 8 * words; b < len; ++b) {
    if (bytes[b] != expected_byte(seed, b)) return b;
  }
  return std::nullopt;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::atomic<uint64_t> next_run_id{1};
std::atomic<ThreadBodyRunner> body_runner{nullptr};

}  // namespace

void set_thread_body_runner(ThreadBodyRunner runner) { body_runner.store(runner, std::memory_order_release); }
ThreadBodyRunner thread_body_runner() { return body_runner.load(std::memory_order_acquire); }

RunContext new_run(Mode mode, const char* workload) {
  return RunContext{mode, workload, next_run_id.fetch_add(1, std::memory_order_relaxed)};
}

void Tracker::fail_null(const char* call, size_t size) const {
  throw VerifyError("workload '" + std::string(ctx_.workload) + "': " + call + "(" + std::to_string(size) +
                    ") returned NULL");
}

void Tracker::verify_new_block(void* p, size_t size) const {
  // malloc's alignment guarantee: alignof(max_align_t) (16 on x86-64), relaxed to the
  // largest power of two <= size for blocks too small to hold such an object.
  const size_t need = std::min<size_t>(alignof(std::max_align_t), std::bit_floor(size | 1));
  const auto addr = reinterpret_cast<uintptr_t>(p);
  if (addr % need != 0) {
    throw VerifyError("workload '" + std::string(ctx_.workload) + "': block of " + std::to_string(size) + " bytes at " +
                      hex(addr) + " is not " + std::to_string(need) + "-byte aligned");
  }
  fill_pattern(p, size);
}

void Tracker::fill_pattern(void* p, size_t size) const {
  const uint64_t seed = pattern_seed(reinterpret_cast<uintptr_t>(p), size, ctx_.run_id);
  auto* bytes = static_cast<unsigned char*>(p);
  const size_t words = size / 8;
  for (size_t i = 0; i < words; ++i) {
    const uint64_t v = seed + i * kWeyl;
    std::memcpy(bytes + 8 * i, &v, 8);
  }
  for (size_t b = 8 * words; b < size; ++b) bytes[b] = expected_byte(seed, b);
}

void Tracker::check_pattern(const void* p, size_t size) const {
  const auto addr = reinterpret_cast<uintptr_t>(p);
  const uint64_t seed = pattern_seed(addr, size, ctx_.run_id);
  if (auto off = first_mismatch(p, size, seed)) [[unlikely]] {
    const auto got = static_cast<const unsigned char*>(p)[*off];
    throw VerifyError("workload '" + std::string(ctx_.workload) + "': block of " + std::to_string(size) + " bytes at " +
                      hex(addr) + " corrupted at offset " + std::to_string(*off) + " before free (expected " +
                      hex(expected_byte(seed, *off)) + ", found " + hex(got) + ")");
  }
}

void Tracker::check_zero(const void* p, size_t size) const {
  const auto* bytes = static_cast<const unsigned char*>(p);
  for (size_t b = 0; b < size; ++b) {
    if (bytes[b] != 0) [[unlikely]] {
      throw VerifyError("workload '" + std::string(ctx_.workload) + "': calloc'd block of " + std::to_string(size) +
                        " bytes at " + hex(reinterpret_cast<uintptr_t>(p)) + " is not zero at offset " +
                        std::to_string(b) + " (found " + hex(bytes[b]) + ")");
    }
  }
}

void Tracker::check_moved(const void* q, uintptr_t old_addr, size_t old_size, size_t new_size) const {
  const uint64_t seed = pattern_seed(old_addr, old_size, ctx_.run_id);
  if (auto off = first_mismatch(q, std::min(old_size, new_size), seed)) [[unlikely]] {
    const auto got = static_cast<const unsigned char*>(q)[*off];
    throw VerifyError("workload '" + std::string(ctx_.workload) + "': realloc of a block of " +
                      std::to_string(old_size) + " bytes at " + hex(old_addr) + " to " + std::to_string(new_size) +
                      " bytes at " + hex(reinterpret_cast<uintptr_t>(q)) + " lost its content at offset " +
                      std::to_string(*off) + " (expected " + hex(expected_byte(seed, *off)) + ", found " + hex(got) +
                      ")");
  }
}

}  // namespace alloclab::workloads
