// soak: endless thread churn with cross-thread frees and periodic bursts of large blocks,
// sampling RSS over time; asserts that RSS plateaus and falls back after every burst.
//
// Runs with whatever malloc the process has (ctest LD_PRELOADs an alloclab variant; the same
// binary measures glibc or another allocator for reference). Timeline of a run of T seconds:
//   - `spawners` loops keep re-creating short-lived worker threads for the whole run. A worker
//     makes 1..64 allocations of small and medium blocks (17 B .. 64 KiB, mostly small), swaps
//     each into a random slot of a shared mailbox and frees the block it displaces (usually
//     another, often dead, thread's), keeps a few blocks of its own, and exits handing those
//     to the mailbox (so it dies with blocks live in its pages).
//   - every `burst_every` seconds a fresh thread allocates `burst_mib` MiB of huge (> 64 KiB)
//     and medium blocks, touches them, holds them briefly, frees half itself and leaves half to
//     the main thread to free, and exits.
//   - a sampler thread reads /proc/self/statm every `sample_ms`.
// Assertions (exit 1 if one fails; exit 2 on bad arguments or if the run did no churn):
//   plateau:  max RSS of the last third <= max RSS of the middle third * (1 + plateau_pct/100)
//             + plateau_slack_mib (samples inside a burst window are left out of both).
//   recovery: after each burst's frees, some sample within recover_ms has RSS <= the level just
//             before the burst * (1 + recover_pct/100) + recover_slack_mib.
//   cap:      RSS never exceeds rss_cap_mib (the run stops there, so a leak cannot take the
//             machine's memory).
// Prints one JSON summary on stdout. Usage: soak [--seconds S] [--name value ...] (see kUsage).
#include <pthread.h>
#include <unistd.h>

#include <dlfcn.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace {

const char kUsage[] =
    "usage: soak [--seconds S] [--spawners N] [--burst-every S] [--burst-mib M] [--sample-ms MS]\n"
    "            [--plateau-pct P] [--plateau-slack-mib M] [--recover-ms MS] [--recover-pct P]\n"
    "            [--recover-slack-mib M] [--rss-cap-mib M] [--long-every N] [--tiny-ops N]\n"
    "            [--expect-variant NAME]\n";

struct Config {
  double seconds = 10;
  int spawners = 3;
  double burst_every = 2.5;
  int burst_mib = 48;
  int sample_ms = 20;
  double plateau_pct = 20;
  double plateau_slack_mib = 16;
  int recover_ms = 2000;
  double recover_pct = 10;
  double recover_slack_mib = 16;
  double rss_cap_mib = 1024;   // the run stops (and fails) here rather than exhaust the machine
  std::string expect_variant;  // if set: the alloclab variant that must answer malloc
};

using Clock = std::chrono::steady_clock;

using alloclab::test::mix64;  // tests/allocator/test_util.h
using alloclab::test::Rng;

long rss_kib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * (sysconf(_SC_PAGESIZE) / 1024) : 0;
}

// A block records its size and a check word in its first 16 bytes and a tag in its last byte,
// so a block handed out twice, or freed memory reused under a live block, is noticed.
std::atomic<long> g_corrupt{0};
std::atomic<long> g_null{0};

