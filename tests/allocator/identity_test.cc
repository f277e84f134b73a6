// identity: the library that answers malloc really is the preloaded alloclab variant the
// test was registered for (ALLOCLAB_EXPECT_VARIANT), built with the options the manifest
// declares (ALLOCLAB_MANIFEST), and the whole C API resolves to it.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "test_util.h"

using alloclab::test::opaque;
using nlohmann::json;

namespace {

const char* variant_json() {
  using fn = const char* (*)();
  auto f = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_variant"));
  return f ? f() : nullptr;
}

std::string file_of(void* addr) {
  Dl_info info{};
  if (!dladdr(addr, &info) || !info.dli_fname) return "<unknown>";
  return info.dli_fname;
}

}  // namespace

TEST(Identity, VariantNameMatches) {
  const char* j = variant_json();
  ASSERT_NE(j, nullptr) << "no alloclab library is loaded — LD_PRELOAD did not take effect";
  json v;
  ASSERT_NO_THROW(v = json::parse(j)) << "alloclab_variant() is not JSON: " << j;
  ASSERT_TRUE(v.contains("name") && v["name"].is_string()) << j;
  const char* expect = std::getenv("ALLOCLAB_EXPECT_VARIANT");
  ASSERT_NE(expect, nullptr) << "ALLOCLAB_EXPECT_VARIANT is not set (run through ctest)";
  EXPECT_EQ(v["name"].get<std::string>(), expect) << "alloclab_variant() = " << j;
  if (const char* d = std::getenv("ALLOCLAB_EXPECT_DEBUG")) {
    ASSERT_TRUE(v.contains("debug")) << j;
    EXPECT_EQ(v["debug"].get<bool>(), std::strcmp(d, "1") == 0) << "alloclab_variant() = " << j;
  }
}

TEST(Identity, OptionsMatchManifest) {
  const char* j = variant_json();
  ASSERT_NE(j, nullptr) << "no alloclab library is loaded — LD_PRELOAD did not take effect";
  const char* mpath = std::getenv("ALLOCLAB_MANIFEST");
  ASSERT_NE(mpath, nullptr) << "ALLOCLAB_MANIFEST is not set (run through ctest)";
  std::ifstream in(mpath);
  ASSERT_TRUE(in.good()) << "cannot read the manifest " << mpath;
  json m = json::parse(in);
  json v = json::parse(j);
  const std::string name = std::getenv("ALLOCLAB_EXPECT_VARIANT");
  const json* entry = nullptr;
  for (const auto& e : m["variants"])
    if (e["name"] == name) entry = &e;
  ASSERT_NE(entry, nullptr) << "variant " << name << " is not in " << mpath;
  ASSERT_TRUE(v.contains("options") && v["options"].is_object()) << j;
  for (const auto& [k, val] : (*entry)["options"].items()) {
    ASSERT_TRUE(v["options"].contains(k)) << "option " << k << " missing from " << j;
    EXPECT_EQ(v["options"][k], val) << "option " << k << ": library says " << v["options"][k] << ", manifest declares "
                                    << val;
  }
}

TEST(Identity, PreloadedLibraryAnswersTheWholeApi) {
  // &malloc in this (PIE) binary is the address the dynamic linker bound: the preloaded one.
  const std::string via_addr = file_of(reinterpret_cast<void*>(&malloc));
  EXPECT_NE(via_addr.find("liballoclab-"), std::string::npos)
      << "malloc is answered by " << via_addr << ", not by a liballoclab- library";
  // ALLOCLAB_EXPECT_LIBRARY: the file name of the library ctest preloads for this test.
  const char* el = std::getenv("ALLOCLAB_EXPECT_LIBRARY");
  const std::string expect_lib = el ? std::string("/") + el : std::string("liballoclab-");
  for (const char* sym :
       {"malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc", "memalign", "valloc",
        "pvalloc", "malloc_usable_size", "alloclab_variant", "alloclab_stats", "alloclab_process_stats"}) {
    void* f = dlsym(RTLD_DEFAULT, sym);
    ASSERT_NE(f, nullptr) << sym << " not found";
    std::string lib = file_of(f);
    EXPECT_NE(lib.find(expect_lib), std::string::npos)
        << sym << " resolves to " << lib << ", expected a file matching *" << expect_lib;
  }
}

TEST(Identity, BlocksComeFromAlloclabNotTheBrkHeap) {
  // alloclab maps its segments with mmap; glibc serves small blocks from [heap] (brk).
  std::uintptr_t lo = 0, hi = 0;
  {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
      if (line.find("[heap]") != std::string::npos) std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi);
  }
  for (std::size_t s : {8u, 64u, 1000u, 10000u, 100000u}) {
    void* p = malloc(s);
    ASSERT_NE(p, nullptr);
    auto a = reinterpret_cast<std::uintptr_t>(p);
    EXPECT_FALSE(lo && a >= lo && a < hi) << "malloc(" << s << ") = " << p << " lies in the brk [heap] (glibc's arena)";
    free(p);
  }
}

TEST(Identity, ProcessStatsCountHeapsInEveryBuild) {
  using fn = const char* (*)();
  auto f = reinterpret_cast<fn>(dlsym(RTLD_DEFAULT, "alloclab_process_stats"));
  ASSERT_NE(f, nullptr);
  free(malloc(opaque<std::size_t>(64)));
  const json before = json::parse(f());
  std::thread([] { free(malloc(opaque<std::size_t>(64))); }).join();
  const json after = json::parse(f());
  const char* ev = std::getenv("ALLOCLAB_EXPECT_VARIANT");
  if (ev) EXPECT_EQ(after["variant"], ev);
  EXPECT_GE(before["heaps_created"].get<long>(), 1) << before;
  EXPECT_EQ(after["heaps_created"].get<long>(), before["heaps_created"].get<long>() + 1)
      << "a new thread that allocated must count one heap: " << before << " then " << after;
  EXPECT_GE(after["segments_mapped"].get<long>(), 1) << after;
}
