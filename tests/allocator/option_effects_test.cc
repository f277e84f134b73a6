// option effects: each optimization changes the allocator's internal event counters the way
// ALLOCATOR.md says it should. churn_probe runs a churn pattern under LD_PRELOAD of a
// variant's -stats library (paths from the manifest) and prints alloclab_stats(); the tests
// compare counters between variants.
//
// Env (set by tests/CMakeLists.txt): ALLOCLAB_MANIFEST, ALLOCLAB_CHURN_PROBE.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

extern char** environ;
using nlohmann::json;

namespace {

struct Variant {
  std::string name;
  json options;
  std::string stats_library;
};

const json& manifest() {
  static json m = [] {
    const char* p = std::getenv("ALLOCLAB_MANIFEST");
    if (!p) throw std::runtime_error("ALLOCLAB_MANIFEST is not set (run through ctest)");
    std::ifstream in(p);
    if (!in) throw std::runtime_error(std::string("cannot read manifest ") + p);
    return json::parse(in);
  }();
  return m;
}

std::vector<Variant> variants() {
  std::vector<Variant> out;
  for (const auto& e : manifest()["variants"])
    out.push_back({e["name"].get<std::string>(), e["options"], e["stats_library"].get<std::string>()});
  return out;
}

const Variant* find_variant(const std::string& name) {
  static std::vector<Variant> all = variants();
  for (const auto& v : all)
    if (v.name == name) return &v;
  return nullptr;
}

struct ProbeResult {
  bool ok = false;
  std::string error;
  json stats;
  long counter(const char* k) const {
    if (!stats.contains("counters") || !stats["counters"].contains(k)) return -1;
    return stats["counters"][k].get<long>();
  }
};

// Runs churn_probe with args under LD_PRELOAD=lib; caches by (lib, args).
const ProbeResult& probe(const std::string& lib, const std::vector<std::string>& args) {
  static std::map<std::string, ProbeResult> cache;
  std::string key = lib;
  for (const auto& a : args) key += " " + a;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  ProbeResult& r = cache[key];
  const char* probe_path = std::getenv("ALLOCLAB_CHURN_PROBE");
  if (!probe_path) {
    r.error = "ALLOCLAB_CHURN_PROBE is not set (run through ctest)";
    return r;
  }
  struct stat st {};
  if (stat(lib.c_str(), &st) != 0) {
    r.error = "stats library " + lib + " does not exist (build the alloclab-<variant>-stats targets)";
    return r;
  }
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0) env_s.emplace_back(*e);
  env_s.push_back("LD_PRELOAD=" + lib);
  std::vector<char*> envp, argv;
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string prog = probe_path;
  argv.push_back(prog.data());
  std::vector<std::string> args_copy = args;
  for (auto& a : args_copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe(fds) != 0) {
    r.error = "pipe failed";
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  pid_t pid;
  int rc = posix_spawn(&pid, probe_path, &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    r.error = std::string("posix_spawn failed: ") + std::strerror(rc);
    return r;
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    r.error =
        "churn_probe" + key.substr(lib.size()) + " under " + lib + " failed (status " + std::to_string(status) + ")";
    return r;
  }
  try {
    r.stats = json::parse(out);
  } catch (const std::exception& e) {
    r.error = "churn_probe output is not JSON: " + out;
    return r;
  }
  if (!r.stats.value("stats_enabled", false)) {
    r.error = lib + " reports stats_enabled=false: " + out;
    return r;
  }
  r.ok = true;
  return r;
}

const ProbeResult& run(const std::string& variant, const std::vector<std::string>& args) {
  const Variant* v = find_variant(variant);
  static ProbeResult missing;
  if (!v) {
    missing.ok = false;
    missing.error = "variant " + variant + " is not in the manifest";
    return missing;
  }
  return probe(v->stats_library, args);
}

#define REQUIRE_OK(r) ASSERT_TRUE((r).ok) << (r).error

const std::vector<std::string> kPingPong = {"pingpong", "1000000", "16"};
const std::vector<std::string> kPingPongHeld = {"pingpong-held", "1000000", "16"};
const std::vector<std::string> kProgressive = {"progressive", "20000"};
const std::vector<std::string> kMultiPage = {"multipage", "3", "2000", "64"};
const std::vector<std::string> kListSwap = {"listswap", "20000"};
const std::vector<std::string> kInterleaved = {"interleaved", "200000"};

std::string dump(const ProbeResult& r) { return r.stats.dump(); }

// Across every variant of the manifest: `counter` is non-zero exactly when the boolean
// option `flag` is on.
void expect_counter_iff_flag(const std::vector<std::string>& workload, const char* flag, const char* counter) {
  for (const auto& v : variants()) {
    const auto& r = run(v.name, workload);
    EXPECT_TRUE(r.ok) << r.error;
    if (!r.ok) continue;
    if (v.options.value(flag, false)) {
      EXPECT_GT(r.counter(counter), 0) << v.name << ": " << dump(r);
    } else {
      EXPECT_EQ(r.counter(counter), 0) << v.name << ": " << dump(r);
    }
  }
}

}  // namespace

