// run/manifest.cc — the variant declaration as the build wrote it.
#include "run/manifest.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace alloclab::harness {

const VariantInfo* Manifest::find(const std::string& name) const {
  for (const auto& v : variants)
    if (v.name == name) return &v;
  return nullptr;
}

namespace {

// The variant's layout copies in copy order 0..n-1; without "layouts", one copy = library.
template <typename Bad>
std::vector<LayoutCopy> parse_layouts(const json& e, const VariantInfo& v, const Bad& bad) {
  std::vector<LayoutCopy> out;
  if (!e.contains("layouts")) return {{0, 0, v.library}};
  if (!e["layouts"].is_array()) throw bad("variant " + v.name + ": \"layouts\" is not an array");
  for (const auto& l : e["layouts"]) {
    if (!l.is_object() || !l.contains("copy") || !l["copy"].is_number_integer() || !l.contains("library") ||
        !l["library"].is_string())
      throw bad("variant " + v.name + ": a layout without \"copy\" or \"library\"");
    LayoutCopy c;
    c.copy = l["copy"].get<int>();
    c.pad_bytes = l.value("pad_bytes", 0);
    c.library = l["library"].get<std::string>();
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const LayoutCopy& a, const LayoutCopy& b) { return a.copy < b.copy; });
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i].copy != static_cast<int>(i))
      throw bad(fmt::format("variant {}: layout copies must be numbered 0..{}", v.name, out.size() - 1));
  if (out.empty()) return {{0, 0, v.library}};
  if (out[0].library != v.library) throw bad("variant " + v.name + ": layout copy 0 is not its \"library\"");
  return out;
}

// One entry of "variants" (alloclab's) or of "external" (another allocator's family, named
// "<family>:<name>": no stats twin, one layout copy, the family's own sets).
template <typename Bad>
VariantInfo parse_variant(const json& e, bool external, const Bad& bad) {
  if (!e.is_object() || !e.contains("name") || !e["name"].is_string() || !e.contains("library") ||
      !e["library"].is_string())
    throw bad(external ? "an external build without \"name\" or \"library\""
                       : "a variant without \"name\" or \"library\"");
  VariantInfo v;
  v.name = e["name"].get<std::string>();
  v.library = e["library"].get<std::string>();
  v.stats_library = e.value("stats_library", std::string{});
  v.factors = e.value("factors", std::string{});
  if (e.contains("options") && e["options"].is_object()) v.options = e["options"];
  if (e.contains("sets") && e["sets"].is_array())
    for (const auto& s : e["sets"])
      if (s.is_string()) v.sets.push_back(s.get<std::string>());
  if (external) {
    v.family = e.value("family", std::string{});
    // The results file keeps no family: variant_family() reads it back from the name's prefix.
    if (v.family.empty() || v.family == kAlloclabFamily || v.family.find(':') != std::string::npos ||
        v.name.rfind(v.family + ":", 0) != 0)
      throw bad("external build " + v.name + ": needs a \"family\" other than alloclab, and a name \"<family>:...\"");
    v.stats_library.clear();
    v.layouts = {{0, 0, v.library}};
  } else {
    if (v.name.find(':') != std::string::npos)
      throw bad("variant " + v.name + ": ':' in a name is reserved for the external families (<family>:<name>)");
    v.layouts = parse_layouts(e, v, bad);
  }
  return v;
}

}  // namespace

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
  if (j.contains("external") && !j["external"].is_array()) throw bad("\"external\" is not an array");
  const json no_external = json::array();
  const json& external = j.contains("external") ? j["external"] : no_external;
  for (const json* list : {&j["variants"], &external})
    for (const auto& e : *list) m.variants.push_back(parse_variant(e, list == &external, bad));
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
