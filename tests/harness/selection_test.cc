// Variant / peer / custom / workload selection and the manifest.
#include <gtest/gtest.h>

#include "core/error.h"
#include "run/allocators.h"
#include "run/manifest.h"
#include "run/measurement.h"
#include "run/workloads.h"
#include "test_util.h"

namespace alloclab::harness {
namespace {

Manifest manifest() {
  json j = {{"factors", {"p", "q"}}, {"variants", json::array()}};
  for (auto [n, sets] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{{"baseline", {"default", "factorial"}},
                                                                     {"p", {"default", "factorial"}},
                                                                     {"all", {"default", "factorial"}},
                                                                     {"sweep-x", {"sweep"}},
                                                                     {"planted-1", {"test"}}})
    j["variants"].push_back({{"name", n},
                             {"sets", sets},
                             {"factors", ""},
                             {"library", "/l/" + n + ".so"},
                             {"stats_library", "/l/" + n + "-stats.so"}});
  return parse_manifest(j, "m.json");
}

std::vector<std::string> names(const AllocatorSelection& s) {
  std::vector<std::string> v;
  for (const auto& a : s.allocators) v.push_back(a.name);
  return v;
}

SelectionRequest req(const std::string& variants, const std::string& peers = "none") {
  SelectionRequest r;
  r.variants = variants;
  r.peers = peers;
  r.check_files = false;
  return r;
}

TEST(Selection, VariantKeywordsAndNames) {
  Manifest m = manifest();
  EXPECT_EQ(names(select_allocators(&m, req("all"), {})),
            (std::vector<std::string>{"baseline", "p", "all", "sweep-x"}));  // no test-only variants
  EXPECT_EQ(names(select_allocators(&m, req("default"), {})), (std::vector<std::string>{"baseline", "p", "all"}));
  EXPECT_EQ(names(select_allocators(&m, req("baseline,all"), {})), (std::vector<std::string>{"baseline", "all"}));
  EXPECT_EQ(names(select_allocators(&m, req("planted-1"), {})), (std::vector<std::string>{"planted-1"}));
  EXPECT_TRUE(select_allocators(&m, req("none"), {}).allocators.empty());
  auto f = select_allocators(&m, req("factorial"), {});
  EXPECT_EQ(f.allocators.size(), 3u);
  ASSERT_EQ(f.warnings.size(), 1u);  // only 3 of 2^2 combinations built
  EXPECT_NE(f.warnings[0].find("ALLOCLAB_FACTORIAL"), std::string::npos);
}

// Our three variants plus an external family "mimalloc" (manifest "external"), as
// variants/external/mimalloc/mimalloc.cmake writes it.
Manifest manifest_with_mimalloc() {
  json j = {{"factors", {"p", "q"}}, {"variants", json::array()}, {"external", json::array()}};
  for (const std::string n : {"baseline", "p", "all"})
    j["variants"].push_back({{"name", n},
                             {"sets", {"default", "factorial"}},
                             {"factors", ""},
                             {"library", "/l/" + n + ".so"},
                             {"stats_library", "/l/" + n + "-stats.so"}});
  for (auto [n, bits] :
       std::vector<std::pair<std::string, std::string>>{{"baseline", "00"}, {"p", "10"}, {"all", "11"}})
    j["external"].push_back({{"name", "mimalloc:" + n},
                             {"family", "mimalloc"},
                             {"sets", {"mimalloc:default", "mimalloc:factorial"}},
                             {"factors", bits},
                             {"options", {{"p", bits[0] == '1'}, {"q", bits[1] == '1' ? 250 : 1}}},
                             {"library", "/x/" + n + "/libmimalloc.so"}});
  return parse_manifest(j, "m.json");
}

TEST(Selection, ExternalBuildsKeepTheirFamilyAndNoAlloclabName) {
  Manifest m = manifest_with_mimalloc();
  auto sel = select_allocators(&m, req("baseline,mimalloc:baseline"), {});
  ASSERT_EQ(sel.allocators.size(), 2u);
  EXPECT_EQ(variant_family(sel.allocators[0]), kAlloclabFamily);
  EXPECT_EQ(sel.allocators[0].expected_variant, "baseline");
  EXPECT_EQ(variant_family(sel.allocators[1]), "mimalloc");
  EXPECT_EQ(sel.allocators[1].expected_variant, "");  // no alloclab library may answer malloc
}

TEST(Selection, ExternalFamilyHasItsOwnSets) {
  Manifest m = manifest_with_mimalloc();
  ASSERT_EQ(m.variants.size(), 6u);
  EXPECT_EQ(m.variants[0].family, "alloclab");
  EXPECT_EQ(m.variants[3].family, "mimalloc");
  EXPECT_EQ(names(select_allocators(&m, req("mimalloc:default"), {})),
            (std::vector<std::string>{"mimalloc:baseline", "mimalloc:p", "mimalloc:all"}));
  EXPECT_EQ(names(select_allocators(&m, req("default,mimalloc:default"), {})),
            (std::vector<std::string>{"baseline", "p", "all", "mimalloc:baseline", "mimalloc:p", "mimalloc:all"}));
  // default, all and factorial stay alloclab's own; a name selects one external build.
  EXPECT_EQ(names(select_allocators(&m, req("default"), {})), (std::vector<std::string>{"baseline", "p", "all"}));
  EXPECT_EQ(names(select_allocators(&m, req("all"), {})), (std::vector<std::string>{"baseline", "p", "all"}));
  EXPECT_EQ(names(select_allocators(&m, req("all,mimalloc:all"), {})),
            (std::vector<std::string>{"all", "mimalloc:all"}));
  auto f = select_allocators(&m, req("mimalloc:factorial"), {});
  EXPECT_EQ(f.allocators.size(), 3u);
  ASSERT_EQ(f.warnings.size(), 1u);  // 3 of the 2^2 combinations
  EXPECT_NE(f.warnings[0].find("mimalloc:factorial"), std::string::npos) << f.warnings[0];
}

// Our family has a factor mimalloc's lacks (direct_free): each family's factorial is 2^k of
// its own k, the length of its factor strings, not of the manifest's "factors" (ours).
TEST(Selection, FamiliesWithDifferentFactorCounts) {
  json j = {{"factors", {"p", "q", "r"}}, {"variants", json::array()}, {"external", json::array()}};
  for (const std::string bits : {"000", "100", "010", "001", "111"})
    j["variants"].push_back({{"name", "v" + bits},
                             {"sets", {"default", "factorial"}},
                             {"factors", bits},
                             {"library", "/l/" + bits + ".so"},
                             {"stats_library", "/l/" + bits + "-stats.so"}});
  for (const std::string bits : {"00", "10", "01", "11"})
    j["external"].push_back({{"name", "mimalloc:" + bits},
                             {"family", "mimalloc"},
                             {"sets", {"mimalloc:default", "mimalloc:factorial"}},
                             {"factors", bits},
                             {"library", "/x/" + bits + "/libmimalloc.so"}});
  Manifest m = parse_manifest(j, "m.json");
  auto theirs = select_allocators(&m, req("mimalloc:factorial"), {});
  EXPECT_EQ(theirs.allocators.size(), 4u);
  EXPECT_TRUE(theirs.warnings.empty()) << theirs.warnings[0];  // all 2^2 of mimalloc's combinations
  auto ours = select_allocators(&m, req("factorial"), {});
  EXPECT_EQ(ours.allocators.size(), 5u);
  ASSERT_EQ(ours.warnings.size(), 1u);
  EXPECT_NE(ours.warnings[0].find("5 of the 8"), std::string::npos) << ours.warnings[0];
}

TEST(Selection, ExternalBuildsCarryFactorsAndThePeerPreloadCheck) {
  Manifest m = manifest_with_mimalloc();
  auto s = select_allocators(&m, req("p,mimalloc:p"), {});
  ASSERT_EQ(s.allocators.size(), 2u);
  const AllocatorSpec& ours = s.allocators[0];
  const AllocatorSpec& theirs = s.allocators[1];
  EXPECT_EQ(ours.expected_variant, "p");  // alloclab_variant() must say "p"
  EXPECT_EQ(theirs.kind, AllocatorKind::variant);
  EXPECT_EQ(theirs.expected_variant, "");  // no alloclab library may answer: the library itself must
  EXPECT_EQ(theirs.library, "/x/p/libmimalloc.so");
  EXPECT_EQ(theirs.factors, "10");
  EXPECT_EQ(theirs.options["q"], 1);
  EXPECT_EQ(theirs.sets, (std::vector<std::string>{"mimalloc:default", "mimalloc:factorial"}));
  EXPECT_EQ(theirs.layout_libraries, (std::vector<std::string>{"/x/p/libmimalloc.so"}));
  // --stats: ours take their -stats twins, the external build (which has none) its plain library.
  auto r = req("p,mimalloc:p");
  r.stats = true;
  auto st = select_allocators(&m, r, {});
  EXPECT_EQ(st.allocators[0].library, "/l/p-stats.so");
  EXPECT_EQ(st.allocators[1].library, "/x/p/libmimalloc.so");
  EXPECT_FALSE(st.allocators[1].stats_twin);
  ASSERT_EQ(st.warnings.size(), 1u);
  EXPECT_NE(st.warnings[0].find("no -stats twin"), std::string::npos);
}

// The child's proof for an external build: malloc from exactly its library, no alloclab
// library answering (check_provider with the selected spec).
TEST(Selection, ExternalBuildMustBeTheLibraryThatAnswers) {
  Manifest m = manifest_with_mimalloc();
  const AllocatorSpec a = select_allocators(&m, req("mimalloc:all"), {}).allocators.at(0);
  EXPECT_EQ(check_provider(a, "/x/all/libmimalloc.so", ""), "");
  EXPECT_NE(check_provider(a, "/x/p/libmimalloc.so", ""), "");              // another build of the family
  EXPECT_NE(check_provider(a, "/lib/x86_64-linux-gnu/libc.so.6", ""), "");  // preload did not take
  EXPECT_NE(check_provider(a, "/x/all/libmimalloc.so", R"({"name": "all", "stats": false})"), "");
}

TEST(Selection, MissingExternalFamilyIsAUsageError) {
  Manifest m = manifest();  // built offline: no "external" entries
  try {
    select_allocators(&m, req("default,mimalloc:default"), {});
    FAIL();
  } catch (const HarnessError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("has no mimalloc family"), std::string::npos) << w;
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
  Manifest mm = manifest_with_mimalloc();
  try {
    select_allocators(&mm, req("mimalloc:bogus"), {});
    FAIL();
  } catch (const HarnessError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("mimalloc:default, mimalloc:factorial"), std::string::npos) << w;
    EXPECT_NE(w.find("mimalloc:baseline"), std::string::npos) << w;
  }
}

TEST(Selection, ExternalEntryNeedsItsFamily) {
  json j = {{"variants", json::array()}, {"external", {{{"name", "mimalloc:all"}, {"library", "/x/libmimalloc.so"}}}}};
  EXPECT_THROW(parse_manifest(j, "m.json"), HarnessError);  // no "family"
  j["external"][0]["family"] = "jemalloc";                  // name not "<family>:..."
  EXPECT_THROW(parse_manifest(j, "m.json"), HarnessError);
  j["external"][0]["family"] = "mimalloc";
  EXPECT_EQ(parse_manifest(j, "m.json").variants.at(0).family, "mimalloc");
  // Results files keep no family: it is the name's prefix, so ours may not contain ':'.
  json ours = {{"variants", {{{"name", "mimalloc:all"}, {"library", "/l/all.so"}}}}};
  EXPECT_THROW(parse_manifest(ours, "m.json"), HarnessError);
  j["external"] = json::object();
  EXPECT_THROW(parse_manifest(j, "m.json"), HarnessError);
}

TEST(Selection, UnknownVariantListsValidNames) {
  Manifest m = manifest();
  try {
    select_allocators(&m, req("baseline,bogus"), {});
    FAIL();
  } catch (const HarnessError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("unknown variant bogus"), std::string::npos) << w;
    EXPECT_NE(w.find("baseline, p, all, sweep-x, planted-1"), std::string::npos) << w;
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
}

TEST(Selection, StatsTwinsAndMissingFiles) {
  Manifest m = manifest();
  auto r = req("p");
  r.stats = true;
  auto s = select_allocators(&m, r, {});
  EXPECT_EQ(s.allocators[0].library, "/l/p-stats.so");
  EXPECT_TRUE(s.allocators[0].stats_twin);
  r.check_files = true;
  try {
    select_allocators(&m, r, {});
    FAIL();
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("/l/p-stats.so not found"), std::string::npos) << e.what();
  }
}

