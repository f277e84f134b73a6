// run/measurement.cc — runner command lines, exit classification, Google Benchmark JSON parsing
// and the preload check.
#include "run/measurement.h"

#include <filesystem>

#include <fmt/format.h>

namespace alloclab::harness {
namespace fs = std::filesystem;

void apply_preload(const AllocatorSpec& a, ChildSpec& spec) {
  if (a.library.empty())
    spec.env_unset.push_back("LD_PRELOAD");
  else
    spec.env_set.emplace_back("LD_PRELOAD", a.library);
}

int layout_copy(const AllocatorSpec& a, int layout_index) {
  const int copies = static_cast<int>(a.layout_libraries.size());
  return copies > 1 && layout_index > 0 ? layout_index % copies : 0;
}

AllocatorSpec with_layout_copy(const AllocatorSpec& a, int copy) {
  AllocatorSpec c = a;
  if (copy > 0 && copy < static_cast<int>(a.layout_libraries.size())) c.library = a.layout_libraries[copy];
  return c;
}

int stack_shift_bytes(int layout_index) { return layout_index > 0 ? layout_index * 1040 % 4096 : 0; }

std::string exact_filter(const std::string& name) {
  std::string s = "^";
  for (char c : name) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) s += '\\';
    s += c;
  }
  return s + "$";
}

ChildSpec verify_spec(const std::string& runner, const AllocatorSpec& a, const WorkloadSpec& w, double timeout_s) {
  ChildSpec s;
  s.argv = {runner, "--verify", "--benchmark_filter=" + exact_filter(w.name)};
  s.timeout_s = timeout_s;
  apply_preload(a, s);
  return s;
}

ChildSpec measure_spec(const std::string& runner, const AllocatorSpec& a, const WorkloadSpec& w, double min_time,
                       double timeout_s, const std::string& stats_out, int stack_shift) {
  ChildSpec s;
  s.argv = {runner, "--benchmark_filter=" + exact_filter(w.name), "--benchmark_format=json",
            fmt::format("--benchmark_min_time={}", min_time)};
  if (!stats_out.empty()) s.argv.push_back("--alloclab-stats-out=" + stats_out);
  if (stack_shift >= 0) s.argv.push_back(fmt::format("--alloclab-stack-shift={:04d}", stack_shift));
  s.timeout_s = timeout_s;
  apply_preload(a, s);
  return s;
}

std::string tail(const std::string& text, std::size_t max_chars) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r')) t.pop_back();
  if (t.size() > max_chars) t = "…" + t.substr(t.size() - max_chars);
  for (auto& c : t)
    if (c == '\n' || c == '\r') c = ' ';
  return t;
}

Outcome classify_exit(const ChildResult& r, double timeout_s) {
  if (!r.started) return {Status::failed, r.start_error.empty() ? "could not start" : r.start_error};
  if (r.timed_out) return {Status::timeout, fmt::format("timed out after {:g} s", timeout_s)};
  if (r.interrupted) return {Status::failed, "interrupted"};
  if (r.term_signal != 0) {
    std::string e = "crashed: " + signal_name(r.term_signal);
    if (auto t = tail(r.err); !t.empty()) e += " (" + t + ")";
    return {Status::crashed, e};
  }
  if (r.exit_code != 0) {
    std::string e = fmt::format("exit status {}", r.exit_code);
    if (auto t = tail(r.err); !t.empty()) e += ": " + t;
    return {Status::failed, e};
  }
  return {};
}

Outcome interpret_verify(const ChildResult& r, double timeout_s) {
  Outcome o = classify_exit(r, timeout_s);
  if (!o.ok()) {
    if (o.status == Status::failed && r.exit_code == 3) o.error = "verify failed: " + tail(r.err, 500);
    return o;
  }
  try {
    json j = json::parse(r.out);
    if (!j.is_object() || !j.contains("verified"))
      return {Status::failed, "malformed output: verify printed no \"verified\" key"};
    if (j["verified"].is_array() && j["verified"].empty())
      return {Status::failed, "verify matched no workload (is the name right?)"};
  } catch (const json::exception&) {
    return {Status::failed, "malformed output: verify did not print JSON: " + tail(r.out, 200)};
  }
  return {};
}

namespace {

bool same_file(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::error_code ec;
  if (fs::equivalent(a, b, ec) && !ec) return true;
  auto ca = fs::weakly_canonical(a, ec);
  if (ec) return false;
  auto cb = fs::weakly_canonical(b, ec);
  return !ec && ca == cb;
}

bool is_libc(const std::string& path) {
  std::string base = fs::path(path).filename().string();
  return base.rfind("libc.so", 0) == 0 || base.rfind("libc-", 0) == 0;
}

double to_ns(double v, const std::string& unit) {
  if (unit == "ns") return v;
  if (unit == "us") return v * 1e3;
  if (unit == "ms") return v * 1e6;
  if (unit == "s") return v * 1e9;
  return v;
}

}  // namespace

std::optional<json> parse_address_layout(const json& context) {
  auto it = context.find("address_layout");
  if (it == context.end()) return std::nullopt;
  if (it->is_object()) return *it;
  if (!it->is_string()) return std::nullopt;
  try {
    json j = json::parse(it->get<std::string>());
    if (j.is_object()) return j;
  } catch (const json::exception&) {
  }
  return std::nullopt;
}

