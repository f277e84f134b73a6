// fuzz_alloc: a differential fuzzer (libFuzzer) of one alloclab variant.
//
// The executable is linked against liballoclab-<variant>.so, which therefore answers malloc for
// the whole process (libFuzzer included); LLVMFuzzerInitialize proves it. Each input decodes
// (program.h) into malloc / calloc / realloc / reallocarray / posix_memalign / aligned_alloc /
// memalign / valloc / pvalloc / free operations over 64 slots, across sizes 0 B .. 20 MiB,
// executed in lock-step on the main thread and three workers (lockstep.h) that can exit and be
// replaced mid-program. After every operation the shadow model (shadow.h) checks what the C
// API promises and alloclab documents:
//   - the result is aligned to max(16, requested alignment) and malloc_usable_size >= size;
//   - its usable range overlaps no other live block;
//   - calloc's bytes are zero; a block still holds its pattern when it is freed or realloc'ed,
//     and realloc keeps the prefix (a failed realloc keeps the whole old block);
//   - calls that must fail do so cleanly (overflowing sizes: NULL + ENOMEM; bad alignments:
//     EINVAL / NULL) and leave the heap intact.
// A violation prints one line starting "alloclab-fuzz: FAIL" and aborts (libFuzzer saves the
// input). Which allocator paths were taken (size class, thread, cross-thread free, reuse of a
// freed address, page within a segment) is fed back to libFuzzer as extra coverage, since the
// allocator library itself is not instrumented.
#include <dlfcn.h>
#include <malloc.h>

#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lockstep.h"
#include "program.h"
#include "shadow.h"

// Defined per variant by the build (tests/fuzz/CMakeLists.txt): the library this binary must run on.
extern "C" const char alloclab_fuzz_expected_library[];  // e.g. "baseline-debug"

namespace fuzz {
namespace {

constexpr std::size_t kMinAlign = 16;                        // alloclab: every block is 16-byte aligned
constexpr std::size_t kMaxAlignment = std::size_t{1} << 21;  // alloclab: larger alignments fail (ENOMEM)
constexpr std::size_t kLiveCap = std::size_t{256} << 20;     // operations beyond this live total are skipped
constexpr std::size_t kOsPage = 4096;

// --- feedback: allocator behaviour as extra coverage --------------------------------------
__attribute__((used, section("__libfuzzer_extra_counters"))) std::uint8_t g_extra_counters[1 << 14];

void feature(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
  std::uint8_t& counter = g_extra_counters[mix64(a * 0x100000001b3ull ^ b * 0x9e37ull ^ c) % sizeof g_extra_counters];
  if (counter != 255) ++counter;
}

unsigned size_bucket(std::size_t n) {
  if (n <= 65536) return bin_of_wsize((n + 7) / 8);
  return 50 + static_cast<unsigned>(63 - __builtin_clzll(n));
}

// Recently freed addresses: an allocation that returns one of them is a reuse.
struct FreedRing {
  std::uintptr_t addr[256] = {};
  int thread[256] = {};
  std::size_t next = 0;
  void add(const void* p, int t) {
    addr[next % 256] = reinterpret_cast<std::uintptr_t>(p);
    thread[next % 256] = t;
    ++next;
  }
  int freed_by(const void* p) const {  // the freeing thread, or -1
    for (std::size_t i = 0; i < 256; ++i)
      if (addr[i] == reinterpret_cast<std::uintptr_t>(p)) return thread[i];
    return -1;
  }
};

// --- state --------------------------------------------------------------------------------
Shadow g_shadow;
FreedRing g_freed;
Worker g_workers[kThreads];  // [0] unused: thread 0 is the main thread
std::uint32_t g_generation[kThreads];
std::size_t g_op_index = 0;
const Op* g_op = nullptr;

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kMalloc: return "malloc";
    case Kind::kCalloc: return "calloc";
    case Kind::kRealloc: return "realloc";
    case Kind::kReallocRelative: return "realloc(relative)";
    case Kind::kReallocArray: return "reallocarray";
    case Kind::kPosixMemalign: return "posix_memalign";
    case Kind::kAlignedAlloc: return "aligned_alloc";
    case Kind::kMemalign: return "memalign";
    case Kind::kValloc: return "valloc";
    case Kind::kPvalloc: return "pvalloc";
    case Kind::kFree: return "free";
    case Kind::kRespawn: return "respawn";
    case Kind::kCheckAll: return "check-all";
    case Kind::kEdgeCase: return "edge-case";
  }
  return "?";
}

