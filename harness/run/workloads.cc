// run/workloads.cc — workload discovery and selection.
#include "run/workloads.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/defaults.h"
#include "core/error.h"
#include "run/allocators.h"
#include "run/measurement.h"

namespace alloclab::harness {

std::vector<WorkloadSpec> parse_workload_list(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw HarnessError(fmt::format("`alloclab-runner --list` printed malformed JSON: {}", e.what()));
  }
  if (!j.is_array()) throw HarnessError("`alloclab-runner --list` did not print a JSON array");
  std::vector<WorkloadSpec> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string())
      throw HarnessError("`alloclab-runner --list`: an entry without a \"name\"");
    WorkloadSpec w;
    w.name = e["name"].get<std::string>();
    w.family = e.value("family", std::string{});
    w.description = e.value("description", std::string{});
    w.is_default = e.value("default", false);
    w.threads = e.value("threads", 1);
    if (e.contains("params") && e["params"].is_object()) w.params = e["params"];
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<WorkloadSpec> list_workloads(ProcessRunner& pr, const std::string& runner) {
  std::error_code ec;
  if (!std::filesystem::exists(runner, ec))
    throw HarnessError(
        fmt::format("runner not found at {}; build it with `cmake --build build --target alloclab-runner` "
                    "or pass --runner PATH",
                    runner));
  ChildSpec s;
  s.argv = {runner, "--list"};
  s.env_unset = {"LD_PRELOAD"};
  s.timeout_s = RunDefaults::kTimeout;
  ChildResult r = pr.run(s);
  Outcome o = classify_exit(r, s.timeout_s);
  if (!o.ok()) throw HarnessError(fmt::format("`{} --list` failed: {}", runner, o.error));
  return parse_workload_list(r.out);
}

std::vector<WorkloadSpec> select_workloads(const std::vector<WorkloadSpec>& all, const std::string& arg) {
  if (arg == "all") return all;
  std::vector<WorkloadSpec> out;
  auto add = [&](const WorkloadSpec& w) {
    if (std::none_of(out.begin(), out.end(), [&](const WorkloadSpec& o) { return o.name == w.name; })) out.push_back(w);
  };
  std::vector<std::string> unknown;
  for (const auto& name : split_list(arg)) {
    if (name == "default") {
      for (const auto& w : all)
        if (w.is_default) add(w);
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(), [&](const WorkloadSpec& w) { return w.name == name; });
    if (it == all.end())
      unknown.push_back(name);
    else
      add(*it);
  }
  if (!unknown.empty()) {
    std::vector<std::string> valid;
    for (const auto& w : all) valid.push_back(w.name);
    throw HarnessError(fmt::format("unknown workload{} {}; valid: default, all, {}", unknown.size() > 1 ? "s" : "",
                                   fmt::join(unknown, ", "), fmt::join(valid, ", ")));
  }
  if (out.empty()) throw HarnessError(fmt::format("--workloads {} selects no workload; see `harness list`", arg));
  return out;
}

}  // namespace alloclab::harness
