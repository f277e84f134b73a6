// workloads_test.cc — the workloads' contracts: unique names, verify mode passes under the
// system allocator, exact malloc counts per the formulas in families.h, deterministic
// runs, the verify checks themselves, and the runner's command line. No timing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "workloads/families.h"
#include "workloads/registry.h"
#include "workloads/support.h"
#include "workloads/tracker.h"

namespace alloclab::workloads {
namespace {

using nlohmann::json;

const Workload& get(const std::string& name) {
  const Workload* w = find_workload(name);
  if (w == nullptr) throw std::runtime_error("no workload " + name);
  return *w;
}

uint64_t u(const json& params, const char* key) { return params.at(key).get<uint64_t>(); }

// ---------------------------------------------------------------------------------------
// Registry

TEST(Registry, NamesAreUniqueAndLowerCase) {
  std::set<std::string> seen;
  const std::regex shape("[a-z][a-z0-9_]*");
  for (const auto& w : all_workloads()) {
    EXPECT_TRUE(std::regex_match(w.name, shape)) << w.name;
    EXPECT_TRUE(seen.insert(w.name).second) << "duplicate " << w.name;
    EXPECT_FALSE(w.family.empty()) << w.name;
    EXPECT_FALSE(w.description.empty()) << w.name;
    EXPECT_TRUE(w.params.is_object() && !w.params.empty()) << w.name;
    EXPECT_GE(w.threads, 1) << w.name;
    EXPECT_TRUE(static_cast<bool>(w.run_once)) << w.name;
  }
}

TEST(Registry, HasEveryRequiredWorkload) {
  for (const char* name : {"ping_pong_16",
                           "ping_pong_64",
                           "ping_pong_256",
                           "batch_lifo_64",
                           "interleaved",
                           "multi_size",
                           "mt_churn",
                           "producer_consumer",
                           "realloc_growth",
                           "single_page_churn_16",
                           "single_page_churn_64",
                           "single_page_churn_256",
                           "multi_page_churn_16",
                           "multi_page_churn_64",
                           "multi_page_churn_256",
                           "larson",
                           "xmalloc_test",
                           "cache_scratch",
                           "mstress",
                           "glibc_simple",
                           "glibc_thread",
                           "alloc_test"}) {
    EXPECT_NE(find_workload(name), nullptr) << name;
  }
  EXPECT_EQ(find_workload("no_such_workload"), nullptr);
}

TEST(Registry, DefaultSetCoversEveryFamily) {
  std::set<std::string> families;
  std::set<std::string> covered;
  int defaults = 0;
  for (const auto& w : all_workloads()) {
    families.insert(w.family);
    if (w.in_default_set) {
      covered.insert(w.family);
      ++defaults;
    }
  }
  EXPECT_EQ(families, covered);
  EXPECT_GE(defaults, 10);
  EXPECT_LE(defaults, 16);
}

TEST(Registry, ListJsonRoundTrips) {
  const json list = json::parse(workloads_json().dump());
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), all_workloads().size());
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& w = all_workloads()[i];
    EXPECT_EQ(list[i].at("name"), w.name);
    EXPECT_EQ(list[i].at("family"), w.family);
    EXPECT_EQ(list[i].at("default"), w.in_default_set);
    EXPECT_EQ(list[i].at("threads"), w.threads);
    EXPECT_EQ(list[i].at("params"), w.params);
    EXPECT_TRUE(list[i].at("description").is_string());
  }
}

// ---------------------------------------------------------------------------------------
// Every workload: verify mode passes under the system allocator, nothing leaks, and the
// timed mode does the same number of operations as verify mode.

class EveryWorkload : public testing::TestWithParam<std::string> {};

TEST_P(EveryWorkload, VerifyModePassesAndBalances) {
  const Workload& w = get(GetParam());
  for (int i = 0; i < 2; ++i) {
    RunResult r;
    ASSERT_NO_THROW(r = w.run_once(Mode::kVerify));
    EXPECT_GT(r.mallocs, 0u);
    EXPECT_EQ(r.mallocs, r.frees + r.reallocs);
  }
}