[[noreturn]] __attribute__((format(printf, 1, 2))) void fail(const char* fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (g_op != nullptr) {
    std::fprintf(stderr, "alloclab-fuzz: FAIL %s [op #%zu %s on thread %d, slot %zu, size %zu, align %zu, arg %u]\n",
                 msg, g_op_index, kind_name(g_op->kind), g_op->thread, g_op->slot, g_op->size, g_op->align, g_op->arg);
  } else {
    std::fprintf(stderr, "alloclab-fuzz: FAIL %s\n", msg);
  }
  std::abort();
}

// Runs f on the program's thread t.
template <typename F>
void on_thread(int t, F f) {
  if (t == 0) {
    f();
  } else {
    g_workers[t].run(f);
  }
}

// --- checks -------------------------------------------------------------------------------
void verify(const LiveBlock& b, const char* when) {
  const std::size_t bad = check_block(b.p, b.usable, b.usable, b.seed);
  if (bad != SIZE_MAX)
    fail("block %p (id %llu, %s of %zu B, usable %zu, thread %d) was overwritten at offset %zu, found %s",
         static_cast<void*>(b.p), static_cast<unsigned long long>(b.id), kind_name(b.kind), b.size, b.usable, b.thread,
         bad, when);
}

// A fresh block from an allocation: checks it and records it in slot s.
void adopt(std::size_t s, void* raw, std::size_t size, std::size_t align, bool zeroed, Kind kind, int thread) {
  auto* p = static_cast<unsigned char*>(raw);
  const std::size_t need = align > kMinAlign ? align : kMinAlign;
  if (reinterpret_cast<std::uintptr_t>(p) % need != 0) fail("%p is not aligned to %zu", static_cast<void*>(p), need);
  const std::size_t usable = malloc_usable_size(p);
  if (usable < size) fail("malloc_usable_size(%p) = %zu < requested %zu", static_cast<void*>(p), usable, size);
  const long other = g_shadow.overlapping(p, usable, s);
  if (other >= 0) {
    const LiveBlock& o = g_shadow.slot[other];
    fail("[%p, +%zu) overlaps live block [%p, +%zu) (id %llu, %s on thread %d)", static_cast<void*>(p), usable,
         static_cast<void*>(o.p), o.usable, static_cast<unsigned long long>(o.id), kind_name(o.kind), o.thread);
  }
  if (zeroed) {
    const std::size_t nz = first_nonzero(p, size);
    if (nz != SIZE_MAX) fail("calloc'ed block %p of %zu B has a non-zero byte at %zu", static_cast<void*>(p), size, nz);
  }
  LiveBlock& b = g_shadow.slot[s];
  b = LiveBlock{p, size, usable, align, g_shadow.next_id++, 0, kind, thread, g_generation[thread]};
  b.seed = mix64(b.id);
  fill_block(p, usable, b.seed);
  g_shadow.live_bytes += usable;

  const unsigned bucket = size_bucket(size);
  feature(1, static_cast<unsigned>(kind) * 64 + bucket, static_cast<std::uint64_t>(thread));
  const int freer = g_freed.freed_by(p);
  if (freer >= 0)
    feature(2, bucket, static_cast<std::uint64_t>(freer == thread) * 8 + static_cast<std::uint64_t>(thread));
  feature(3, (reinterpret_cast<std::uintptr_t>(p) & ((std::size_t{1} << 22) - 1)) >> 16, bucket / 8);
}

// Frees slot s's block on the current thread (t).
void release(std::size_t s, int t) {
  LiveBlock& b = g_shadow.slot[s];
  if (b.p == nullptr) return;
  verify(b, "before free");
  feature(4, size_bucket(b.size),
          static_cast<std::uint64_t>(b.thread != t) * 2 +
              static_cast<std::uint64_t>(b.generation != g_generation[b.thread]));
  std::free(b.p);
  g_freed.add(b.p, t);
  g_shadow.live_bytes -= b.usable;
  b = LiveBlock{};
}