TEST(OptionEffects, EveryStatsLibraryLoadsAndCounts) {
  auto vs = variants();
  ASSERT_FALSE(vs.empty());
  for (const auto& v : vs) {
    const ProbeResult& r = probe(v.stats_library, {"pingpong", "10000", "16"});
    EXPECT_TRUE(r.ok) << v.name << ": " << r.error;
    if (!r.ok) continue;
    EXPECT_EQ(r.stats.value("variant", std::string()), v.name) << dump(r);
    long fast = r.counter("fast_allocs"), generic = r.counter("generic_calls"),
         promoted = r.counter("inline_promotions");
    EXPECT_GE(fast, 0) << "no fast_allocs counter: " << dump(r);
    EXPECT_GE(generic, 0) << "no generic_calls counter: " << dump(r);
    EXPECT_GE(promoted, 0) << "no inline_promotions counter: " << dump(r);
    // Every malloc is served by the fast path, an inline promotion or the generic path.
    EXPECT_GE(fast + generic + promoted, 10000) << v.name << ": 10000 mallocs, counters " << dump(r);
  }
}

TEST(OptionEffects, InlinePromotionAvoidsGenericPath) {
  const auto& base = run("baseline", kPingPong);
  const auto& ip = run("inline_promotion", kPingPong);
  REQUIRE_OK(base);
  REQUIRE_OK(ip);
  long gb = base.counter("generic_calls"), gi = ip.counter("generic_calls");
  EXPECT_GE(gb, 10 * std::max(gi, 1L)) << "ping-pong of 16 B: generic_calls baseline " << gb << ", inline_promotion "
                                       << gi;
  EXPECT_GT(ip.counter("inline_promotions"), 0) << dump(ip);
  EXPECT_EQ(base.counter("inline_promotions"), 0) << dump(base);
  // Every variant: inline promotions happen iff the option is on. With one block held the
  // page never empties, so hysteresis' promotion on retire cannot stand in for it.
  expect_counter_iff_flag(kPingPongHeld, "inline_promotion", "inline_promotions");
}

TEST(OptionEffects, MinExtendHalvesExtendCalls) {
  const auto& base = run("baseline", kProgressive);
  const auto& me = run("min_extend", kProgressive);
  REQUIRE_OK(base);
  REQUIRE_OK(me);
  long eb = base.counter("extend_calls"), em = me.counter("extend_calls");
  ASSERT_GT(eb, 0) << dump(base);
  EXPECT_LT(em, 0.75 * eb) << "20000 x 1 KiB + 20000 x 2 KiB: extend_calls baseline " << eb << ", min_extend " << em;
  // Every variant: extend calls follow its min_extend.
  const long base_min = find_variant("baseline")->options.value("min_extend", 4L);
  for (const auto& v : variants()) {
    const auto& r = run(v.name, kProgressive);
    EXPECT_TRUE(r.ok) << r.error;
    if (!r.ok) continue;
    long e = r.counter("extend_calls");
    if (v.options.value("min_extend", 4L) > base_min) {
      EXPECT_LT(e, 0.75 * eb) << v.name << ": extend_calls " << e << " vs baseline " << eb;
    } else if (v.options.value("min_extend", 4L) == base_min) {
      EXPECT_TRUE(e > 0.9 * eb && e < 1.1 * eb) << v.name << ": extend_calls " << e << " vs baseline " << eb;
    }
  }
}

