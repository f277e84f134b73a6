// Sharded runs (harness run --shard K/N) and `harness merge`: the dealing rule, the --shard
// parser, shards of a fake run merged back into the unsharded run's structure, and every
// refusal (exit 2, naming the file and the field).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "io/results_json.h"
#include "io/shard_merge.h"
#include "run/shards.h"
#include "test_util.h"
#include "verbs/run.h"

namespace alloclab::harness {
namespace {

using testing::FakeProcessRunner;
using testing::TempDir;

// --- the parser and the dealing rule ----------------------------------------------------

TEST(ShardParse, AcceptsKOverNWithKFromOneToN) {
  ShardInfo s = parse_shard("2/3");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(parse_shard("1/1").count, 1);
  for (const char* bad :
       {"0/3", "4/3", "x", "1/0", "0/0", "-1/3", "1/-3", "3", "1/3 ", " 1/3", "1/3/3", "", "a/b", "1.0/3", "+1/3"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const HarnessError& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      EXPECT_NE(std::string(e.what()).find("K/N"), std::string::npos) << e.what();
    }
  }
}

TEST(ShardDealing, WorkloadIGoesToShardIModNPlusOne) {
  std::vector<int> got;
  for (std::size_t i = 0; i < 7; ++i) got.push_back(shard_of_workload(i, 3));
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 1, 2, 3, 1}));
  const std::vector<std::string> sel = {"a", "b", "c", "d", "e", "f", "g"};
  EXPECT_EQ(shard_workloads(sel, 1, 3), (std::vector<std::string>{"a", "d", "g"}));
  EXPECT_EQ(shard_workloads(sel, 2, 3), (std::vector<std::string>{"b", "e"}));
  EXPECT_EQ(shard_workloads(sel, 3, 3), (std::vector<std::string>{"c", "f"}));
  EXPECT_EQ(shard_workloads(sel, 1, 1), sel);
}

TEST(ShardDealing, TheShardsPartitionTheSelectionForEveryN) {
  std::vector<std::string> sel;
  for (int i = 0; i < 11; ++i) sel.push_back("w" + std::to_string(i));
  for (int n = 1; n <= 11; ++n) {
    std::multiset<std::string> all;
    std::size_t smallest = sel.size(), largest = 0;
    for (int k = 1; k <= n; ++k) {
      auto part = shard_workloads(sel, k, n);
      smallest = std::min(smallest, part.size());
      largest = std::max(largest, part.size());
      all.insert(part.begin(), part.end());
    }
    EXPECT_EQ(all, std::multiset<std::string>(sel.begin(), sel.end())) << n << " shards";
    EXPECT_LE(largest - smallest, 1u) << n << " shards";
    EXPECT_GE(smallest, 1u) << n << " shards";
  }
}

