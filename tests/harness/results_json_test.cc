// The results file: schema validation (of produced files and of broken ones), round trip,
// loading errors, and the atomic write.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/results_json.h"
#include "io/schema_validator.h"
#include "run/scheduler.h"
#include "test_util.h"

#ifndef ALLOCLAB_HARNESS_SOURCE_DIR
#error "ALLOCLAB_HARNESS_SOURCE_DIR must point at harness/"
#endif

namespace alloclab::harness {
namespace {

RunResults produced_run() {
  RunResults r;
  AllocatorSpec b;
  b.name = "baseline";
  b.library = "/fake/liballoclab-baseline.so";
  b.expected_variant = "baseline";
  b.factors = "00";
  AllocatorSpec g;
  g.name = "glibc";
  g.kind = AllocatorKind::peer;
  r.allocators = {b, g};
  r.skipped = {{"tcmalloc", AllocatorKind::peer, "not installed"}};
  r.failures = {{"tcmalloc", "", 0, Phase::setup, Status::skipped, "not installed"}};
  WorkloadSpec w;
  w.name = "w1";
  r.workloads = {w};
  r.factor_names = {"a", "b"};
  r.options.rounds = 3;
  r.options.seed = 12345678901234ULL;
  r.options.runner = "/fake/runner";
  r.options.warmup_min_time = 0.001;
  r.context = {{"host", "h"},
               {"cpu_model", "c"},
               {"cores", 2},
               {"kernel", "k"},
               {"compiler", "g"},
               {"compiler_flags", ""},
               {"git_commit", "unknown"},
               {"date_utc", "2025-01-01T00:00:00Z"},
               {"command_line", {"harness", "run"}},
               {"seed", 12345678901234ULL},
               {"runner", "/fake/runner"}};
  testing::FakeProcessRunner fake;
  fake.variants["/fake/liballoclab-baseline.so"] = "baseline";
  SchedulerObserver obs;
  run_schedule(r, fake, obs);
  r.complete = true;
  return r;
}

TEST(ResultsSchema, EmbeddedSchemaIsTheFileInTheSourceTree) {
  json on_disk = json::parse(testing::read_text(std::string(ALLOCLAB_HARNESS_SOURCE_DIR) + "/results.schema.json"));
  EXPECT_EQ(on_disk, results_schema());
}

TEST(ResultsSchema, ProducedResultsValidateAndRoundTrip) {
  RunResults r = produced_run();
  json j = results_to_json(r);
  auto errors = validate_json(j, results_schema());
  EXPECT_TRUE(errors.empty()) << errors.front();
  RunResults back = results_from_json(j);
  ASSERT_EQ(back.samples.size(), r.samples.size());
  EXPECT_EQ(back.samples.size(), 6u);
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    EXPECT_EQ(back.samples[i].allocator, r.samples[i].allocator);
    EXPECT_EQ(back.samples[i].round, r.samples[i].round);
    EXPECT_DOUBLE_EQ(back.samples[i].mallocs_per_sec, r.samples[i].mallocs_per_sec);
  }
  EXPECT_EQ(back.options.seed, 12345678901234ULL);
  EXPECT_EQ(back.skipped.size(), 1u);
  EXPECT_EQ(back.allocators[1].kind, AllocatorKind::peer);
  EXPECT_EQ(results_to_json(back)["samples"], j["samples"]);
}

// The layout fields: config.layouts / aslr, allocators' layout_libraries, samples' layout and
// address_layout, the summary's per_layout and placement; a file without them still loads.
TEST(ResultsSchema, LayoutFieldsRoundTripAndOldFilesStillLoad) {
  RunResults r = produced_run();
  r.options.layouts = 2;
  r.options.aslr = false;
  r.allocators[0].layout_libraries = {r.allocators[0].library, "/fake/liballoclab-baseline-layout1.so"};
  // Rounds 1..3 were copy 0; add rounds 4..6 with copy 1 (baseline 10 % faster there).
  std::vector<Sample> more;
  for (const auto& s : r.samples) {
    Sample x = s;
    x.round += 3;
    x.layout = x.allocator == "baseline" ? 1 : 0;
    if (x.allocator == "baseline") x.mallocs_per_sec *= 1.1 + 0.01 * x.round;
    x.address_layout = json{{"malloc", 1}, {"malloc_library_base", 2}, {"runner_code", 3}, {"stack", 4}, {"heap", 5}};
    more.push_back(x);
  }
  for (auto& s : r.samples)
    if (s.allocator == "baseline") s.mallocs_per_sec *= 1 + 0.01 * s.round;
  r.samples.insert(r.samples.end(), more.begin(), more.end());
  r.options.rounds = r.rounds_completed = 6;

  json j = results_to_json(r);
  auto errors = validate_json(j, results_schema());
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(j["config"]["layouts"], 2);
  EXPECT_EQ(j["config"]["aslr"], false);
  EXPECT_EQ(j["config"]["allocators"][0]["layout_libraries"].size(), 2u);
  EXPECT_FALSE(j["config"]["allocators"][1].contains("layout_libraries"));  // glibc: one copy
  EXPECT_EQ(j["samples"].back()["address_layout"]["stack"], 4);
  EXPECT_FALSE(j["samples"][0].contains("address_layout"));
  // baseline's cell used copies 0 and 1: per_layout; glibc's used copy 0 only: none.
  const json* base = nullptr;
  const json* glibc = nullptr;
  for (const auto& c : j["summary"]["cells"]) (c["allocator"] == "baseline" ? base : glibc) = &c;
  ASSERT_TRUE(base && glibc);
  ASSERT_TRUE(base->contains("per_layout"));
  EXPECT_EQ((*base)["per_layout"].size(), 2u);
  EXPECT_EQ((*base)["per_layout"][1]["layout"], 1);
  EXPECT_EQ((*base)["per_layout"][1]["n"], 3);
  EXPECT_FALSE(glibc->contains("per_layout"));
  // glibc / baseline pairs: 3 with baseline's copy 0, 3 with copy 1.
  const json& ratio = (*glibc)["ratios"][0];
  ASSERT_TRUE(ratio.contains("placement")) << ratio.dump();
  EXPECT_EQ(ratio["placement"]["layouts"], 2);
  EXPECT_GT(ratio["placement"]["spread"].get<double>(), 1.05);
  EXPECT_GE(ratio["placement"]["sd_log"].get<double>(), 0.0);

  RunResults back = results_from_json(j);
  EXPECT_EQ(back.options.layouts, 2);
  EXPECT_FALSE(back.options.aslr);
  EXPECT_EQ(back.allocators[0].layout_libraries, r.allocators[0].layout_libraries);
  EXPECT_EQ(back.samples.back().layout, more.back().layout);
  ASSERT_TRUE(back.samples.back().address_layout.has_value());
  EXPECT_EQ(results_to_json(back)["samples"], j["samples"]);
  EXPECT_EQ(results_to_json(back)["summary"], j["summary"]);

  // A file from before the layout fields: layouts 1, aslr on, every sample copy 0.
  json old = j;
  old["config"].erase("layouts");
  old["config"].erase("aslr");
  old["config"]["allocators"][0].erase("layout_libraries");
  for (auto& s : old["samples"]) {
    s.erase("layout");
    s.erase("address_layout");
  }
  for (auto& c : old["summary"]["cells"]) {
    c.erase("per_layout");
    for (auto& rr : c["ratios"]) rr.erase("placement");
  }
  EXPECT_TRUE(validate_json(old, results_schema()).empty());
  RunResults o = results_from_json(old);
  EXPECT_EQ(o.options.layouts, 1);
  EXPECT_TRUE(o.options.aslr);
  EXPECT_TRUE(o.allocators[0].layout_libraries.empty());
  for (const auto& s : o.samples) {
    EXPECT_EQ(s.layout, 0);
    EXPECT_FALSE(s.address_layout.has_value());
  }
}

// Callgrind counts with the simulated branch and cache events: written, validated, read back;
// a count without them (an older file, or --no-mechanism) still validates and reads as none.
TEST(ResultsSchema, MechanismCountsRoundTripAndOldCountsStillLoad) {
  RunResults r = produced_run();
  InstructionCount with;
  with.allocator = "baseline";
  with.workload = "w1";
  with.iterations = 2;
  with.mallocs = with.frees = 1000;
  with.instructions = 62000;
  with.instructions_per_malloc = 62;
  MechanismCount m;
  m.cond_branches = 9000;
  m.cond_mispredicts = 630;
  m.indirect_branches = 2000;
  m.indirect_mispredicts = 5;
  m.data_reads = 30000;
  m.data_writes = 12000;
  m.d1_read_misses = 700;
  m.d1_write_misses = 600;
  m.ll_read_misses = 3;
  m.ll_write_misses = 4;
  m.i1_misses = 9;
  m.ll_instruction_misses = 8;
  m.caches = "I1 65536 B, 64 B, 16-way associative";
  with.mechanism = m;
  InstructionCount without = with;
  without.allocator = "glibc";
  without.mechanism.reset();
  r.instructions = {with, without};

  json j = results_to_json(r);
  auto errors = validate_json(j, results_schema());
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(j["instructions"][0]["mechanism"]["cond_mispredicts"], 630);
  EXPECT_FALSE(j["instructions"][1].contains("mechanism"));
  RunResults back = results_from_json(j);
  ASSERT_EQ(back.instructions.size(), 2u);
  ASSERT_TRUE(back.instructions[0].mechanism.has_value());
  EXPECT_EQ(*back.instructions[0].mechanism, m);
  EXPECT_FALSE(back.instructions[1].mechanism.has_value());
  EXPECT_EQ(results_to_json(back)["instructions"], j["instructions"]);

  // The schema checks the new object: a negative or missing required event is invalid.
  json bad = j;
  bad["instructions"][0]["mechanism"]["d1_read_misses"] = -1;
  EXPECT_FALSE(validate_json(bad, results_schema()).empty());
  bad = j;
  bad["instructions"][0]["mechanism"].erase("cond_mispredicts");
  EXPECT_FALSE(validate_json(bad, results_schema()).empty());
}

TEST(ResultsSchema, CallgrindFileFromBeforeTheMechanismFieldsStillLoads) {
  // tests/harness/fixtures/callgrind-extra.json was written before the mechanism fields existed.
  json old = json::parse(testing::read_text(std::string(ALLOCLAB_HARNESS_FIXTURES) + "/callgrind-extra.json"));
  ASSERT_FALSE(old["instructions"].empty());
  for (const auto& i : old["instructions"]) ASSERT_FALSE(i.contains("mechanism"));
  EXPECT_TRUE(validate_json(old, results_schema()).empty());
  RunResults r = results_from_json(old);
  ASSERT_EQ(r.instructions.size(), old["instructions"].size());
  for (const auto& i : r.instructions) {
    EXPECT_FALSE(i.mechanism.has_value());
    EXPECT_GT(i.instructions_per_malloc, 0);
  }
}

TEST(ResultsSchema, BrokenDocumentsDoNotValidate) {
  json good = results_to_json(produced_run());
  auto broken = [&](auto mutate) {
    json j = good;
    mutate(j);
    return validate_json(j, results_schema());
  };
  auto e1 = broken([](json& j) { j.erase("samples"); });
  ASSERT_FALSE(e1.empty());
  EXPECT_EQ(e1[0], "/: missing required key \"samples\"");
  auto e2 = broken([](json& j) { j["samples"][0]["round"] = "one"; });
  ASSERT_FALSE(e2.empty());
  EXPECT_EQ(e2[0].rfind("/samples/0/round: expected", 0), 0u) << e2[0];
  auto e3 = broken([](json& j) { j["samples"][1]["status"] = "meh"; });
  ASSERT_FALSE(e3.empty());
  EXPECT_NE(e3[0].find("is not one of"), std::string::npos);
  EXPECT_FALSE(broken([](json& j) { j["schema_version"] = 2; }).empty());
  EXPECT_FALSE(broken([](json& j) { j["config"]["allocators"][0].erase("kind"); }).empty());
  EXPECT_FALSE(broken([](json& j) { j["samples"][0]["peak_rss_kib"] = -1; }).empty());
  EXPECT_FALSE(broken([](json& j) { j["summary"]["cells"][0]["ratios"] = json::object(); }).empty());
  EXPECT_THROW(results_from_json(json::object()), HarnessError);
}

TEST(SchemaValidator, Subset) {
  json schema = json::parse(R"({
    "type": "object", "required": ["a"], "additionalProperties": false,
    "properties": {"a": {"$ref": "#/$defs/n"}, "b": {"type": ["string", "null"]}},
    "$defs": {"n": {"type": "integer", "minimum": 1}}})");
  EXPECT_TRUE(validate_json(json::parse(R"({"a": 3, "b": null})"), schema).empty());
  EXPECT_EQ(validate_json(json::parse(R"({"a": 0})"), schema).size(), 1u);
  EXPECT_EQ(validate_json(json::parse(R"({"a": 1.5})"), schema).size(), 1u);
  EXPECT_EQ(validate_json(json::parse(R"({"a": 1, "c": 1})"), schema).size(), 1u);
  EXPECT_EQ(validate_json(json::parse(R"({"a": 1, "b": 2})"), schema).size(), 1u);
  EXPECT_EQ(validate_json(json::parse(R"([])"), schema).size(), 1u);
}

