// Helpers shared by the allocator tests. The tests call the plain C allocation API; the
// allocator under test is swapped in with LD_PRELOAD (see tests/CMakeLists.txt).
#pragma once

#include <dlfcn.h>
#include <malloc.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace alloclab::test {

// Keeps the compiler from reasoning about a value (sizes, pointers): with -fno-builtin the
// calls are real anyway, this also stops constant-folding of size arithmetic.
template <class T>
inline T opaque(T v) {
  asm volatile("" : "+r"(v));
  return v;
}

// A multiplier for iteration counts: ALLOCLAB_TEST_SCALE=10 makes the churn and stress tests
// run 10x longer (the long soaks registered with -DALLOCLAB_LONG_TESTS=ON set it).
inline double scale() {
  const char* s = std::getenv("ALLOCLAB_TEST_SCALE");
  if (!s || !*s) return 1.0;
  double v = std::strtod(s, nullptr);
  return v > 0 ? v : 1.0;
}
inline std::size_t scaled(std::size_t n) { return static_cast<std::size_t>(n * scale()); }

inline std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Byte i of the pattern for a block: depends on the seed (address/size/tag) and position,
// so a block overwritten by another block's pattern, a shifted copy or zeros is detected.
inline unsigned char pattern_byte(std::uint64_t seed, std::size_t i) {
  return static_cast<unsigned char>(mix64(seed + (i >> 3)) >> ((i & 7) * 8));
}

inline void fill_pattern(void* p, std::size_t n, std::uint64_t seed) {
  auto* b = static_cast<unsigned char*>(p);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w = mix64(seed + (i >> 3));
    std::memcpy(b + i, &w, 8);
  }
  for (; i < n; ++i) b[i] = pattern_byte(seed, i);
}

// Writes the pattern of `seed` into bytes [from, n) only (the prefix keeps what it has).
inline void fill_pattern_from(void* p, std::size_t from, std::size_t n, std::uint64_t seed) {
  auto* b = static_cast<unsigned char*>(p);
  std::size_t i = from;
  for (; i < n && (i & 7); ++i) b[i] = pattern_byte(seed, i);
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w = mix64(seed + (i >> 3));
    std::memcpy(b + i, &w, 8);
  }
  for (; i < n; ++i) b[i] = pattern_byte(seed, i);
}

// Returns the first mismatching offset, or SIZE_MAX if the block holds its pattern.
inline std::size_t check_pattern(const void* p, std::size_t n, std::uint64_t seed) {
  auto* b = static_cast<const unsigned char*>(p);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w = mix64(seed + (i >> 3)), got;
    std::memcpy(&got, b + i, 8);
    if (got != w) {
      for (std::size_t k = 0; k < 8; ++k)
        if (b[i + k] != pattern_byte(seed, i + k)) return i + k;
    }
  }
  for (; i < n; ++i)
    if (b[i] != pattern_byte(seed, i)) return i;
  return SIZE_MAX;
}

inline std::uint64_t block_seed(const void* p, std::size_t n, std::uint64_t tag = 0) {
  return mix64(reinterpret_cast<std::uintptr_t>(p) ^ (n * 0x100000001b3ull) ^ (tag << 17));
}

// Offset of the first non-zero byte, or SIZE_MAX if all zero.
inline std::size_t first_nonzero(const void* p, std::size_t n) {
  auto* b = static_cast<const unsigned char*>(p);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, b + i, 8);
    if (w) break;
  }
  for (; i < n; ++i)
    if (b[i]) return i;
  return SIZE_MAX;
}

// Resident set size of this process in KiB (VmRSS from /proc/self/status), 0 if unknown.
inline long rss_kib() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  long v = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      v = std::strtol(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return v;
}

// The preloaded alloclab library's OS-level counters (kept in every build), read from
// alloclab_stats(); -1 when no alloclab library is loaded (the tests then skip such checks).
struct OsCounters {
  long bytes_mapped = -1, segments_mapped = -1, bytes_purged = -1;
};
inline long json_number_after(const char* json, const char* key) {
  const char* at = std::strstr(json, key);
  return at ? std::strtol(at + std::strlen(key), nullptr, 10) : -1;
}
inline OsCounters alloclab_os_counters() {
  using fn = const char* (*)();
  auto f = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_stats"));
  OsCounters c;
  if (!f) return c;
  const char* j = f();
  c.bytes_mapped = json_number_after(j, "\"bytes_mapped\":");
  c.segments_mapped = json_number_after(j, "\"segments_mapped\":");
  c.bytes_purged = json_number_after(j, "\"bytes_purged\":");
  return c;
}

// Small deterministic PRNG (xorshift64*), one per thread.
struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(mix64(seed) | 1) {}
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dull;
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  // Log-uniform size in [lo, hi].
  std::size_t size_log(std::size_t lo, std::size_t hi) {
    double l = __builtin_log(static_cast<double>(lo)), h = __builtin_log(static_cast<double>(hi) + 1);
    double u = static_cast<double>(next() >> 11) / 9007199254740992.0;
    std::size_t v = static_cast<std::size_t>(__builtin_exp(l + u * (h - l)));
    return v < lo ? lo : (v > hi ? hi : v);
  }
};

}  // namespace alloclab::test