TEST(Selection, PeersFoundMissingAndUnknown) {
  testing::TempDir dir;
  testing::write_text(dir.file("libtcmalloc_minimal.so.4"), "");
  PeerSearch ps;
  ps.dirs = {dir.path()};
  ps.use_ldconfig = false;
  auto peers = discover_peers(ps);
  ASSERT_EQ(peers.size(), 4u);
  EXPECT_TRUE(peers[0].found);  // glibc, always
  EXPECT_FALSE(peers[1].found);
  EXPECT_TRUE(peers[3].found);
  EXPECT_EQ(peers[3].library, dir.file("libtcmalloc_minimal.so.4"));

  auto s = select_allocators(nullptr, req("none", "all"), peers);
  EXPECT_EQ(names(s), (std::vector<std::string>{"glibc", "tcmalloc"}));
  EXPECT_TRUE(s.allocators[0].library.empty());  // glibc: no preload
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(s.warnings.size(), 2u);
  EXPECT_THROW(select_allocators(nullptr, req("none", "glibc,hoard"), peers), HarnessError);
}

TEST(Selection, CustomAllocators) {
  Manifest m = manifest();
  auto r = req("baseline");
  r.custom = {"copy=/l/baseline.so"};
  auto s = select_allocators(&m, r, {});
  ASSERT_EQ(s.allocators.size(), 2u);
  EXPECT_EQ(s.allocators[1].kind, AllocatorKind::custom);
  EXPECT_EQ(s.allocators[1].library, "/l/baseline.so");
  r.custom = {"baseline=/l/x.so"};
  EXPECT_THROW(select_allocators(&m, r, {}), HarnessError);  // name taken
  r.custom = {"nopath"};
  EXPECT_THROW(select_allocators(&m, r, {}), HarnessError);
  r.custom = {"x=/definitely/not/here.so"};
  r.check_files = true;
  r.variants = "none";
  EXPECT_THROW(select_allocators(&m, r, {}), HarnessError);
}

