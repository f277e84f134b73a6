// The layout copies of each variant (variants/CMakeLists.txt, "layout copies") must be the same
// allocator at other addresses: alloclab_variant() identical to copy 0's, malloc and free at
// offsets that differ from every other copy's. Otherwise `harness validate --layout` and
// `harness run --layouts K` would measure nothing, or measure different code.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

json probe(const std::string& library) {
  const char* probe_bin = std::getenv("ALLOCLAB_LAYOUT_PROBE");
  EXPECT_NE(probe_bin, nullptr) << "ALLOCLAB_LAYOUT_PROBE is not set (ctest sets it)";
  if (probe_bin == nullptr) return {};
  std::string command = "LD_PRELOAD='" + library + "' '" + probe_bin + "'";
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return {};
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) out += buf.data();
  int rc = pclose(pipe);
  EXPECT_EQ(rc, 0) << command;
  json j = json::parse(out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "probe printed: " << out;
  return j;
}

json manifest() {
  const char* path = std::getenv("ALLOCLAB_MANIFEST");
  EXPECT_NE(path, nullptr) << "ALLOCLAB_MANIFEST is not set (ctest sets it)";
  std::ifstream in(path ? path : "");
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in, nullptr, false);
}

TEST(LayoutCopies, SameVariantOtherAddresses) {
  json m = manifest();
  ASSERT_TRUE(m.contains("variants"));
  int checked = 0;
  for (const auto& v : m["variants"]) {
    const std::string name = v["name"];
    ASSERT_TRUE(v.contains("layouts")) << name << ": manifest entry without \"layouts\"";
    const auto& layouts = v["layouts"];
    ASSERT_GE(layouts.size(), 1u) << name;
    EXPECT_EQ(layouts[0]["library"], v["library"]) << name << ": copy 0 must be the ordinary library";
    json first = probe(layouts[0]["library"]);
    ASSERT_TRUE(first.is_object()) << name;
    std::set<std::uint64_t> malloc_offsets, free_offsets;
    for (const auto& copy : layouts) {
      json p = probe(copy["library"]);
      ASSERT_TRUE(p.is_object()) << copy["library"];
      EXPECT_EQ(p["variant"], first["variant"]) << copy["library"] << " reports another variant";
      EXPECT_TRUE(malloc_offsets.insert(p["malloc_offset"].get<std::uint64_t>()).second)
          << copy["library"] << ": malloc at the same offset as another copy of " << name;
      EXPECT_TRUE(free_offsets.insert(p["free_offset"].get<std::uint64_t>()).second)
          << copy["library"] << ": free at the same offset as another copy of " << name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