bool fits_cap(std::size_t size) { return size <= kLiveCap && g_shadow.live_bytes + size <= kLiveCap; }

// --- operations ---------------------------------------------------------------------------
void do_allocate(const Op& op) {
  std::size_t size = op.size, align = 0;
  if (op.kind == Kind::kCalloc) {
    const std::size_t count = 1 + op.arg % 8;
    size = size / count * count;
  }
  if (op.kind == Kind::kPvalloc) size = size == 0 ? kOsPage : (size + kOsPage - 1) & ~(kOsPage - 1);
  if (!fits_cap(size)) return;
  release(op.slot, op.thread);
  void* p = nullptr;
  int rc = 0;
  errno = 0;
  switch (op.kind) {
    case Kind::kMalloc: p = std::malloc(size); break;
    case Kind::kCalloc: p = std::calloc(1 + op.arg % 8, size / (1 + op.arg % 8)); break;
    case Kind::kPosixMemalign:
      align = op.align;
      rc = posix_memalign(&p, align, size);
      if (align < sizeof(void*)) {
        if (rc != EINVAL) fail("posix_memalign with alignment %zu returned %d, not EINVAL", align, rc);
        return;
      }
      if (rc != 0 && !(rc == ENOMEM && align > kMaxAlignment)) fail("posix_memalign returned %d", rc);
      if (rc != 0) return;
      break;
    case Kind::kAlignedAlloc: align = op.align, p = aligned_alloc(align, size); break;
    case Kind::kMemalign: align = op.align, p = memalign(align, size); break;
    case Kind::kValloc: align = kOsPage, p = valloc(size); break;
    case Kind::kPvalloc: align = kOsPage, p = pvalloc(op.size); break;
    default: fail("not an allocation");
  }
  if (p == nullptr) {
    if (align > kMaxAlignment && errno == ENOMEM) return;
    if (size == 0 && (op.kind == Kind::kMalloc || op.kind == Kind::kCalloc)) return;
    fail("returned NULL (errno %d) for %zu B", errno, size);
  }
  adopt(op.slot, p, size, align, op.kind == Kind::kCalloc, op.kind, op.thread);
}

std::size_t relative_size(const LiveBlock& b, std::uint8_t arg) {
  switch (arg % 6) {
    case 0: return b.size / 2;
    case 1: return b.size > 0 ? b.size - 1 : 0;
    case 2: return b.size + 1;
    case 3: return b.size * 2;
    case 4: return b.usable;
    default: return b.usable + 1;
  }
}

void do_realloc(const Op& op) {
  LiveBlock& b = g_shadow.slot[op.slot];
  std::size_t size = op.size;
  if (op.kind == Kind::kReallocRelative) {
    if (b.p == nullptr) return;
    size = relative_size(b, op.arg);
  }
  const std::size_t count = 1 + op.arg % 8;
  if (op.kind == Kind::kReallocArray) size = size / count * count;
  if (!fits_cap(size)) return;
  if (b.p == nullptr) {  // realloc(NULL, n) is malloc(n)
    void* p = op.kind == Kind::kReallocArray ? reallocarray(nullptr, count, size / count) : std::realloc(nullptr, size);
    if (p == nullptr && size != 0) fail("realloc(NULL, %zu) returned NULL", size);
    if (p != nullptr) adopt(op.slot, p, size, 0, false, op.kind, op.thread);
    return;
  }
  verify(b, "before realloc");
  const LiveBlock old = b;
  void* q = op.kind == Kind::kReallocArray ? reallocarray(old.p, count, size / count) : std::realloc(old.p, size);
  feature(5, size_bucket(old.size) * 64 + size_bucket(size), static_cast<std::uint64_t>(q == old.p));
  if (q == nullptr) {
    if (size != 0) {
      verify(old, "after a failed realloc");
      fail("realloc(%p, %zu) returned NULL", static_cast<void*>(old.p), size);
    }
    g_freed.add(old.p, op.thread);  // realloc(p, 0) freed p (glibc semantics)
    g_shadow.live_bytes -= old.usable;
    b = LiveBlock{};
    return;
  }
  const std::size_t keep = old.size < size ? old.size : size;
  const std::size_t bad = check_block(q, old.usable, keep, old.seed);
  if (bad != SIZE_MAX)
    fail("realloc(%p of %zu B, %zu) = %p lost the prefix: offset %zu differs", static_cast<void*>(old.p), old.size,
         size, q, bad);
  if (q != old.p) g_freed.add(old.p, op.thread);
  g_shadow.live_bytes -= old.usable;
  b = LiveBlock{};
  adopt(op.slot, q, size, 0, false, op.kind, op.thread);
}