TEST(LoadResults, MissingMalformedAndInvalidFilesAreUsageErrors) {
  testing::TempDir d;
  auto code = [](const std::string& path) {
    try {
      load_results(path);
    } catch (const HarnessError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      return e.exit_code();
    }
    return 0;
  };
  EXPECT_EQ(code(d.file("missing.json")), kExitUsage);
  testing::write_text(d.file("bad.json"), "{\"schema_version\": 1,");
  EXPECT_EQ(code(d.file("bad.json")), kExitUsage);
  testing::write_text(d.file("invalid.json"), "{\"schema_version\": 1}");
  EXPECT_EQ(code(d.file("invalid.json")), kExitUsage);
  save_results(d.file("sub/ok.json"), produced_run(), {});
  EXPECT_EQ(code(d.file("sub/ok.json")), 0);
}

TEST(AtomicFile, ReplacesWholeOrNotAtAll) {
  testing::TempDir d;
  std::string path = d.file("results.json");
  write_file_atomically(path, "old content");
  EXPECT_EQ(testing::read_text(path), "old content");
  write_file_atomically(path, "new content");
  EXPECT_EQ(testing::read_text(path), "new content");

  // A write that fails before the rename leaves the previous file as it was, and no temp.
  EXPECT_THROW(
      write_file_atomically(path, std::string(1 << 20, 'x'), [] { throw std::runtime_error("disk full (simulated)"); }),
      HarnessError);
  EXPECT_EQ(testing::read_text(path), "new content");
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(d.path())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "results.json");
  }
  EXPECT_EQ(files, 1u);

  // An unwritable destination is an error, not a partial file.
  EXPECT_THROW(write_file_atomically(d.file("no/such/dir/r.json"), "x"), HarnessError);
}

}  // namespace
}  // namespace alloclab::harness