TEST(OptionEffects, HysteresisKeepsPagesAndTakesFewerFresh) {
  const auto& base = run("baseline", kMultiPage);
  const auto& hy = run("hysteresis", kMultiPage);
  REQUIRE_OK(base);
  REQUIRE_OK(hy);
  EXPECT_GT(hy.counter("pages_kept_hysteresis"), 0) << dump(hy);
  EXPECT_EQ(base.counter("pages_kept_hysteresis"), 0) << dump(base);
  EXPECT_LT(hy.counter("fresh_pages"), base.counter("fresh_pages"))
      << "3 pages of 64 B, 2000 cycles: fresh_pages baseline " << base.counter("fresh_pages") << ", hysteresis "
      << hy.counter("fresh_pages");
  expect_counter_iff_flag(kMultiPage, "hysteresis", "pages_kept_hysteresis");
}

TEST(OptionEffects, AdminIntervalRunsAdminLessOften) {
  const auto& base = run("baseline", kPingPong);
  const auto& ai = run("admin_interval", kPingPong);
  REQUIRE_OK(base);
  REQUIRE_OK(ai);
  long rb = base.counter("admin_runs"), ra = ai.counter("admin_runs");
  ASSERT_GT(rb, 0) << dump(base);
  ASSERT_GT(ra, 0) << dump(ai);
  double ratio = static_cast<double>(rb) / static_cast<double>(ra);
  EXPECT_GE(ratio, 2.0) << "admin_runs baseline " << rb << ", admin_interval " << ra;
  EXPECT_LE(ratio, 3.0) << "admin_runs baseline " << rb << ", admin_interval " << ra;
}

TEST(OptionEffects, ListSwapSwapsLists) {
  const auto& base = run("baseline", kListSwap);
  const auto& ls = run("list_swap", kListSwap);
  REQUIRE_OK(base);
  REQUIRE_OK(ls);
  EXPECT_GT(ls.counter("list_swaps"), 0) << dump(ls);
  EXPECT_EQ(base.counter("list_swaps"), 0) << dump(base);
  expect_counter_iff_flag(kListSwap, "list_swap", "list_swaps");
}

// direct_free: the owner's frees go onto `free`, so under interleaved churn `free` seldom runs
// dry: far fewer generic calls. And the heartbeat survives: the budget runs out, frees fall
// back to local_free and the generic path is still reached (admin work still runs).
TEST(OptionEffects, DirectFreeKeepsFreeFromRunningDry) {
  const auto& base = run("baseline", kInterleaved);
  const auto& df = run("direct_free", kInterleaved);
  REQUIRE_OK(base);
  REQUIRE_OK(df);
  long gb = base.counter("generic_calls"), gd = df.counter("generic_calls");
  EXPECT_GE(gb, 4 * gd) << "interleaved, 200000 steps: generic_calls baseline " << gb << ", direct_free " << gd;
  EXPECT_GT(gd, 8) << "direct_free never reached the generic path after its first pages: " << dump(df);
  EXPECT_GT(df.counter("admin_runs"), 0) << dump(df);
  // Ping-pong: every free lands on `free`, yet the generic path still runs about once per
  // direct_free + capacity allocations (not never).
  const auto& pp = run("direct_free", kPingPongHeld);
  REQUIRE_OK(pp);
  EXPECT_GT(pp.counter("generic_calls"), 1000000 / (1024 + 4096) / 2) << dump(pp);
  // Every variant: direct frees happen iff its direct_free budget is non-zero.
  for (const auto& v : variants()) {
    const auto& r = run(v.name, kInterleaved);
    EXPECT_TRUE(r.ok) << r.error;
    if (!r.ok) continue;
    if (v.options.value("direct_free", 0L) != 0) {
      EXPECT_GT(r.counter("direct_frees"), 0) << v.name << ": " << dump(r);
    } else {
      EXPECT_EQ(r.counter("direct_frees"), 0) << v.name << ": " << dump(r);
    }
  }
}
