// run/manifest.h — reads build/variants/manifest.json, written by variants/CMakeLists.txt:
//   {"schema_version":1, "library_dir":..., "factors":["inline_promotion",...],
//    "debug_libraries":{...},
//    "variants":[{"name","sets":[...],"factors":"01001","options":{...},
//                 "library":".../liballoclab-<v>.so","stats_library":".../liballoclab-<v>-stats.so"}]}
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

struct VariantInfo {
  std::string name;
  std::vector<std::string> sets;
  std::string factors;  // "" for sweeps
  json options = json::object();
  std::string library, stats_library;
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