long invalid_frees_counted() {
  using Fn = const char* (*)();
  static auto stats = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "alloclab_process_stats"));
  if (stats == nullptr) return -1;
  const char* at = std::strstr(stats(), "\"invalid_frees\":");
  return at ? std::strtol(at + 16, nullptr, 10) : -1;
}

bool free_is_checked() {
  using Fn = const char* (*)();
  static auto variant = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "alloclab_variant"));
  return variant != nullptr && std::strstr(variant(), "\"checked_free\":true") != nullptr;
}

// Invalid frees (a stack pointer, a pointer into the executable's data) must be counted and
// ignored, the live blocks untouched. (Interior pointers are not tried here: in a page that
// also holds aligned blocks, or freed by another thread, one frees its block by design.)
// Builds without checked_free skip it.
int g_not_from_malloc;

void free_invalid_pointers(const LiveBlock& b) {
  if (!free_is_checked()) return;
  const long before = invalid_frees_counted();
  int on_stack = 0;
  std::free(&on_stack);
  std::free(&g_not_from_malloc);
  if (b.p != nullptr) verify(b, "after free() of a stack and a data pointer (must be ignored)");
  if (invalid_frees_counted() != before + 2)
    fail("invalid frees counted %ld, expected %ld (free of a stack or data pointer not caught)",
         invalid_frees_counted(), before + 2);
}

void do_edge_case(const Op& op) {
  LiveBlock& b = g_shadow.slot[op.slot];
  void* p = reinterpret_cast<void*>(0x1);
  errno = 0;
  switch (op.arg % 8) {
    case 0:
      if ((p = std::malloc(SIZE_MAX - op.arg)) != nullptr || errno != ENOMEM)
        fail("malloc(SIZE_MAX - %u) = %p, errno %d (want NULL, ENOMEM)", op.arg, p, errno);
      break;
    case 1:
      if ((p = std::calloc((SIZE_MAX >> 4) + 2 + op.arg, 16)) != nullptr || errno != ENOMEM)
        fail("calloc with an overflowing count = %p, errno %d (want NULL, ENOMEM)", p, errno);
      break;
    case 2: {
      const std::size_t bad_align = op.arg & 16 ? 24 : (op.arg & 32 ? 0 : 4);
      const int rc = posix_memalign(&p, bad_align, 64);
      if (rc != EINVAL || p != reinterpret_cast<void*>(0x1))
        fail("posix_memalign(alignment %zu) = %d and touched *out (want EINVAL, untouched)", bad_align, rc);
      break;
    }
    case 3: {
      const std::size_t bad_align = 48 + 32 * (op.arg >> 7);  // not a power of two
      if ((p = aligned_alloc(bad_align, 96)) != nullptr) fail("aligned_alloc(%zu, 96) = %p (want NULL)", bad_align, p);
      break;
    }
    case 4:
    case 5:
      p = op.arg % 8 == 4 ? std::realloc(b.p, SIZE_MAX / 2) : reallocarray(b.p, SIZE_MAX / 4, 8 + op.arg % 3);
      if (p != nullptr || errno != ENOMEM)
        fail("realloc to an impossible size = %p, errno %d (want NULL, ENOMEM)", p, errno);
      if (b.p != nullptr) verify(b, "after a realloc that failed");
      break;
    case 6:
      if (malloc_usable_size(nullptr) != 0) fail("malloc_usable_size(NULL) != 0");
      std::free(nullptr);
      free_invalid_pointers(b);
      break;
    default: {  // an alignment above the limit: ENOMEM, or a correctly aligned block
      const int rc = posix_memalign(&p, kMaxAlignment << (1 + op.arg % 2), 64 + op.arg);
      if (rc == 0) {
        if (reinterpret_cast<std::uintptr_t>(p) % (kMaxAlignment << (1 + op.arg % 2)) != 0) fail("misaligned %p", p);
        std::free(p);
      } else if (rc != ENOMEM) {
        fail("posix_memalign with a 4-8 MiB alignment returned %d", rc);
      }
    }
  }
  feature(6, op.arg % 8, static_cast<std::uint64_t>(op.thread));
}

