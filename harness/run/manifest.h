// run/manifest.h — reads build/variants/manifest.json, written by variants/CMakeLists.txt:
//   {"schema_version":1, "library_dir":..., "factors":["inline_promotion",...],
//    "debug_libraries":{...},
//    "variants":[{"name","sets":[...],"factors":"01001","options":{...},
//                 "library":".../liballoclab-<v>.so","stats_library":".../liballoclab-<v>-stats.so",
//                 "layouts":[{"copy":0,"pad_bytes":0,"library":".../liballoclab-<v>.so"},
//                            {"copy":1,"pad_bytes":80,"library":".../liballoclab-<v>-layout1.so"},...]}]}
//   "layouts" (the layout copies: the same code linked behind `pad_bytes` of padding) is
//   optional: an older manifest without it has one copy, the library itself.
//   "external" (optional): builds of other allocators with the factors as patches, e.g.
//    [{"name":"mimalloc:all","family":"mimalloc","sets":["mimalloc:default",...],
//      "factors":"11111","options":{...},"library":".../libmimalloc.so"}]; they join
//   `variants` with their family set, no stats twin and one layout copy.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

struct LayoutCopy {
  int copy = 0;       // 0 = the ordinary library
  int pad_bytes = 0;  // bytes linked in front of the code
  std::string library;
};

struct VariantInfo {
  std::string name;
  std::string family = kAlloclabFamily;  // "mimalloc" for the external mimalloc:* builds
  std::vector<std::string> sets;
  std::string factors;  // "" for sweeps
  json options = json::object();
  std::string library, stats_library;
  std::vector<LayoutCopy> layouts;  // by copy index 0..n-1; [0] is `library`; never empty
};

struct Manifest {
  std::string path;
  std::vector<std::string> factor_names;
  std::vector<VariantInfo> variants;

  const VariantInfo* find(const std::string& name) const;
};

// Throws HarnessError (exit 2) with what to do when the file is missing or malformed.
Manifest load_manifest(const std::string& path);
Manifest parse_manifest(const json& j, const std::string& path);

}  // namespace alloclab::harness
