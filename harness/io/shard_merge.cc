// io/shard_merge.cc — the consistency checks and the merge of shard files.
#include "io/shard_merge.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "io/results_json.h"
#include "run/shards.h"

namespace alloclab::harness {
namespace {

// Context fields that decide what was measured: the code and how it was compiled. host,
// date_utc and command_line may differ between shards.
constexpr const char* kBuildFields[] = {"git_commit", "git_dirty", "compiler", "compiler_flags", "build_type"};

std::string shown(const json& v) {
  if (v.is_null()) return "absent";
  std::string s = v.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// The first place where a and b differ: its path (e.g. "config.allocators[1].library") and the
// two values there; nullopt when they are equal.
struct Difference {
  std::string path;
  json a, b;
};

std::optional<Difference> first_difference(const json& a, const json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.insert(k);
    for (const auto& [k, v] : b.items()) keys.insert(k);
    const json none;
    for (const auto& k : keys)
      if (auto d = first_difference(a.contains(k) ? a[k] : none, b.contains(k) ? b[k] : none, path + "." + k)) return d;
    return std::nullopt;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (auto d = first_difference(a[i], b[i], fmt::format("{}[{}]", path, i))) return d;
    return std::nullopt;
  }
  if (a == b) return std::nullopt;
  return Difference{path, a, b};
}

void require_same(const ShardFile& ref, const ShardFile& f, const json& a, const json& b, const std::string& field) {
  if (auto d = first_difference(a, b, field))
    throw HarnessError(
        fmt::format("{}: {} is {}, but {} has {}: the shards of one run must agree on it (same commit, build, "
                    "configuration and seed)",
                    f.path, d->path, shown(d->b), ref.path, shown(d->a)));
}

json context_field(const json& doc, const char* key) {
  const json& c = doc.at("context");
  return c.contains(key) ? c.at(key) : json();
}

// The config without what legitimately differs between shards: their workloads and index.
json shared_config(const json& doc) {
  json c = doc.at("config");
  c.erase("workloads");
  if (c.contains("shard")) c["shard"].erase("index");
  return c;
}

std::string label(const ShardFile& f) {
  return fmt::format("{} (shard {}/{})", f.path, f.results.shard->index, f.results.shard->count);
}

std::vector<std::string> workload_names(const RunResults& r) {
  std::vector<std::string> out;
  for (const auto& w : r.workloads) out.push_back(w.name);
  return out;
}

void check_consistent(const std::vector<const ShardFile*>& files) {
  for (const ShardFile* f : files) {
    if (!f->results.shard)
      throw HarnessError(
          fmt::format("{}: config.shard is missing: not a shard file (written by `harness run --shard K/N`)", f->path));
    if (const ShardInfo& s = *f->results.shard; s.index > s.count)
      throw HarnessError(fmt::format("{}: config.shard.index {} is not in 1..{}", f->path, s.index, s.count));
  }
  const ShardFile& ref = *files.front();
  for (const ShardFile* f : files) {
    for (const char* k : kBuildFields)
      require_same(ref, *f, context_field(ref.doc, k), context_field(f->doc, k), std::string("context.") + k);
    require_same(ref, *f, shared_config(ref.doc), shared_config(f->doc), "config");
  }

  const int count = ref.results.shard->count;
  std::map<int, const ShardFile*> by_index;
  for (const ShardFile* f : files)
    if (auto [it, fresh] = by_index.emplace(f->results.shard->index, f); !fresh)
      throw HarnessError(fmt::format("{} and {}: both are shard {}/{} (config.shard.index): a duplicate shard",
                                     it->second->path, f->path, f->results.shard->index, count));

  std::map<std::string, const ShardFile*> owner;
  for (const ShardFile* f : files)
    for (const auto& w : f->results.workloads)
      if (auto [it, fresh] = owner.emplace(w.name, f); !fresh)
        throw HarnessError(fmt::format("config.workloads: workload {} is in both {} and {}: overlapping shards", w.name,
                                       label(*it->second), label(*f)));

  for (const ShardFile* f : files) {
    const ShardInfo& s = *f->results.shard;
    auto expected = shard_workloads(s.selection, s.index, s.count);
    if (workload_names(f->results) != expected)
      throw HarnessError(fmt::format(
          "{}: config.workloads is [{}], but shard {}/{} of config.shard.selection is [{}] (workload i goes to "
          "shard (i mod {}) + 1)",
          f->path, fmt::join(workload_names(f->results), ", "), s.index, s.count, fmt::join(expected, ", "), s.count));
  }

  std::vector<std::string> missing;
  for (int k = 1; k <= count; ++k)
    if (!by_index.count(k)) missing.push_back(fmt::format("{}/{}", k, count));
  if (!missing.empty()) {
    std::vector<std::string> given;
    for (const auto& [k, f] : by_index) given.push_back(label(*f));
    throw HarnessError(fmt::format("config.shard.index: shard{} {} missing; given: {}", missing.size() > 1 ? "s" : "",
                                   fmt::join(missing, ", "), fmt::join(given, ", ")));
  }
}

json shard_record(const ShardFile& f) {
  const json& c = f.doc.at("context");
  return {{"file", f.path},
          {"index", f.results.shard->index},
          {"host", c.value("host", std::string{})},
          {"date_utc", c.value("date_utc", std::string{})},
          {"command_line", c.value("command_line", std::vector<std::string>{})},
          {"complete", f.results.complete},
          {"rounds_completed", f.results.rounds_completed},
          {"workloads", workload_names(f.results)}};
}

}  // namespace

ShardFile load_shard_file(const std::string& path) {
  ShardFile f;
  f.path = path;
  f.doc = load_json_file(path, "shard file");
  f.results = results_from_json(f.doc, path);
  return f;
}

MergedRun merge_shards(const std::vector<ShardFile>& shards, const std::vector<std::string>& command_line) {
  if (shards.empty()) throw HarnessError("merge: no shard file given");
  std::vector<const ShardFile*> files;
  for (const auto& s : shards) files.push_back(&s);
  check_consistent(files);
  std::sort(files.begin(), files.end(),
            [](const ShardFile* a, const ShardFile* b) { return a->results.shard->index < b->results.shard->index; });

  MergedRun out;
  const RunResults& first = files.front()->results;
  RunResults& m = out.results;
  m.context = first.context;
  m.options = first.options;
  m.factor_names = first.factor_names;
  m.allocators = first.allocators;
  m.skipped = first.skipped;
  m.complete = true;
  m.rounds_completed = first.rounds_completed;
  // Setup failures (allocators that could not run) are the same in every shard: shard 1's.
  for (const auto& f : first.failures)
    if (f.phase == Phase::setup) m.failures.push_back(f);

  std::map<std::string, const WorkloadSpec*> spec_of;
  json records = json::array();
  std::set<std::string> hosts, cpus;
  for (const ShardFile* f : files) {
    const RunResults& r = f->results;
    for (const auto& w : r.workloads) spec_of[w.name] = &w;
    m.samples.insert(m.samples.end(), r.samples.begin(), r.samples.end());
    for (const auto& x : r.failures)
      if (x.phase != Phase::setup) m.failures.push_back(x);
    m.instructions.insert(m.instructions.end(), r.instructions.begin(), r.instructions.end());
    m.complete = m.complete && r.complete;
    m.rounds_completed = std::min(m.rounds_completed, r.rounds_completed);
    records.push_back(shard_record(*f));
    hosts.insert(f->doc.at("context").value("host", std::string{}));
    cpus.insert(f->doc.at("context").value("cpu_model", std::string{}));
  }
  const std::vector<std::string>& selection = first.shard->selection;
  for (const auto& name : selection) m.workloads.push_back(*spec_of.at(name));

  // Samples by round (within a round, shard by shard); instruction counts in the unsharded
  // order (allocators outer, workloads in selection order).
  std::stable_sort(m.samples.begin(), m.samples.end(),
                   [](const Sample& a, const Sample& b) { return a.round < b.round; });
  auto position = [](const auto& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) - names.begin();
  };
  std::vector<std::string> allocator_names;
  for (const auto& a : m.allocators) allocator_names.push_back(a.name);
  std::stable_sort(m.instructions.begin(), m.instructions.end(),
                   [&](const InstructionCount& a, const InstructionCount& b) {
                     auto ka = std::make_pair(position(allocator_names, a.allocator), position(selection, a.workload));
                     auto kb = std::make_pair(position(allocator_names, b.allocator), position(selection, b.workload));
                     return ka < kb;
                   });

  m.context["shards"] = records;
  if (!command_line.empty()) m.context["command_line"] = command_line;
  if (hosts.size() > 1 || cpus.size() > 1)
    out.warnings.push_back(fmt::format(
        "the shards ran on different machines ({}; {}): ratios pair allocators within a workload (one machine), "
        "but absolute numbers of different workloads are not comparable",
        fmt::join(hosts, ", "), fmt::join(cpus, ", ")));
  return out;
}

}  // namespace alloclab::harness