void respawn(int t) {
  if (t == 0) t = 1;
  g_workers[t].stop();
  ++g_generation[t];
  g_workers[t].start();
  feature(7, static_cast<std::uint64_t>(t));
}

void execute(const Op& op) {
  switch (op.kind) {
    case Kind::kRespawn: respawn(op.thread); return;
    case Kind::kCheckAll:
      for (const LiveBlock& b : g_shadow.slot)
        if (b.p != nullptr) verify(b, "in a check of all live blocks");
      return;
    default: break;
  }
  on_thread(op.thread, [&] {
    switch (op.kind) {
      case Kind::kFree: release(op.slot, op.thread); break;
      case Kind::kRealloc:
      case Kind::kReallocRelative:
      case Kind::kReallocArray: do_realloc(op); break;
      case Kind::kEdgeCase: do_edge_case(op); break;
      default: do_allocate(op); break;
    }
  });
}

long json_number(const char* json, const char* key) {
  const char* at = std::strstr(json, key);
  return at ? std::strtol(at + std::strlen(key), nullptr, 10) : -1;
}

// The variant this binary was built for answers malloc: alloclab_variant() names it, the
// process's malloc symbol lives in its library, and a malloc made here maps its memory.
void check_identity() {
  using Fn = const char* (*)();
  auto variant = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "alloclab_variant"));
  auto stats = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "alloclab_stats"));
  if (variant == nullptr || stats == nullptr) fail("no alloclab library is loaded (alloclab_variant not found)");
  const char* lib = alloclab_fuzz_expected_library;
  const char* dash = std::strstr(lib, "-debug");
  const bool debug = dash != nullptr && dash[6] == '\0';
  char want[160];
  std::snprintf(want, sizeof want, "{\"name\":\"%.*s\",", static_cast<int>(debug ? dash - lib : std::strlen(lib)), lib);
  const char* json = variant();
  if (std::strncmp(json, want, std::strlen(want)) != 0 ||
      std::strstr(json, debug ? "\"debug\":true" : "\"debug\":false") == nullptr)
    fail("alloclab_variant() = %s, but this fuzzer is for %s", json, lib);
  Dl_info info{};
  char file[160];
  std::snprintf(file, sizeof file, "/liballoclab-%s.so", lib);
  if (dladdr(dlsym(RTLD_DEFAULT, "malloc"), &info) == 0 || info.dli_fname == nullptr ||
      std::strlen(info.dli_fname) < std::strlen(file) ||
      std::strcmp(info.dli_fname + std::strlen(info.dli_fname) - std::strlen(file), file) != 0)
    fail("malloc resolves to %s, not %s", info.dli_fname ? info.dli_fname : "?", file + 1);
  const long before = json_number(stats(), "\"bytes_mapped\":");
  void* p = std::malloc(std::size_t{6} << 20);
  const long during = json_number(stats(), "\"bytes_mapped\":");
  std::free(p);
  if (p == nullptr || during < before + (6l << 20))
    fail("a 6 MiB malloc did not map memory in alloclab (bytes_mapped %ld -> %ld)", before, during);
  std::fprintf(stderr, "alloclab-fuzz: malloc is %s (%s)\n", info.dli_fname, json);
}

}  // namespace
}  // namespace fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace fuzz;
  check_identity();
  for (int t = 1; t < kThreads; ++t) g_workers[t].start();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fuzz;
  Decoder decoder(data, size);
  Op op{};
  g_op_index = 0;
  while (decoder.next(op)) {
    g_op = &op;
    execute(op);
    ++g_op_index;
  }
  g_op = nullptr;
  // Everything still live is verified and freed by the main thread (for workers' blocks, a
  // cross-thread free), so inputs do not leak into each other.
  for (std::size_t s = 0; s < kSlots; ++s) release(s, 0);
  return 0;
}