TEST(ShardDealing, MoreShardsThanWorkloadsIsRefusedForEveryShard) {
  RunResults r;
  for (const char* n : {"w1", "w2"}) {
    WorkloadSpec w;
    w.name = n;
    r.workloads.push_back(w);
  }
  for (int k = 1; k <= 3; ++k) {
    RunResults copy = r;
    ShardInfo s;
    s.index = k;
    s.count = 3;
    try {
      restrict_to_shard(copy, s, "");
      ADD_FAILURE() << "shard " << k << "/3 of 2 workloads accepted";
    } catch (const HarnessError& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      EXPECT_NE(std::string(e.what()).find("3 shards for 2 selected workloads"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("shard 3 would get none"), std::string::npos) << e.what();
    }
  }
}

// --- sharded fake runs and the merge ----------------------------------------------------

class Shards : public ::testing::Test {
 protected:
  void SetUp() override {
    manifest_ = dir_.file("manifest.json");
    json m = {{"schema_version", 1}, {"factors", {"a"}}, {"variants", json::array()}};
    for (auto [name, bits] : std::vector<std::pair<std::string, std::string>>{{"baseline", "0"}, {"all", "1"}}) {
      m["variants"].push_back({{"name", name},
                               {"sets", {"default"}},
                               {"factors", bits},
                               {"options", {{"a", bits == "1"}}},
                               {"library", "/fake/liballoclab-" + name + ".so"}});
      fake_.variants["/fake/liballoclab-" + name + ".so"] = name;
    }
    testing::write_text(manifest_, m.dump());
    fake_.speed["/fake/liballoclab-all.so"] = 1.2e8;
    fake_.list_json = R"([{"name":"w1","family":"f","description":"one","default":true,"threads":1,"params":{}},)"
                      R"({"name":"w2","family":"f","description":"two","default":true,"threads":1,"params":{}},)"
                      R"({"name":"w3","family":"g","description":"three","default":true,"threads":2,"params":{}},)"
                      R"({"name":"w4","family":"g","description":"four","default":true,"threads":1,"params":{}}])";
    args_ = testing::fake_run_args(dir_, manifest_, 3);
    args_.variants = "baseline,all";
  }

  // Runs shard k/n (or the whole matrix for k = 0) into dir/<name>; returns the path.
  std::string run(int k, int n, const std::string& name, int rc = kExitOk) {
    RunArgs a = args_;
    if (k > 0) a.shard = fmt::format("{}/{}", k, n);
    a.out = dir_.file(name);
    EXPECT_EQ(run_verb(a, {"harness", "run"}, fake_), rc) << name;
    return a.out;
  }
  // Shard k's exit code is rc[k - 1] (default all 0).
  std::vector<std::string> run_shards(int n, std::vector<int> rc = {}) {
    rc.resize(static_cast<std::size_t>(n), kExitOk);
    std::vector<std::string> out;
    for (int k = 1; k <= n; ++k) out.push_back(run(k, n, fmt::format("shard-{}.json", k), rc[k - 1]));
    return out;
  }
  static std::vector<ShardFile> load(const std::vector<std::string>& paths) {
    std::vector<ShardFile> out;
    for (const auto& p : paths) out.push_back(load_shard_file(p));
    return out;
  }
  // The merge's error message; fails the test if it merges.
  static std::string refusal(const std::vector<std::string>& paths) {
    try {
      merge_shards(load(paths), {"harness", "merge"});
    } catch (const HarnessError& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      return e.what();
    }
    ADD_FAILURE() << "merged";
    return {};
  }
  // A copy of `path` with `edit` applied to its JSON.
  std::string edited(const std::string& path, const std::string& name, const std::function<void(json&)>& edit) {
    json j = load_json_file(path, "test");
    edit(j);
    std::string out = dir_.file(name);
    testing::write_text(out, j.dump());
    return out;
  }

  TempDir dir_;
  std::string manifest_;
  RunArgs args_;
  FakeProcessRunner fake_;
};

TEST_F(Shards, EachShardMeasuresItsWorkloadsWithEveryAllocatorForAllRounds) {
  auto paths = run_shards(3);
  const std::vector<std::vector<std::string>> expected = {{"w1", "w4"}, {"w2"}, {"w3"}};
  for (int k = 1; k <= 3; ++k) {
    RunResults r = load_results(paths[k - 1]);
    ASSERT_TRUE(r.shard);
    EXPECT_EQ(r.shard->index, k);
    EXPECT_EQ(r.shard->count, 3);
    EXPECT_EQ(r.shard->selection, (std::vector<std::string>{"w1", "w2", "w3", "w4"}));
    EXPECT_EQ(r.shard->manifest_digest, file_digest(manifest_));
    EXPECT_EQ(r.shard->manifest_digest.size(), 16u);
    std::vector<std::string> names;
    for (const auto& w : r.workloads) names.push_back(w.name);
    EXPECT_EQ(names, expected[k - 1]);
    std::map<std::pair<std::string, std::string>, int> per_cell;
    for (const auto& s : r.samples) ++per_cell[{s.allocator, s.workload}];
    EXPECT_EQ(per_cell.size(), 2 * expected[k - 1].size());
    for (const auto& [cell, n] : per_cell) EXPECT_EQ(n, 3) << cell.first << " " << cell.second;
    EXPECT_TRUE(r.complete);
  }
}

TEST_F(Shards, ShardNeedsASeedAndAValidKOverN) {
  RunArgs a = args_;
  a.shard = "1/3";
  a.seed.reset();
  EXPECT_THROW(prepare_run(a, {"harness"}, fake_), HarnessError);
  a.seed = 5;
  for (const char* bad : {"0/3", "4/3", "x"}) {
    a.shard = bad;
    EXPECT_THROW(prepare_run(a, {"harness"}, fake_), HarnessError) << bad;
  }
  a.shard = "5/5";  // 4 workloads
  EXPECT_THROW(prepare_run(a, {"harness"}, fake_), HarnessError);
  EXPECT_EQ(fake_.count("measure") + fake_.count("verify"), 0u);
}

TEST_F(Shards, MergedShardsHaveTheUnshardedRunsStructure) {
  const std::string whole = run(0, 0, "whole.json");
  auto paths = run_shards(3);
  // Any order of the files.
  MergedRun merged = merge_shards(load({paths[2], paths[0], paths[1]}), {"harness", "merge", "x"});
  const std::string out = dir_.file("merged.json");
  save_results(out, merged.results, summarize_run(merged.results));

  json a = load_json_file(whole, "whole"), b = load_json_file(out, "merged");
  RunResults ra = load_results(whole), rb = load_results(out);  // both validate
  EXPECT_FALSE(rb.shard);
  EXPECT_EQ(a["config"], b["config"]);  // the same config, with no shard field left
  EXPECT_TRUE(rb.complete);
  EXPECT_EQ(rb.rounds_completed, 3);
  EXPECT_EQ(b["context"]["command_line"], json({"harness", "merge", "x"}));
  ASSERT_EQ(b["context"]["shards"].size(), 3u);
  EXPECT_EQ(b["context"]["shards"][0]["file"], paths[0]);
  EXPECT_EQ(b["context"]["shards"][0]["workloads"], json({"w1", "w4"}));

  auto cells = [](const RunResults& r) {
    std::map<std::tuple<std::string, std::string, int>, int> c;
    for (const auto& s : r.samples) ++c[{s.allocator, s.workload, s.round}];
    return c;
  };
  EXPECT_EQ(cells(ra), cells(rb));
  EXPECT_EQ(ra.samples.size(), rb.samples.size());
  for (std::size_t i = 1; i < rb.samples.size(); ++i) EXPECT_LE(rb.samples[i - 1].round, rb.samples[i].round);

  // The summary is recomputed over the merged samples: the fake's speeds are deterministic, so
  // it equals the unsharded run's cell for cell (ratios 1.2 for all / baseline).
  ASSERT_EQ(a["summary"]["cells"].size(), b["summary"]["cells"].size());
  for (std::size_t i = 0; i < a["summary"]["cells"].size(); ++i) {
    const json &x = a["summary"]["cells"][i], &y = b["summary"]["cells"][i];
    EXPECT_EQ(x["allocator"], y["allocator"]);
    EXPECT_EQ(x["workload"], y["workload"]);
    EXPECT_EQ(x["n_samples"], y["n_samples"]);
    EXPECT_EQ(x["n_ok"], y["n_ok"]);
    EXPECT_EQ(x["mallocs_per_sec"]["median"], y["mallocs_per_sec"]["median"]);
    EXPECT_EQ(x["ratios"].size(), y["ratios"].size());
  }
  EXPECT_EQ(a["summary"]["references"], b["summary"]["references"]);
}

TEST_F(Shards, FailuresAreMergedAndAnIncompleteShardMakesAnIncompleteMerge) {
  fake_.behaviour[{"/fake/liballoclab-all.so", "w2"}] = testing::Behaviour::crash;
  fake_.behaviour[{"/fake/liballoclab-baseline.so", "w3"}] = testing::Behaviour::timeout;
  const std::string whole = run(0, 0, "whole.json", kExitFailures);
  auto paths = run_shards(2, {kExitFailures, kExitFailures});  // {w1, w3}, {w2, w4}
  fake_.behaviour.clear();
  MergedRun m = merge_shards(load(paths), {});
  auto failures = [](const RunResults& r) {
    std::multiset<std::tuple<std::string, std::string, int, Phase, Status>> out;
    for (const auto& f : r.failures) out.insert({f.allocator, f.workload, f.round, f.phase, f.status});
    return out;
  };
  EXPECT_EQ(failures(m.results), failures(load_results(whole)));
  EXPECT_EQ(failures(m.results).size(), 2u);  // each cell's warm-up failed: excluded from the rounds
  EXPECT_TRUE(m.results.complete);

  auto partial = edited(paths[1], "partial.json", [](json& j) {
    j["complete"] = false;
    j["rounds_completed"] = 1;
  });
  MergedRun p = merge_shards(load({paths[0], partial}), {});
  EXPECT_FALSE(p.results.complete);
  EXPECT_EQ(p.results.rounds_completed, 1);
}

TEST_F(Shards, DifferentCommitIsRefusedNamingTheFileAndTheField) {
  auto paths = run_shards(3);
  auto other = edited(paths[1], "other-commit.json", [](json& j) { j["context"]["git_commit"] = "0123abcd"; });
  std::string e = refusal({paths[0], other, paths[2]});
  EXPECT_NE(e.find(other), std::string::npos) << e;
  EXPECT_NE(e.find("context.git_commit"), std::string::npos) << e;
  EXPECT_NE(e.find("0123abcd"), std::string::npos) << e;

  auto dirty = edited(paths[1], "dirty.json",
                      [](json& j) { j["context"]["git_dirty"] = !j["context"].value("git_dirty", false); });
  EXPECT_NE(refusal({paths[0], dirty, paths[2]}).find("context.git_dirty"), std::string::npos);
}

TEST_F(Shards, DifferentConfigurationSeedOrShardCountIsRefused) {
  auto paths = run_shards(3);
  const std::vector<std::pair<std::string, std::function<void(json&)>>> edits = {
      {"config.seed", [](json& j) { j["config"]["seed"] = 6; }},
      {"config.rounds", [](json& j) { j["config"]["rounds"] = 4; }},
      {"config.min_time", [](json& j) { j["config"]["min_time"] = 0.5; }},
      {"config.quick", [](json& j) { j["config"]["quick"] = true; }},
      {"config.layouts", [](json& j) { j["config"]["layouts"] = 2; }},
      {"config.aslr", [](json& j) { j["config"]["aslr"] = false; }},
      {"config.reference", [](json& j) { j["config"]["reference"] = "all"; }},
      {"config.alpha", [](json& j) { j["config"]["alpha"] = 0.01; }},
      {"config.allocators", [](json& j) { j["config"]["allocators"].erase(1); }},
      {"config.allocators[1].options.a", [](json& j) { j["config"]["allocators"][1]["options"]["a"] = false; }},
      {"config.shard.manifest_digest", [](json& j) { j["config"]["shard"]["manifest_digest"] = "00"; }},
      {"config.shard.count", [](json& j) { j["config"]["shard"]["count"] = 4; }},
      {"config.shard.selection[3]", [](json& j) { j["config"]["shard"]["selection"][3] = "w5"; }},
  };
  for (const auto& [field, edit] : edits) {
    auto bad = edited(paths[2], "bad.json", edit);
    std::string e = refusal({paths[0], paths[1], bad});
    EXPECT_NE(e.find(bad + ": " + field + " is"), std::string::npos) << field << ": " << e;
  }
}

TEST_F(Shards, MissingDuplicateOrOverlappingShardsAreRefused) {
  auto paths = run_shards(3);
  std::string e = refusal({paths[0], paths[2]});
  EXPECT_NE(e.find("shard 2/3 missing"), std::string::npos) << e;
  EXPECT_NE(e.find("config.shard.index"), std::string::npos) << e;

  auto copy = edited(paths[1], "copy.json", [](json&) {});
  e = refusal({paths[0], paths[1], copy, paths[2]});
  EXPECT_NE(e.find("both are shard 2/3"), std::string::npos) << e;
  EXPECT_NE(e.find(copy), std::string::npos) << e;

  // Shard 3 claiming shard 2's workload too.
  auto greedy = edited(paths[2], "greedy.json", [&](json& j) {
    json w2 = load_json_file(paths[1], "x")["config"]["workloads"][0];
    j["config"]["workloads"].push_back(w2);
  });
  e = refusal({paths[0], paths[1], greedy});
  EXPECT_NE(e.find("workload w2 is in both"), std::string::npos) << e;

  // A shard whose workloads are not its deal.
  auto wrong = edited(paths[2], "wrong.json", [&](json& j) { j["config"]["shard"]["index"] = 2; });
  e = refusal({paths[0], wrong});
  EXPECT_NE(e.find(wrong + ": config.workloads is [w3], but shard 2/3"), std::string::npos) << e;

  auto beyond = edited(paths[2], "beyond.json", [&](json& j) { j["config"]["shard"]["index"] = 4; });
  e = refusal({paths[0], paths[1], beyond});
  EXPECT_NE(e.find(beyond + ": config.shard.index 4 is not in 1..3"), std::string::npos) << e;

  // An unsharded file.
  auto whole = run(0, 0, "whole.json");
  e = refusal({paths[0], whole});
  EXPECT_NE(e.find(whole + ": config.shard is missing"), std::string::npos) << e;
}

TEST_F(Shards, MergeVerbWritesAtomicallyAndRefusesWithExitTwo) {
  auto paths = run_shards(3);
  using testing::cli;
  const std::string out = dir_.file("out/merged.json");
  EXPECT_EQ(cli({"merge", paths[0], "--out", out, "--style", "plain"}), kExitUsage);
  EXPECT_FALSE(std::filesystem::exists(out));
  auto seed = edited(paths[1], "seed.json", [](json& j) { j["config"]["seed"] = 99; });
  EXPECT_EQ(cli({"merge", paths[0], seed, paths[2], "--out", out}), kExitUsage);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(cli({"merge", paths[0], paths[1], paths[2], "--out", out, "--style", "plain"}), kExitOk);
  RunResults r = load_results(out);
  EXPECT_EQ(r.workloads.size(), 4u);
  EXPECT_EQ(r.samples.size(), 2u * 4u * 3u);
  EXPECT_EQ(cli({"merge", "--out", out}), kExitUsage);  // no file
  EXPECT_EQ(cli({"merge", paths[0], dir_.file("nosuch.json"), "--out", out}), kExitUsage);
}

}  // namespace
}  // namespace alloclab::harness