TEST_P(EveryWorkload, TimedModeBalances) {
  const RunResult r = get(GetParam()).run_once(Mode::kTimed);
  EXPECT_GT(r.mallocs, 0u);
  EXPECT_EQ(r.mallocs, r.frees + r.reallocs);
}

std::vector<std::string> all_names() {
  std::vector<std::string> names;
  for (const auto& w : all_workloads()) names.push_back(w.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(All, EveryWorkload, testing::ValuesIn(all_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// ---------------------------------------------------------------------------------------
// Exact counts, from the formulas documented in families.h and the registered params.

void expect_counts(const std::string& name, uint64_t mallocs, uint64_t frees, uint64_t reallocs = 0) {
  for (Mode mode : {Mode::kTimed, Mode::kVerify}) {
    const RunResult r = get(name).run_once(mode);
    EXPECT_EQ(r.mallocs, mallocs) << name;
    EXPECT_EQ(r.frees, frees) << name;
    EXPECT_EQ(r.reallocs, reallocs) << name;
  }
}

TEST(ExactCounts, PingPong) {
  for (const char* name : {"ping_pong_16", "ping_pong_64", "ping_pong_256"}) {
    const json& p = get(name).params;
    expect_counts(name, u(p, "iterations"), u(p, "iterations"));
  }
  const RunContext ctx = new_run(Mode::kVerify, "test");
  EXPECT_EQ(ping_pong(ctx, PingPongParams{.size = 16, .iterations = 10}), (RunResult{10, 10, 0}));
}

TEST(ExactCounts, BatchAndPageChurn) {
  const json& b = get("batch_lifo_64").params;
  expect_counts("batch_lifo_64", u(b, "batch") * u(b, "rounds"), u(b, "batch") * u(b, "rounds"));
  for (const char* name : {"single_page_churn_16", "single_page_churn_64", "single_page_churn_256",
                           "multi_page_churn_16", "multi_page_churn_64", "multi_page_churn_256"}) {
    const json& p = get(name).params;
    const uint64_t n = u(p, "blocks") * u(p, "rounds");
    expect_counts(name, n, n);
    // The live set's payload fits in, or spans, the stated number of 64 KiB pages.
    EXPECT_LE(u(p, "blocks") * u(p, "size"), u(p, "pages") * 65536) << name;
  }
  EXPECT_EQ(u(get("multi_page_churn_64").params, "blocks"), 8u * 65536 / 64);
}

TEST(ExactCounts, RandomReplacement) {
  const json& i = get("interleaved").params;
  expect_counts("interleaved", u(i, "slots") + u(i, "steps"), u(i, "slots") + u(i, "steps"));
  const json& m = get("multi_size").params;
  expect_counts("multi_size", u(m, "batch") * u(m, "batches"), u(m, "batch") * u(m, "batches"));
  EXPECT_EQ(m.at("sizes").front(), 8);
  EXPECT_EQ(m.at("sizes").back(), 8192);
}

TEST(ExactCounts, ReallocGrowth) {
  const json& p = get("realloc_growth").params;
  const uint64_t steps = (u(p, "end_size") - u(p, "start_size") + u(p, "step") - 1) / u(p, "step");
  const uint64_t chains = u(p, "chains");
  expect_counts("realloc_growth", chains * (1 + steps), chains, chains * steps);
  const RunContext ctx = new_run(Mode::kVerify, "test");
  const RunResult r =
      realloc_growth(ctx, ReallocGrowthParams{.start_size = 16, .end_size = 100, .step = 40, .chains = 2});
  EXPECT_EQ(r, (RunResult{2 * 4, 2, 2 * 3}));  // 16 -> 56 -> 96 -> 100
}

TEST(ExactCounts, MultiThreaded) {
  const json& c = get("mt_churn").params;
  const uint64_t churn = u(c, "threads") * u(c, "rounds") * (u(c, "ping_pong_per_round") + u(c, "batch"));
  expect_counts("mt_churn", churn, churn);
  const json& pc = get("producer_consumer").params;
  expect_counts("producer_consumer", u(pc, "blocks"), u(pc, "blocks"));
}

TEST(ExactCounts, Classic) {
  const json& l = get("larson").params;
  const uint64_t larson_n = u(l, "threads") * (u(l, "slots") + u(l, "phases") * u(l, "ops"));
  expect_counts("larson", larson_n, larson_n);
  const json& x = get("xmalloc_test").params;
  const uint64_t x_n = u(x, "alloc_threads") * u(x, "batches_per_thread") * u(x, "batch");
  expect_counts("xmalloc_test", x_n, x_n);
  const json& cs = get("cache_scratch").params;
  const uint64_t cs_n = u(cs, "threads") * (1 + u(cs, "iterations"));
  expect_counts("cache_scratch", cs_n, cs_n);
  const json& gs = get("glibc_simple").params;
  uint64_t per_size = 0;
  for (const auto& n : gs.at("counts")) per_size += n.get<uint64_t>();
  const uint64_t gs_n = u(gs, "passes") * gs.at("sizes").size() * per_size;
  expect_counts("glibc_simple", gs_n, gs_n);
  const json& gt = get("glibc_thread").params;
  const uint64_t gt_n = u(gt, "threads") * (u(gt, "slots") + u(gt, "steps"));
  expect_counts("glibc_thread", gt_n, gt_n);
}

TEST(ExactCounts, DataDependentWorkloadsAreDeterministic) {
  // mstress's mallocs do not depend on thread interleaving (only its frees' timing does);
  // alloc_test is single-threaded.
  for (const char* name : {"alloc_test", "mstress"}) {
    const RunResult a = get(name).run_once(Mode::kTimed);
    const RunResult b = get(name).run_once(Mode::kVerify);
    EXPECT_EQ(a, b) << name;
  }
  const json& p = get("alloc_test").params;
  const RunResult r = get("alloc_test").run_once(Mode::kTimed);
  EXPECT_GT(r.mallocs, u(p, "steps") / 3);  // about half the steps allocate
  EXPECT_LT(r.mallocs, 2 * u(p, "steps") / 3);
}

// ---------------------------------------------------------------------------------------
// The verify machinery catches what it is meant to catch.

TEST(Tracker, CorruptionIsReportedWithSizeAndOffset) {
  const RunContext ctx = new_run(Mode::kVerify, "corrupt_me");
  Tracker t(ctx);
  auto* p = static_cast<unsigned char*>(t.alloc(64));
  p[10] ^= 0x5A;
  try {
    t.release(p, 64);
    ADD_FAILURE() << "corruption not detected";
  } catch (const VerifyError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("corrupt_me"), std::string::npos) << msg;
    EXPECT_NE(msg.find("block of 64 bytes"), std::string::npos) << msg;
    EXPECT_NE(msg.find("offset 10"), std::string::npos) << msg;
  }
  std::free(p);  // release threw before freeing
}

TEST(Tracker, TailBytesAreChecked) {
  const RunContext ctx = new_run(Mode::kVerify, "tail");
  Tracker t(ctx);
  auto* p = static_cast<unsigned char*>(t.alloc(13));
  p[12] ^= 1;
  EXPECT_THROW(t.release(p, 13), VerifyError);
  std::free(p);
}

TEST(Tracker, PatternDependsOnRun) {
  // A block filled in one run does not pass the check of another run.
  const RunContext first = new_run(Mode::kVerify, "first");
  const RunContext second = new_run(Mode::kVerify, "second");
  Tracker a(first);
  Tracker b(second);
  void* p = a.alloc(32);
  EXPECT_THROW(b.release(p, 32), VerifyError);
  a.release(p, 32);
}

TEST(Tracker, ReallocKeepsContentAndCallocIsZero) {
  const RunContext ctx = new_run(Mode::kVerify, "grow");
  Tracker t(ctx);
  void* p = t.grow(nullptr, 0, 24);  // realloc(NULL, n): a malloc, not a realloc
  p = t.grow(p, 24, 4000);
  p = t.grow(p, 4000, 100);  // shrinking keeps the prefix too
  t.release(p, 100);
  void* z = t.alloc_zeroed(10, 8);
  t.release(z, 80);
  EXPECT_EQ(t.result(), (RunResult{4, 2, 2}));
}

TEST(Tracker, CrossThreadReleaseVerifies) {
  const RunContext ctx = new_run(Mode::kVerify, "cross");
  Tracker owner(ctx);
  Block b = owner.alloc_block(200);
  run_threads(1, [&](int) {
    Tracker other(ctx);
    other.release(b);
  });
  EXPECT_EQ(owner.result(), (RunResult{1, 0, 0}));
}

TEST(Tracker, RunThreadsRethrows) {
  std::atomic<bool> stop{false};
  EXPECT_THROW(run_threads(
                   2,
                   [](int i) {
                     if (i == 1) throw VerifyError("boom");
                   },
                   &stop),
               VerifyError);
  EXPECT_TRUE(stop.load());
}

// ---------------------------------------------------------------------------------------
// Support

TEST(Support, RngIsDeterministic) {
  Rng a(42);
  Rng b(42);
  Rng c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(Support, SizeDistributionsStayInBounds) {
  Rng rng(7);
  for (int i = 0; i < 100000; ++i) {
    const size_t s = log_uniform_size(rng, 4, 32768);
    ASSERT_GE(s, 4u);
    ASSERT_LE(s, 32768u);
    const uint64_t v = rng.between(16, 128);
    ASSERT_GE(v, 16u);
    ASSERT_LE(v, 128u);
  }
}

TEST(Support, PackRoundTrips) {
  int x = 0;
  const Block b{&x, 32768};
  ASSERT_TRUE(packable(b));
  const Block back = unpack(pack(b));
  EXPECT_EQ(back.ptr, b.ptr);
  EXPECT_EQ(back.size, b.size);
}

TEST(Support, SizeClassLadder) {
  const auto ladder = size_class_ladder(8192);
  EXPECT_EQ(ladder.front(), 8u);
  EXPECT_EQ(ladder.back(), 8192u);
  EXPECT_TRUE(std::is_sorted(ladder.begin(), ladder.end()));
  EXPECT_EQ(std::set<size_t>(ladder.begin(), ladder.end()).size(), ladder.size());
}

// ---------------------------------------------------------------------------------------
// The runner binary's command line.

#ifdef ALLOCLAB_RUNNER
struct Output {
  int status;
  std::string out;
};

Output run_runner(const std::string& args, const std::string& prefix = "") {
  const std::string cmd = prefix + std::string(ALLOCLAB_RUNNER) + " " + args + " 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const int status = pclose(f);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(Runner, ListParses) {
  const Output o = run_runner("--list");
  ASSERT_EQ(o.status, 0);
  const json list = json::parse(o.out);
  ASSERT_TRUE(list.is_array());
  std::vector<std::string> names;
  for (const auto& w : list) {
    names.push_back(w.at("name"));
    EXPECT_TRUE(w.at("default").is_boolean());
    EXPECT_TRUE(w.at("threads").is_number_integer());
    EXPECT_TRUE(w.at("params").is_object());
    EXPECT_TRUE(w.at("family").is_string());
    EXPECT_TRUE(w.at("description").is_string());
  }
  EXPECT_EQ(names, all_names());
}

TEST(Runner, VerifyOneWorkload) {
  const Output o = run_runner("--verify --benchmark_filter='^ping_pong_16$'");
  ASSERT_EQ(o.status, 0);
  EXPECT_EQ(json::parse(o.out), json::parse(R"({"verified":["ping_pong_16"]})"));
}

TEST(Runner, FixedIterationsCounts) {
  const Output o = run_runner("--fixed-iterations=3 --workload=realloc_growth");
  ASSERT_EQ(o.status, 0);
  const json r = json::parse(o.out);
  const RunResult once = get("realloc_growth").run_once(Mode::kTimed);
  EXPECT_EQ(r.at("workload"), "realloc_growth");
  EXPECT_EQ(r.at("iterations"), 3);
  EXPECT_EQ(r.at("mallocs"), 3 * once.mallocs);
  EXPECT_EQ(r.at("frees"), 3 * once.frees);
}

TEST(Runner, BenchmarkJsonUsesPlainNamesAndContext) {
  const Output o = run_runner("--benchmark_filter='^ping_pong_64$' --benchmark_format=json --benchmark_min_time=0.01");
  ASSERT_EQ(o.status, 0);
  const json r = json::parse(o.out);
  ASSERT_EQ(r.at("benchmarks").size(), 1u);
  EXPECT_EQ(r["benchmarks"][0].at("name"), "ping_pong_64");
  EXPECT_GT(r["benchmarks"][0].at("items_per_second").get<double>(), 0.0);
  const std::string provider = r.at("context").at("malloc_provider");
  const std::string variant = r.at("context").at("alloclab_variant");
  const char* preload = std::getenv("LD_PRELOAD");
  // A path such as /lib/x86_64-linux-gnu/libc.so.6 (or a sanitizer's runtime).
  EXPECT_NE(provider.find(".so"), std::string::npos) << provider;
  if (preload == nullptr || *preload == '\0') {
    EXPECT_EQ(variant, "");  // no alloclab library
  }
}

// The runner reports its own peak RSS (VmHWM): wait4's ru_maxrss, which the harness used to
// record, carries over the forking parent's RSS, so a parent holding 256 MiB saw every child
// "peak" at 256 MiB. Here this test process is that parent.
TEST(Runner, PeakRssIsTheRunnersOwnNotItsParents) {
  std::vector<char> held(std::size_t{256} << 20);
  std::memset(held.data(), 1, held.size());  // resident in this (the forking) process
  const Output o = run_runner("--benchmark_filter='^ping_pong_64$' --benchmark_format=json --benchmark_min_time=0.01");
  ASSERT_EQ(o.status, 0);
  const json b = json::parse(o.out).at("benchmarks").at(0);
  ASSERT_TRUE(b.contains("peak_rss_kib")) << b;
  const double kib = b["peak_rss_kib"].get<double>();
  EXPECT_GT(kib, 0);
  EXPECT_LT(kib, 128 * 1024) << "the runner reported its parent's 256 MiB";
  EXPECT_EQ(held[held.size() / 2], 1);
}

// The address_layout context of one timed child run with address-space randomization off
// (setarch -R: personality ADDR_NO_RANDOMIZE, like `harness run --aslr off`).
std::optional<json> layout_without_aslr(const std::string& shift) {
  const Output o = run_runner(
      "--benchmark_filter='^ping_pong_16$' --benchmark_format=json "
      "--benchmark_min_time=0.001 --alloclab-stack-shift=" +
          shift,
      "setarch -R ");
  if (o.status != 0) return std::nullopt;
  return json::parse(json::parse(o.out).at("context").at("address_layout").get<std::string>());
}

TEST(Runner, StackShiftMovesTheStackByExactlyThatManyBytes) {
  // A failure, not a skip: `harness run --aslr off` needs the same personality change.
  ASSERT_EQ(std::system("setarch -R true >/dev/null 2>&1"), 0) << "setarch -R (util-linux) is refused here";
  // Same-length arguments: argv sits at the top of the stack, so a longer string would move it.
  const auto a = layout_without_aslr("0000"), again = layout_without_aslr("0000"), b = layout_without_aslr("1040");
  ASSERT_TRUE(a && again && b);
  EXPECT_EQ(a->at("stack"), again->at("stack")) << "ASLR off: two children must get the same stack";
  EXPECT_EQ(a->at("runner_code"), again->at("runner_code"));
  EXPECT_EQ(a->at("stack").get<std::uint64_t>() - b->at("stack").get<std::uint64_t>(), 1040u);
  EXPECT_EQ(a->at("runner_code"), b->at("runner_code"));  // only the stack moves
}

TEST(Runner, UsageErrorsExitTwo) {
  EXPECT_EQ(run_runner("--workload=no_such_workload").status, 2);
  EXPECT_EQ(run_runner("--fixed-iterations=2 --workload=nope").status, 2);
  EXPECT_EQ(run_runner("--fixed-iterations=2").status, 2);
  EXPECT_EQ(run_runner("--fixed-iterations=zero --workload=ping_pong_16").status, 2);
  EXPECT_EQ(run_runner("--verify --benchmark_filter='^nothing$'").status, 2);
  EXPECT_EQ(run_runner("--benchmark_filter='^nothing$'").status, 2);
  EXPECT_EQ(run_runner("--alloclab-stack-shift=-16 --benchmark_filter='^ping_pong_16$'").status, 2);
  EXPECT_EQ(run_runner("--alloclab-stack-shift=99999999 --benchmark_filter='^ping_pong_16$'").status, 2);
}
#endif

}  // namespace
}  // namespace alloclab::workloads
