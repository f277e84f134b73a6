// run/manifest.cc — the variant declaration as the build wrote it.
#include "run/manifest.h"

#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace alloclab::harness {

const VariantInfo* Manifest::find(const std::string& name) const {
  for (const auto& v : variants)
    if (v.name == name) return &v;
  return nullptr;
}

Manifest parse_manifest(const json& j, const std::string& path) {
  auto bad = [&](const std::string& why) {
    return HarnessError(fmt::format(
        "manifest {} is malformed ({}); rebuild it with `cmake -S . -B build` or pass --manifest", path, why));
  };
  if (!j.is_object() || !j.contains("variants") || !j["variants"].is_array()) throw bad("no \"variants\" array");
  Manifest m;
  m.path = path;
  if (j.contains("factors") && j["factors"].is_array())
    for (const auto& f : j["factors"])
      if (f.is_string()) m.factor_names.push_back(f.get<std::string>());
  for (const auto& e : j["variants"]) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("library") ||
        !e["library"].is_string())
      throw bad("a variant without \"name\" or \"library\"");
    VariantInfo v;
    v.name = e["name"].get<std::string>();
    v.library = e["library"].get<std::string>();
    v.stats_library = e.value("stats_library", std::string{});
    v.factors = e.value("factors", std::string{});
    if (e.contains("options") && e["options"].is_object()) v.options = e["options"];
    if (e.contains("sets") && e["sets"].is_array())
      for (const auto& s : e["sets"])
        if (s.is_string()) v.sets.push_back(s.get<std::string>());
    m.variants.push_back(std::move(v));
  }
  return m;
}

Manifest load_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw HarnessError(
        fmt::format("variant manifest not found at {}; build the variants first (`cmake --build build "
                    "--target alloclab-variants`) or pass --manifest FILE",
                    path));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw HarnessError(fmt::format("manifest {} is not valid JSON: {}", path, e.what()));
  }
  return parse_manifest(j, path);
}

}  // namespace alloclab::harness