std::uint64_t check_word(const void* p, std::size_t size) {
  return mix64(reinterpret_cast<std::uintptr_t>(p) ^ (size << 20));
}
void* make_block(std::size_t size) {
  auto* p = static_cast<unsigned char*>(std::malloc(size));
  if (!p) {
    g_null.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  const std::uint64_t w[2] = {size, check_word(p, size)};
  std::memcpy(p, w, sizeof w);
  p[size - 1] = static_cast<unsigned char>(w[1]);
  return p;
}
void check_and_free(void* block) {
  if (!block) return;
  auto* p = static_cast<unsigned char*>(block);
  std::uint64_t w[2];
  std::memcpy(w, p, sizeof w);
  if (w[0] < 17 || w[0] > (std::size_t{1} << 30) || w[1] != check_word(p, w[0]) ||
      p[w[0] - 1] != static_cast<unsigned char>(w[1])) {
    g_corrupt.fetch_add(1, std::memory_order_relaxed);
  }
  std::free(p);
}

// Mostly small blocks, some medium ones: 90 % 17 B..1 KiB, 9 % ..8 KiB, 1 % ..64 KiB (a block
// holds its 16-byte header and a separate last byte).
std::size_t churn_size(Rng& rng) {
  const std::size_t r = rng.below(100);
  if (r < 90) return 17 + rng.below(1024 - 17 + 1);
  if (r < 99) return 1025 + rng.below(8192 - 1024);
  return 8193 + rng.below(65536 - 8192);
}

constexpr std::size_t kMailboxSlots = 4096;
std::atomic<void*> g_mailbox[kMailboxSlots];

std::atomic<bool> g_stop{false};
std::atomic<bool> g_over_cap{false};
std::atomic<long> g_threads{0};
std::atomic<long> g_ops{0};
// Worker mix (--tiny-ops, --long-every). With the default (every thread brief, 1..64
// allocations) a thread-per-request server is modelled; longer-lived allocating threads
// reclaim abandoned memory and mask a leak of dead threads' pages.
int g_tiny_ops = 64;
int g_long_every = 0;

void churn_worker(std::uint64_t seed, bool tiny) {
  Rng rng(seed);
  // Tiny threads make one to eight allocations (mimalloc-bench's mleak: a thread leaves one
  // block behind); the others a few hundred to ~2000.
  const int ops = tiny ? 1 + static_cast<int>(rng.below(g_tiny_ops)) : 300 + static_cast<int>(rng.below(1500));
  void* own[32] = {};
  long done = 0;
  for (int i = 0; i < ops; ++i) {
    void* b = make_block(churn_size(rng));
    if (rng.below(4) == 0) {  // kept for a while by this thread, freed locally
      void*& slot = own[rng.below(32)];
      check_and_free(slot);
      slot = b;
    } else {  // handed over: whoever displaces it frees it
      check_and_free(g_mailbox[rng.below(kMailboxSlots)].exchange(b, std::memory_order_acq_rel));
    }
    done += 2;
  }
  for (void* b : own) {  // the thread dies; its blocks live on in the mailbox
    if (b) check_and_free(g_mailbox[rng.below(kMailboxSlots)].exchange(b, std::memory_order_acq_rel));
  }
  g_ops.fetch_add(done, std::memory_order_relaxed);
}

void spawner(int index) {
  for (std::uint64_t n = 0; !g_stop.load(std::memory_order_relaxed); ++n) {
    // Every long_every-th thread is a longer one (0: none), the rest are tiny.
    const bool tiny = g_long_every == 0 || n % static_cast<std::uint64_t>(g_long_every) != 0;
    std::thread t(churn_worker, (static_cast<std::uint64_t>(index) << 40) + n, tiny);
    t.join();
    g_threads.fetch_add(1, std::memory_order_relaxed);
  }
}

struct Sample {
  double t;  // seconds since start
  long rss;  // KiB
};

struct Burst {
  double start = 0, freed = 0;  // seconds: first allocation, last free returned
  long pre = 0, peak = 0, after = -1;
  double recovered_ms = -1;  // first sample at or below the bound, ms after `freed`
  long bound = 0;
  bool ok = false;
};

std::mutex g_samples_mu;
std::vector<Sample> g_samples;

// A burst: `mib` MiB of blocks, two thirds huge (128 KiB .. 4 MiB), one third medium (8 .. 64
// KiB), all touched. The burst thread frees the odd ones and exits; the caller frees the rest.
std::vector<void*> burst_allocate(int mib, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<void*> blocks;
  const std::size_t huge_bytes = static_cast<std::size_t>(mib) * 2 / 3 << 20;
  const std::size_t total = static_cast<std::size_t>(mib) << 20;
  std::size_t got = 0;
  while (got < total) {
    const std::size_t size =
        got < huge_bytes ? (128u << 10) + rng.below((4u << 20) - (128u << 10)) : 8193 + rng.below(65536 - 8192);
    void* b = make_block(size);
    if (!b) break;
    std::memset(static_cast<unsigned char*>(b) + 16, 0x5a, size - 17);
    blocks.push_back(b);
    got += size;
  }
  return blocks;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Max RSS of the samples in [from, to) outside every burst window (a burst's first allocation
// up to its recovery, or up to the end of its recovery window if it never recovered).
long max_rss_in(const std::vector<Sample>& s, double from, double to, const std::vector<Burst>& bursts,
                double recover_s) {
  long m = 0;
  for (const Sample& x : s) {
    if (x.t < from || x.t >= to) continue;
    bool in_burst = false;
    for (const Burst& b : bursts)
      in_burst |= x.t >= b.start && x.t <= b.freed + (b.ok ? b.recovered_ms / 1000 : recover_s);
    if (!in_burst) m = std::max(m, x.rss);
  }
  return m;
}

const char* variant_name() {
  using fn = const char* (*)();
  auto f = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_variant"));
  return f ? f() : nullptr;
}

bool parse_args(int argc, char** argv, Config& c) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return false;
    if (a == "--expect-variant") {
      c.expect_variant = argv[++i];
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(argv[++i], &end);
    if (*end != '\0' || !(v >= 0)) return false;
    if (a == "--seconds")
      c.seconds = v;
    else if (a == "--spawners")
      c.spawners = static_cast<int>(v);
    else if (a == "--long-every")
      g_long_every = static_cast<int>(v);
    else if (a == "--tiny-ops")
      g_tiny_ops = static_cast<int>(v);
    else if (a == "--burst-every")
      c.burst_every = v;
    else if (a == "--burst-mib")
      c.burst_mib = static_cast<int>(v);
    else if (a == "--sample-ms")
      c.sample_ms = static_cast<int>(v);
    else if (a == "--plateau-pct")
      c.plateau_pct = v;
    else if (a == "--plateau-slack-mib")
      c.plateau_slack_mib = v;
    else if (a == "--recover-ms")
      c.recover_ms = static_cast<int>(v);
    else if (a == "--recover-pct")
      c.recover_pct = v;
    else if (a == "--recover-slack-mib")
      c.recover_slack_mib = v;
    else if (a == "--rss-cap-mib")
      c.rss_cap_mib = v;
    else
      return false;
  }
  return c.seconds >= 3 && c.spawners >= 1 && c.sample_ms >= 1 && c.burst_every > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  if (!parse_args(argc, argv, cfg)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (!cfg.expect_variant.empty()) {
    const char* v = variant_name();
    const std::string want = "\"name\":\"" + cfg.expect_variant + "\"";
    if (!v || !std::strstr(v, want.c_str())) {
      std::fprintf(stderr, "soak: malloc is not alloclab variant %s (alloclab_variant() = %s); LD_PRELOAD?\n",
                   cfg.expect_variant.c_str(), v ? v : "missing");
      return 2;
    }
  }
  g_samples.reserve(static_cast<std::size_t>(cfg.seconds * 1000 / cfg.sample_ms) + 1000);
  const Clock::time_point t0 = Clock::now();
  const long rss_start = rss_kib();
  g_samples.push_back({0, rss_start});

  std::thread sampler([&] {
    while (!g_stop.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(cfg.sample_ms));
      const Sample s{seconds_since(t0), rss_kib()};
      if (s.rss > cfg.rss_cap_mib * 1024) {
        g_over_cap.store(true);
        g_stop.store(true);
      }
      std::lock_guard<std::mutex> g(g_samples_mu);
      g_samples.push_back(s);
    }
  });
  std::vector<std::thread> spawners;
  for (int i = 0; i < cfg.spawners; ++i) spawners.emplace_back(spawner, i);

  // Bursts, from the main thread's timeline; the last one ends well before the run does so its
  // recovery window is observed.
  std::vector<Burst> bursts;
  const double recover_s = cfg.recover_ms / 1000.0;
  for (double next = cfg.burst_every; next + 0.5 + recover_s < cfg.seconds && !g_stop.load(); next += cfg.burst_every) {
    while (seconds_since(t0) < next && !g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Burst b;
    {
      std::lock_guard<std::mutex> g(g_samples_mu);
      for (auto it = g_samples.rbegin(); it != g_samples.rend() && it->t > next - 0.2; ++it)
        b.pre = std::max(b.pre, it->rss);
    }
    b.pre = std::max(b.pre, rss_kib());
    b.start = seconds_since(t0);
    std::vector<void*> mine;
    std::thread burster([&] {
      std::vector<void*> all = burst_allocate(cfg.burst_mib, static_cast<std::uint64_t>(next * 1000));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (i % 2)
          check_and_free(all[i]);
        else
          mine.push_back(all[i]);
      }
    });
    burster.join();
    b.peak = rss_kib();
    for (void* p : mine) check_and_free(p);
    b.freed = seconds_since(t0);
    bursts.push_back(b);
  }
  while (seconds_since(t0) < cfg.seconds && !g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  g_stop.store(true);
  const double run_s = seconds_since(t0);
  for (auto& t : spawners) t.join();
  sampler.join();

  // Everything the mailbox still holds is freed; the final RSS is reported (not asserted).
  for (auto& slot : g_mailbox) check_and_free(slot.exchange(nullptr));
  const long rss_end = rss_kib();

  const std::vector<Sample>& s = g_samples;
  for (Burst& b : bursts) {
    b.bound = static_cast<long>(b.pre * (1 + cfg.recover_pct / 100) + cfg.recover_slack_mib * 1024);
    for (const Sample& x : s) {
      if (x.t >= b.start && x.t <= b.freed) b.peak = std::max(b.peak, x.rss);
      if (x.t > b.freed && x.t <= b.freed + recover_s) {
        if (b.after < 0 || x.rss < b.after) b.after = x.rss;
        if (b.recovered_ms < 0 && x.rss <= b.bound) b.recovered_ms = (x.t - b.freed) * 1000;
      }
    }
    b.ok = b.recovered_ms >= 0;
  }
  const double third = run_s / 3;
  const long middle_max = max_rss_in(s, third, 2 * third, bursts, recover_s);
  const long last_max = max_rss_in(s, 2 * third, run_s + 1, bursts, recover_s);
  const long plateau_bound = static_cast<long>(middle_max * (1 + cfg.plateau_pct / 100) + cfg.plateau_slack_mib * 1024);
  const bool plateau_ok = !g_over_cap.load() && middle_max > 0 && last_max > 0 && last_max <= plateau_bound;
  const bool bursts_ok = !bursts.empty() && std::all_of(bursts.begin(), bursts.end(), [](auto& b) { return b.ok; });
  long peak_in_burst = 0;
  for (const Burst& b : bursts) peak_in_burst = std::max(peak_in_burst, b.peak);
  const bool churned = g_threads.load() > 0 && g_ops.load() > 0;
  const bool clean = g_corrupt.load() == 0 && g_null.load() == 0;

  const char* v = variant_name();
  std::printf(
      "{\"allocator\": %s%s%s, \"seconds\": %.1f, \"stopped_at_rss_cap\": %s, \"threads_created\": %ld, "
      "\"ops\": %ld,\n",
      v ? "" : "\"", v ? v : "not alloclab", v ? "" : "\"", run_s, g_over_cap.load() ? "true" : "false",
      g_threads.load(), g_ops.load());
  std::printf(" \"rss_kib\": {\"start\": %ld, \"middle_third_max\": %ld, \"plateau\": %ld, \"plateau_bound\": %ld,\n",
              rss_start, middle_max, last_max, plateau_bound);
  std::printf("             \"peak_in_burst\": %ld, \"end_after_all_freed\": %ld},\n", peak_in_burst, rss_end);
  std::printf(" \"bursts\": [");
  for (std::size_t i = 0; i < bursts.size(); ++i) {
    const Burst& b = bursts[i];
    std::printf(
        "%s\n   {\"at_s\": %.2f, \"pre_kib\": %ld, \"peak_kib\": %ld, \"after_kib\": %ld, \"bound_kib\": %ld, "
        "\"recovered_ms\": %.0f}",
        i ? "," : "", b.start, b.pre, b.peak, b.after, b.bound, b.recovered_ms);
  }
  std::printf("],\n \"corrupt_blocks\": %ld, \"null_returns\": %ld,\n", g_corrupt.load(), g_null.load());
  std::printf(" \"plateau_ok\": %s, \"bursts_recovered\": %s}\n", plateau_ok ? "true" : "false",
              bursts_ok ? "true" : "false");
  std::printf("RSS trace (s:MiB):");
  for (std::size_t i = 0; i < s.size(); i += std::max<std::size_t>(1, s.size() / 40))
    std::printf(" %.1f:%ld", s[i].t, s[i].rss / 1024);
  std::printf("\n");
  std::fflush(stdout);

  if (!churned) {
    std::fputs("soak: no thread churn happened (cannot judge the plateau)\n", stderr);
    return 2;
  }
  if (!clean) std::fputs("soak: FAIL corrupted blocks or malloc returned NULL\n", stderr);
  if (g_over_cap.load()) std::fprintf(stderr, "soak: FAIL RSS passed the cap of %.0f MiB\n", cfg.rss_cap_mib);
  if (!plateau_ok)
    std::fprintf(stderr, "soak: FAIL RSS does not plateau: last third max %ld KiB > bound %ld KiB (middle third max)\n",
                 last_max, plateau_bound);
  if (!bursts_ok) std::fputs("soak: FAIL RSS did not return after a burst (see \"bursts\")\n", stderr);
  return clean && plateau_ok && bursts_ok ? 0 : 1;
}