TEST(Selection, Workloads) {
  auto all = parse_workload_list(testing::FakeProcessRunner{}.list_json);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].threads, 2);
  EXPECT_EQ(all[0].params["size"], 16);
  EXPECT_EQ(select_workloads(all, "default").size(), 2u);
  EXPECT_EQ(select_workloads(all, "all").size(), 3u);
  EXPECT_EQ(select_workloads(all, "w3,w1")[0].name, "w3");
  try {
    select_workloads(all, "w1,zzz");
    FAIL();
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("valid: default, all, w1, w2, w3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_workload_list("{}"), HarnessError);
  EXPECT_THROW(parse_workload_list("[{\"nam\": 1}]"), HarnessError);
}

TEST(Manifest, MissingOrMalformed) {
  EXPECT_THROW(load_manifest("/nonexistent/manifest.json"), HarnessError);
  testing::TempDir d;
  testing::write_text(d.file("m.json"), "{\"variants\": 3}");
  EXPECT_THROW(load_manifest(d.file("m.json")), HarnessError);
  testing::write_text(d.file("m.json"), "{");
  EXPECT_THROW(load_manifest(d.file("m.json")), HarnessError);
}

TEST(Manifest, LayoutCopies) {
  json j = {{"variants",
             {{{"name", "baseline"},
               {"library", "/l/b.so"},
               {"stats_library", "/l/b-stats.so"},
               {"layouts",
                {{{"copy", 1}, {"pad_bytes", 80}, {"library", "/l/b-layout1.so"}},
                 {{"copy", 0}, {"pad_bytes", 0}, {"library", "/l/b.so"}}}}},
              {{"name", "old"}, {"library", "/l/old.so"}}}}};
  Manifest m = parse_manifest(j, "m.json");
  const VariantInfo* b = m.find("baseline");
  ASSERT_EQ(b->layouts.size(), 2u);
  EXPECT_EQ(b->layouts[0].library, "/l/b.so");
  EXPECT_EQ(b->layouts[1].library, "/l/b-layout1.so");
  EXPECT_EQ(b->layouts[1].pad_bytes, 80);
  // Without "layouts": one copy, the library.
  const VariantInfo* old = m.find("old");
  ASSERT_EQ(old->layouts.size(), 1u);
  EXPECT_EQ(old->layouts[0].library, "/l/old.so");

  auto sel = select_allocators(&m, req("baseline,old"), {});
  EXPECT_EQ(sel.allocators[0].layout_libraries, (std::vector<std::string>{"/l/b.so", "/l/b-layout1.so"}));
  EXPECT_EQ(sel.allocators[1].layout_libraries, (std::vector<std::string>{"/l/old.so"}));
  SelectionRequest stats = req("baseline");
  stats.stats = true;
  EXPECT_TRUE(select_allocators(&m, stats, {}).allocators[0].layout_libraries.empty());  // -stats twins: one copy

  // Gaps, or copy 0 that is not the library, are malformed.
  json gap = j;
  gap["variants"][0]["layouts"][0]["copy"] = 2;
  EXPECT_THROW(parse_manifest(gap, "m.json"), HarnessError);
  json other = j;
  other["variants"][0]["layouts"][1]["library"] = "/l/elsewhere.so";
  EXPECT_THROW(parse_manifest(other, "m.json"), HarnessError);
}

}  // namespace
}  // namespace alloclab::harness
