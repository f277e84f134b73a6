// io/results_json.cc — serialization of the results file.
#include "io/results_json.h"

#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/schema_validator.h"

namespace alloclab::harness {
namespace {

// Writers, one per record (sample_to_json and the summary are public, below).
json options_to_json(const RunOptions& o) {
  return {{"rounds", o.rounds},     {"min_time", o.min_time}, {"warmup_min_time", o.warmup_min_time},
          {"timeout", o.timeout_s}, {"alpha", o.alpha},       {"reference", o.reference},
          {"seed", o.seed},         {"stats", o.stats},       {"quick", o.quick},
          {"warmup", o.warmup},     {"verify", o.verify},     {"runner", o.runner},
          {"manifest", o.manifest}, {"layouts", o.layouts},   {"aslr", o.aslr},
          {"probe", o.probe}};
}

json allocator_to_json(const AllocatorSpec& a) {
  json j = {{"name", a.name},
            {"kind", to_string(a.kind)},
            {"library", a.library},
            {"options", a.options},
            {"factors", a.factors},
            {"sets", a.sets},
            {"stats_twin", a.stats_twin}};
  if (a.layout_libraries.size() > 1) j["layout_libraries"] = a.layout_libraries;
  return j;
}

json workload_to_json(const WorkloadSpec& w) {
  json j = {{"name", w.name},          {"family", w.family},   {"description", w.description},
            {"default", w.is_default}, {"threads", w.threads}, {"params", w.params}};
  if (w.is_real()) {  // absent = a runner workload measured in mallocs/s (files from before)
    j["kind"] = w.kind;
    j["metric"] = w.metric;
  }
  return j;
}

json shard_to_json(const ShardInfo& s) {
  return {{"index", s.index}, {"count", s.count}, {"selection", s.selection}, {"manifest_digest", s.manifest_digest}};
}

json skipped_to_json(const SkippedAllocator& s) {
  return {{"name", s.name}, {"kind", to_string(s.kind)}, {"reason", s.reason}};
}

// JSON has no NaN / infinity (nlohmann writes null): statistics of degenerate cells become 0.
double num(double x) { return std::isfinite(x) ? x : 0.0; }

json stats_summary_to_json(const stats::Summary& s) {
  return {{"n", s.n},
          {"median", num(s.median)},
          {"mean", num(s.mean)},
          {"stddev", num(s.stddev)},
          {"cv", num(s.cv)},
          {"min", num(s.min)},
          {"max", num(s.max)},
          {"ci_low", num(s.ci_low)},
          {"ci_high", num(s.ci_high)}};
}

json placement_to_json(const stats::Placement& p) {
  return {{"layouts", p.layouts}, {"spread", num(p.spread)}, {"sd_log", num(p.sd_log)}};
}

json per_layout_to_json(const std::vector<LayoutSummary>& v) {
  json out = json::array();
  for (const auto& l : v)
    out.push_back({{"layout", l.layout}, {"n", l.n}, {"median", num(l.median)}, {"cv", num(l.cv)}});
  return out;
}

json failure_to_json(const Failure& f) {
  return {{"allocator", f.allocator},    {"workload", f.workload},        {"round", f.round},
          {"phase", to_string(f.phase)}, {"status", to_string(f.status)}, {"error", f.error}};
}

json mechanism_to_json(const MechanismCount& m) {
  return {{"cond_branches", m.cond_branches},
          {"cond_mispredicts", m.cond_mispredicts},
          {"indirect_branches", m.indirect_branches},
          {"indirect_mispredicts", m.indirect_mispredicts},
          {"data_reads", m.data_reads},
          {"data_writes", m.data_writes},
          {"d1_read_misses", m.d1_read_misses},
          {"d1_write_misses", m.d1_write_misses},
          {"ll_read_misses", m.ll_read_misses},
          {"ll_write_misses", m.ll_write_misses},
          {"i1_misses", m.i1_misses},
          {"ll_instruction_misses", m.ll_instruction_misses},
          {"caches", m.caches}};
}

json instruction_to_json(const InstructionCount& i) {
  json j = {{"allocator", i.allocator},
            {"workload", i.workload},
            {"iterations", i.iterations},
            {"mallocs", i.mallocs},
            {"frees", i.frees},
            {"instructions", i.instructions},
            {"instructions_per_malloc", i.instructions_per_malloc},
            {"status", to_string(i.status)},
            {"error", i.error}};
  if (i.mechanism) j["mechanism"] = mechanism_to_json(*i.mechanism);
  return j;
}

template <typename T>
T get_or(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

// Readers, one per record, mirroring the writers above (the document was validated first).
RunOptions options_from_json(const json& c) {
  RunOptions o;
  o.rounds = c["rounds"].get<int>();
  o.min_time = c["min_time"].get<double>();
  o.warmup_min_time = get_or(c, "warmup_min_time", 0.0);
  o.timeout_s = c["timeout"].get<double>();
  o.alpha = c["alpha"].get<double>();
  o.reference = c["reference"].get<std::string>();
  o.seed = get_or<std::uint64_t>(c, "seed", 1);
  o.stats = get_or(c, "stats", false);
  o.quick = get_or(c, "quick", false);
  o.warmup = get_or(c, "warmup", true);
  o.verify = get_or(c, "verify", true);
  o.runner = get_or(c, "runner", std::string{});
  o.manifest = get_or(c, "manifest", std::string{});
  o.layouts = get_or(c, "layouts", 1);  // files from before --layouts: one layout
  o.aslr = get_or(c, "aslr", true);
  o.probe = get_or(c, "probe", std::string{});
  return o;
}

AllocatorSpec allocator_from_json(const json& a) {
  AllocatorSpec s;
  s.name = a["name"].get<std::string>();
  s.kind = *allocator_kind_from_string(a["kind"].get<std::string>());
  s.library = a["library"].get<std::string>();
  s.options = get_or(a, "options", json::object());
  s.factors = get_or(a, "factors", std::string{});
  s.sets = get_or(a, "sets", std::vector<std::string>{});
  s.stats_twin = get_or(a, "stats_twin", false);
  // The preload check's expectation, as run/allocators.cc sets it: an alloclab variant reports its
  // name through alloclab_variant(); an external build (mimalloc:*) must answer with none.
  if (variant_family(s) == kAlloclabFamily) s.expected_variant = s.name;
  s.layout_libraries = get_or(a, "layout_libraries", std::vector<std::string>{});
  return s;
}

ShardInfo shard_from_json(const json& s) {
  ShardInfo x;
  x.index = s["index"].get<int>();
  x.count = s["count"].get<int>();
  x.selection = s["selection"].get<std::vector<std::string>>();
  x.manifest_digest = get_or(s, "manifest_digest", std::string{});
  return x;
}

SkippedAllocator skipped_from_json(const json& a) {
  return {a["name"].get<std::string>(), *allocator_kind_from_string(a["kind"].get<std::string>()),
          a["reason"].get<std::string>()};
}

WorkloadSpec workload_from_json(const json& w) {
  WorkloadSpec s;
  s.name = w["name"].get<std::string>();
  s.family = get_or(w, "family", std::string{});
  s.description = get_or(w, "description", std::string{});
  s.is_default = get_or(w, "default", false);
  s.threads = get_or(w, "threads", 1);
  s.params = get_or(w, "params", json::object());
  s.kind = get_or(w, "kind", std::string{"runner"});
  s.metric = get_or(w, "metric", std::string{"mallocs_per_sec"});
  return s;
}

Sample sample_from_json(const json& s) {
  Sample x;
  x.allocator = s["allocator"].get<std::string>();
  x.workload = s["workload"].get<std::string>();
  x.round = s["round"].get<int>();
  x.order = s["order"].get<int>();
  x.status = *status_from_string(s["status"].get<std::string>());
  x.error = get_or(s, "error", std::string{});
  x.mallocs_per_sec = s["mallocs_per_sec"].get<double>();
  x.ns_per_op = s["ns_per_op"].get<double>();
  x.real_time_ns = get_or(s, "real_time_ns", 0.0);
  x.cpu_time_ns = get_or(s, "cpu_time_ns", 0.0);
  x.iterations = get_or<std::int64_t>(s, "iterations", 0);
  x.peak_rss_kib = s["peak_rss_kib"].get<std::int64_t>();
  x.page_faults = s["page_faults"].get<std::int64_t>();
  x.wall_s = s["wall_s"].get<double>();
  if (s.contains("counters")) x.counters = s["counters"];
  x.layout = get_or(s, "layout", 0);
  if (s.contains("address_layout")) x.address_layout = s["address_layout"];
  if (s.contains("user_s")) x.user_s = s["user_s"].get<double>();
  if (s.contains("sys_s")) x.sys_s = s["sys_s"].get<double>();
  if (s.contains("exit_status")) x.exit_status = s["exit_status"].get<int>();
  if (s.contains("output_matches")) x.output_matches = s["output_matches"].get<bool>();
  if (s.contains("processes")) x.processes = s["processes"];
  return x;
}

Failure failure_from_json(const json& f) {
  return {f["allocator"].get<std::string>(),
          f["workload"].get<std::string>(),
          f["round"].get<int>(),
          *phase_from_string(f["phase"].get<std::string>()),
          *status_from_string(f["status"].get<std::string>()),
          f["error"].get<std::string>()};
}

MechanismCount mechanism_from_json(const json& m) {
  MechanismCount x;
  x.cond_branches = m["cond_branches"].get<std::int64_t>();
  x.cond_mispredicts = m["cond_mispredicts"].get<std::int64_t>();
  x.indirect_branches = get_or<std::int64_t>(m, "indirect_branches", 0);
  x.indirect_mispredicts = get_or<std::int64_t>(m, "indirect_mispredicts", 0);
  x.data_reads = get_or<std::int64_t>(m, "data_reads", 0);
  x.data_writes = get_or<std::int64_t>(m, "data_writes", 0);
  x.d1_read_misses = m["d1_read_misses"].get<std::int64_t>();
  x.d1_write_misses = m["d1_write_misses"].get<std::int64_t>();
  x.ll_read_misses = m["ll_read_misses"].get<std::int64_t>();
  x.ll_write_misses = m["ll_write_misses"].get<std::int64_t>();
  x.i1_misses = get_or<std::int64_t>(m, "i1_misses", 0);
  x.ll_instruction_misses = get_or<std::int64_t>(m, "ll_instruction_misses", 0);
  x.caches = get_or(m, "caches", std::string{});
  return x;
}

InstructionCount instruction_from_json(const json& i) {
  InstructionCount x;
  x.allocator = i["allocator"].get<std::string>();
  x.workload = i["workload"].get<std::string>();
  x.iterations = i["iterations"].get<std::int64_t>();
  x.mallocs = i["mallocs"].get<std::int64_t>();
  x.frees = get_or<std::int64_t>(i, "frees", 0);
  x.instructions = i["instructions"].get<std::int64_t>();
  x.instructions_per_malloc = i["instructions_per_malloc"].get<double>();
  x.status = *status_from_string(i["status"].get<std::string>());
  x.error = get_or(i, "error", std::string{});
  if (auto m = i.find("mechanism"); m != i.end() && m->is_object()) x.mechanism = mechanism_from_json(*m);
  return x;
}

}  // namespace

json sample_to_json(const Sample& s) {
  json j = {{"allocator", s.allocator},
            {"workload", s.workload},
            {"round", s.round},
            {"order", s.order},
            {"status", to_string(s.status)},
            {"error", s.error},
            {"mallocs_per_sec", s.mallocs_per_sec},
            {"ns_per_op", s.ns_per_op},
            {"real_time_ns", s.real_time_ns},
            {"cpu_time_ns", s.cpu_time_ns},
            {"iterations", s.iterations},
            {"peak_rss_kib", s.peak_rss_kib},
            {"page_faults", s.page_faults},
            {"wall_s", s.wall_s}};
  if (s.counters) j["counters"] = *s.counters;
  j["layout"] = s.layout;
  if (s.address_layout) j["address_layout"] = *s.address_layout;
  if (s.user_s) j["user_s"] = *s.user_s;
  if (s.sys_s) j["sys_s"] = *s.sys_s;
  if (s.exit_status) j["exit_status"] = *s.exit_status;
  if (s.output_matches) j["output_matches"] = *s.output_matches;
  if (s.processes) j["processes"] = *s.processes;
  return j;
}

json summary_to_json(const RunResults& r, const std::vector<CellSummary>& cells) {
  json out = {{"references", ratio_references(r)}, {"cells", json::array()}};
  for (const auto& c : cells) {
    json ratios = json::array();
    for (const auto& row : c.ratios) {
      json rj = {
          {"reference", row.reference},        {"n_pairs", row.est.n_pairs},
          {"ratio", num(row.est.ratio)},       {"ci_low", num(row.est.ci_low)},
          {"ci_high", num(row.est.ci_high)},   {"p_value", std::isfinite(row.est.p_value) ? row.est.p_value : 1.0},
          {"significant", row.est.significant}};
      if (row.placement) rj["placement"] = placement_to_json(*row.placement);
      ratios.push_back(std::move(rj));
    }
    json cj = {{"allocator", c.allocator},
               {"workload", c.workload},
               {"status", to_string(c.status)},
               {"error", c.error},
               {"n_ok", c.n_ok},
               {"n_samples", c.n_samples},
               {"mallocs_per_sec", stats_summary_to_json(c.mallocs_per_sec)},
               {"ns_per_op_median", num(c.ns_per_op_median)},
               {"peak_rss_kib_median", num(c.peak_rss_kib_median)},
               {"page_faults_median", num(c.page_faults_median)},
               {"ratios", ratios}};
    if (!c.per_layout.empty()) cj["per_layout"] = per_layout_to_json(c.per_layout);
    out["cells"].push_back(std::move(cj));
  }
  return out;
}

json results_to_json(const RunResults& r, const std::vector<CellSummary>& cells) {
  json config = options_to_json(r.options);
  config["factors"] = r.factor_names;
  config["allocators"] = json::array();
  for (const auto& a : r.allocators) config["allocators"].push_back(allocator_to_json(a));
  config["skipped_allocators"] = json::array();
  for (const auto& s : r.skipped) config["skipped_allocators"].push_back(skipped_to_json(s));
  config["workloads"] = json::array();
  for (const auto& w : r.workloads) config["workloads"].push_back(workload_to_json(w));
  if (r.shard) config["shard"] = shard_to_json(*r.shard);

  json samples = json::array();
  for (const auto& s : r.samples) samples.push_back(sample_to_json(s));
  json failures = json::array();
  for (const auto& f : r.failures) failures.push_back(failure_to_json(f));

  json j = {{"schema_version", kSchemaVersion},
            {"tool", "alloclab-harness"},
            {"complete", r.complete},
            {"rounds_completed", r.rounds_completed},
            {"context", r.context},
            {"config", config},
            {"samples", samples},
            {"summary", summary_to_json(r, cells)},
            {"failures", failures}};
  if (!r.instructions.empty()) {
    json ins = json::array();
    for (const auto& i : r.instructions) ins.push_back(instruction_to_json(i));
    j["instructions"] = ins;
  }
  return j;
}

json results_to_json(const RunResults& r) { return results_to_json(r, summarize_run(r)); }

RunResults results_from_json(const json& j, const std::string& origin) {
  auto errors = validate_json(j, results_schema(), 5);
  if (!errors.empty())
    throw HarnessError(fmt::format("{} is not a valid alloclab results file (schema_version {}): {}", origin,
                                   kSchemaVersion, fmt::join(errors, "; ")));
  RunResults r;
  try {
    r.complete = j["complete"].get<bool>();
    r.rounds_completed = j["rounds_completed"].get<int>();
    r.context = j["context"];
    const json& c = j["config"];
    r.options = options_from_json(c);
    r.factor_names = get_or(c, "factors", std::vector<std::string>{});
    for (const auto& a : c["allocators"]) r.allocators.push_back(allocator_from_json(a));
    if (c.contains("skipped_allocators"))
      for (const auto& a : c["skipped_allocators"]) r.skipped.push_back(skipped_from_json(a));
    for (const auto& w : c["workloads"]) r.workloads.push_back(workload_from_json(w));
    if (c.contains("shard")) r.shard = shard_from_json(c["shard"]);
    for (const auto& s : j["samples"]) r.samples.push_back(sample_from_json(s));
    for (const auto& f : j["failures"]) r.failures.push_back(failure_from_json(f));
    if (j.contains("instructions"))
      for (const auto& i : j["instructions"]) r.instructions.push_back(instruction_from_json(i));
  } catch (const json::exception& e) {
    throw HarnessError(fmt::format("{} is not a valid alloclab results file: {}", origin, e.what()));
  }
  return r;
}

json load_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw HarnessError(fmt::format("{} {} not found (or not readable)", what, path));
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw HarnessError(fmt::format("{} {} is not valid JSON: {}", what, path, e.what()));
  }
}

RunResults load_results(const std::string& path) {
  return results_from_json(load_json_file(path, "results file"), path);
}

void save_results(const std::string& path, const RunResults& r, const std::vector<CellSummary>& cells) {
  ensure_parent_dir(path);
  write_file_atomically(path, results_to_json(r, cells).dump(1) + "\n");
}

}  // namespace alloclab::harness
