// run/probe_check.cc — the exit probe's records: where, reading, checking.
#include "run/probe_check.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "run/measurement.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

ProbeDir::ProbeDir() {
  std::string t = (fs::temp_directory_path() / "alloclab-probe-XXXXXX").string();
  if (::mkdtemp(t.data())) path_ = t;
}

ProbeDir::~ProbeDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void apply_probed_preload(const AllocatorSpec& a, const std::string& probe, const std::string& dir, ChildSpec& spec) {
  // After the allocator: the probe defines no malloc, and the allocator must come first.
  spec.env_set.emplace_back("LD_PRELOAD", a.library.empty() ? probe : a.library + " " + probe);
  spec.env_set.emplace_back(kProbeDirEnv, dir);
}

std::vector<json> read_probe_records(const std::string& dir) {
  std::vector<json> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("probe-", 0) != 0) continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      out.push_back(json::parse(ss.str()));
    } catch (const json::exception&) {
      out.push_back({{"pid", std::atoi(name.c_str() + 6)}, {"malformed", tail(ss.str(), 200)}});
    }
  }
  std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a.value("pid", 0) < b.value("pid", 0); });
  return out;
}

namespace {

std::string who(const json& r) {
  return fmt::format("{} (pid {})", r.value("exe", std::string{"?"}), r.value("pid", 0));
}

}  // namespace

std::string check_probe_records(const AllocatorSpec& a, const std::vector<json>& records) {
  if (records.empty())
    return "preload not proven: no process wrote an exit-probe record (did the program exit normally? "
           "ld.so may have refused the preload)";
  for (const auto& r : records) {
    if (r.contains("malformed")) return "preload not proven: a malformed probe record: " + r["malformed"].dump();
    const std::string provider = r.value("malloc_provider", std::string{});
    std::string variant;
    if (r.contains("alloclab_variant") && !r["alloclab_variant"].is_null()) variant = r["alloclab_variant"].dump();
    if (std::string why = check_provider(a, provider, variant); !why.empty()) return who(r) + ": " + why;
    // The allocator's own counters: an alloclab process that bound its malloc made a heap.
    if (a.kind == AllocatorKind::variant && r.contains("process_stats") && r["process_stats"].is_object()) {
      const json& st = r["process_stats"];
      if (!st.contains("heaps_created") || !st["heaps_created"].is_number())
        return who(r) + ": alloclab_process_stats has no heaps_created";
      if (st["heaps_created"].get<double>() <= 0)
        return who(r) +
               ": preload not proven: alloclab_process_stats reports heaps_created 0 (the allocator "
               "never answered)";
    }
  }
  return {};
}

}  // namespace alloclab::harness