std::string check_provider(const AllocatorSpec& a, const std::string& provider, const std::string& variant_json) {
  std::string who = provider.empty() ? "(unknown)" : provider;
  std::string answering;  // alloclab_variant().name, "" when none
  bool answering_stats = false;
  if (!variant_json.empty()) {
    try {
      json v = json::parse(variant_json);
      answering = v.value("name", std::string{"(unnamed)"});
      answering_stats = v.value("stats", false);
    } catch (const json::exception&) {
      return "preload check failed: alloclab_variant is not JSON: " + tail(variant_json, 120);
    }
  }
  if (a.library.empty()) {  // glibc
    if (!is_libc(provider)) return fmt::format("preload did not take effect: expected glibc's malloc, got {}", who);
    if (!answering.empty())
      return fmt::format(
          "preload did not take effect: expected glibc, but alloclab variant {} answers "
          "(is LD_PRELOAD set in the harness's own environment?)",
          answering);
    return {};
  }
  if (!same_file(provider, a.library))
    return fmt::format("preload did not take effect: expected malloc from {}, got {}", a.library, who);
  if (a.kind == AllocatorKind::custom) return {};
  if (answering != a.expected_variant)
    return fmt::format("preload did not take effect: expected alloclab variant {}, got {}",
                       a.expected_variant.empty() ? "none" : a.expected_variant,
                       answering.empty() ? "none" : answering);
  if (a.kind == AllocatorKind::variant && !variant_json.empty() && answering_stats != a.stats_twin)
    return fmt::format("preload did not take effect: expected the {} build of {}, got the {} build",
                       a.stats_twin ? "stats" : "plain", a.name, answering_stats ? "stats" : "plain");
  return {};
}

Sample interpret_measurement(const AllocatorSpec& a, const ChildResult& r, double timeout_s, bool stats_requested,
                             const std::optional<std::string>& stats_text) {
  Sample s;
  s.wall_s = r.wall_s;
  s.peak_rss_kib = r.peak_rss_kib;
  s.page_faults = r.minflt + r.majflt;
  auto fail = [&](Status st, std::string e) {
    s.status = st;
    s.error = std::move(e);
    return s;
  };
  Outcome o = classify_exit(r, timeout_s);
  if (!o.ok()) return fail(o.status, o.error);

  json j;
  try {
    j = json::parse(r.out);
  } catch (const json::exception& e) {
    return fail(Status::failed, "malformed output: not JSON (" + tail(r.out, 120) + ")");
  }
  if (!j.is_object() || !j.contains("benchmarks") || !j["benchmarks"].is_array() || !j.contains("context") ||
      !j["context"].is_object())
    return fail(Status::failed, "malformed output: no \"context\" / \"benchmarks\"");
  if (j["benchmarks"].empty())
    return fail(Status::failed, "malformed output: no benchmark ran (does the workload exist?)");
  const json& ctx = j["context"];
  const json& b = j["benchmarks"][0];
  if (b.value("error_occurred", false))
    return fail(Status::failed, "benchmark error: " + b.value("error_message", std::string{"?"}));

  std::string provider = ctx.contains("malloc_provider") && ctx["malloc_provider"].is_string()
                             ? ctx["malloc_provider"].get<std::string>()
                             : std::string{};
  std::string variant;
  if (ctx.contains("alloclab_variant")) {
    const json& v = ctx["alloclab_variant"];
    variant = v.is_string() ? v.get<std::string>() : (v.is_object() ? v.dump() : std::string{});
  }
  if (auto why = check_provider(a, provider, variant); !why.empty()) return fail(Status::failed, why);
  s.address_layout = parse_address_layout(ctx);

  try {
    if (!b.contains("items_per_second") || !b["items_per_second"].is_number())
      return fail(Status::failed, "malformed output: no items_per_second");
    s.mallocs_per_sec = b["items_per_second"].get<double>();
    std::string unit = b.value("time_unit", std::string{"ns"});
    s.real_time_ns = to_ns(b.value("real_time", 0.0), unit);
    s.cpu_time_ns = to_ns(b.value("cpu_time", 0.0), unit);
    s.iterations = b.value("iterations", std::int64_t{0});
    // The runner's own VmHWM: wait4's ru_maxrss (kept when it is missing, as from an older
    // runner) includes the harness's RSS at fork time, see runner.cc peak_rss_kib().
    if (b.contains("peak_rss_kib") && b["peak_rss_kib"].is_number())
      s.peak_rss_kib = static_cast<std::int64_t>(b["peak_rss_kib"].get<double>());
  } catch (const json::exception& e) {
    return fail(Status::failed, std::string("malformed output: ") + e.what());
  }
  if (!(s.mallocs_per_sec > 0)) return fail(Status::failed, "malformed output: items_per_second <= 0");
  s.ns_per_op = 1e9 / s.mallocs_per_sec;

  if (stats_requested) {
    if (!stats_text) return fail(Status::failed, "the runner wrote no --alloclab-stats-out file");
    try {
      s.counters = json::parse(*stats_text);
    } catch (const json::exception&) {
      return fail(Status::failed, "malformed output: the stats file is not JSON");
    }
  }
  return s;
}

}  // namespace alloclab::harness
