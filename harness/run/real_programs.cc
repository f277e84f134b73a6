// run/real_programs.cc — reading programs.json, selecting, expanding; exec's ad-hoc program.
#include "run/real_programs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "run/allocators.h"

#ifndef ALLOCLAB_SOURCE_DIR
#define ALLOCLAB_SOURCE_DIR "."
#endif
#ifndef ALLOCLAB_DEFAULT_REAL_BIN
#define ALLOCLAB_DEFAULT_REAL_BIN "build/real/bin"
#endif
#ifndef ALLOCLAB_DEFAULT_PROBE
#define ALLOCLAB_DEFAULT_PROBE "build/lib/liballoclab-probe.so"
#endif

namespace alloclab::harness {
namespace fs = std::filesystem;

RealPaths default_real_paths() {
  return {std::string(ALLOCLAB_SOURCE_DIR) + "/workloads/real/programs.json", ALLOCLAB_DEFAULT_REAL_BIN,
          ALLOCLAB_SOURCE_DIR};
}
const char* default_probe_path() { return ALLOCLAB_DEFAULT_PROBE; }

bool is_real_workload_name(const std::string& name) { return name == "real" || name.rfind("real:", 0) == 0; }

std::string expand(std::string s, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [k, v] : vars) {
    const std::string key = "{" + k + "}";
    for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + v.size()))
      s.replace(at, key.size(), v);
  }
  return s;
}

namespace {

// Every string in the declaration, templates expanded.
json expand_all(const json& j, const std::vector<std::pair<std::string, std::string>>& vars) {
  if (j.is_string()) return expand(j.get<std::string>(), vars);
  if (j.is_array() || j.is_object()) {
    json out = j;
    for (auto it = out.begin(); it != out.end(); ++it) *it = expand_all(*it, vars);
    return out;
  }
  return j;
}

std::vector<std::string> strings(const json& j, const std::string& what) {
  if (!j.is_array() || j.empty()) throw HarnessError(what + " must be a non-empty array of strings");
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (!e.is_string()) throw HarnessError(what + " must be a non-empty array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

WorkloadSpec as_workload(const json& decl) {
  RealProgram p = parse_real_program(decl);  // validates
  WorkloadSpec w;
  w.name = "real:" + p.name;
  w.family = "real";
  w.description = p.description;
  w.kind = "real";
  w.metric = p.server ? "requests_per_sec" : "runs_per_sec";
  w.params = decl;
  return w;
}

}  // namespace

RealProgram parse_real_program(const json& d) {
  RealProgram p;
  try {
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string())
      throw HarnessError("a real program without a \"name\"");
    p.name = d["name"].get<std::string>();
    const std::string where = "real program " + p.name + ": ";
    p.description = d.value("description", std::string{});
    const std::string kind = d.value("kind", std::string{"batch"});
    if (kind != "batch" && kind != "server") throw HarnessError(where + "kind must be \"batch\" or \"server\"");
    p.server = kind == "server";
    if (!d.contains("argv")) throw HarnessError(where + "no \"argv\"");
    p.argv = strings(d["argv"], where + "argv");
    p.stdin_path = d.value("stdin", std::string{});
    if (d.contains("env")) {
      if (!d["env"].is_object()) throw HarnessError(where + "env must be an object of strings");
      for (auto it = d["env"].begin(); it != d["env"].end(); ++it) p.env.emplace_back(it.key(), it->get<std::string>());
    }
    const std::string workdir = d.value("workdir", std::string{});
    if (!workdir.empty() && workdir != "fresh") throw HarnessError(where + "workdir must be \"fresh\" or absent");
    p.fresh_workdir = workdir == "fresh";
    p.deterministic = d.value("deterministic", true);
    if (d.contains("exit_status") && d["exit_status"].is_null())
      p.exit_status_as_reference = true;
    else
      p.exit_status = d.value("exit_status", 0);
    p.timeout_s = d.value("timeout_s", 0.0);
    p.unavailable_hint = d.value("unavailable_hint", std::string{});
    if (p.server) {
      if (d.contains("ready")) {
        const json& r = d["ready"];
        p.ready_timeout_s = r.value("timeout_s", p.ready_timeout_s);
        if (r.contains("argv")) p.ready_argv = strings(r["argv"], where + "ready.argv");
      }
      if (!d.contains("load") || !d["load"].is_object()) throw HarnessError(where + "a server needs \"load\"");
      const json& l = d["load"];
      p.load_argv = strings(l.value("argv", json()), where + "load.argv");
      p.throughput_regex = l.value("throughput_regex", std::string{});
      if (p.throughput_regex.empty()) throw HarnessError(where + "load.throughput_regex is missing");
      p.combine = l.value("combine", p.combine);
      if (p.combine != "first" && p.combine != "mean" && p.combine != "harmonic_mean" && p.combine != "sum")
        throw HarnessError(where + "load.combine must be first, mean, harmonic_mean or sum");
      if (d.contains("check")) p.check_argv = strings(d["check"].value("argv", json()), where + "check.argv");
      p.stop_grace_s = d.value("stop_grace_s", p.stop_grace_s);
    }
  } catch (const json::exception& e) {
    throw HarnessError(fmt::format("real program {}: {}", p.name, e.what()));
  }
  return p;
}

std::vector<WorkloadSpec> select_real_programs(const RealPaths& paths, const std::vector<std::string>& names) {
  std::ifstream in(paths.programs);
  if (!in) throw HarnessError(fmt::format("real programs: cannot read {}; pass --real-programs FILE", paths.programs));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw HarnessError(fmt::format("real programs: {} is not JSON: {}", paths.programs, e.what()));
  }
  if (!doc.is_object() || !doc.contains("programs") || !doc["programs"].is_array())
    throw HarnessError(fmt::format("real programs: {} has no \"programs\" array", paths.programs));
  const std::string dir = fs::absolute(fs::path(paths.programs)).parent_path().string();
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"dir", dir}, {"src", paths.src_dir}, {"bin", paths.bin_dir}};
  std::vector<WorkloadSpec> all;
  for (const auto& decl : doc["programs"]) all.push_back(as_workload(expand_all(decl, vars)));

  std::vector<WorkloadSpec> out;
  auto add = [&](const WorkloadSpec& w) {
    if (std::none_of(out.begin(), out.end(), [&](const WorkloadSpec& o) { return o.name == w.name; })) out.push_back(w);
  };
  std::vector<std::string> unknown;
  for (const auto& n : names) {
    if (n == "real") {
      for (const auto& w : all) add(w);
      continue;
    }
    auto it = std::find_if(all.begin(), all.end(), [&](const WorkloadSpec& w) { return w.name == n; });
    if (it == all.end())
      unknown.push_back(n);
    else
      add(*it);
  }
  if (!unknown.empty()) {
    std::vector<std::string> valid;
    for (const auto& w : all) valid.push_back(w.name);
    throw HarnessError(fmt::format("unknown real program{} {}; valid: real, {} (from {})",
                                   unknown.size() > 1 ? "s" : "", fmt::join(unknown, ", "), fmt::join(valid, ", "),
                                   paths.programs));
  }
  return out;
}

std::string resolve_executable(const std::string& argv0, std::string& why) {
  auto usable = [&](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      why = path + ": not found";
      return false;
    }
    if (S_ISDIR(st.st_mode)) {
      why = path + ": is a directory";
      return false;
    }
    if (::access(path.c_str(), X_OK) != 0) {
      why = path + ": not executable";
      return false;
    }
    return true;
  };
  if (argv0.empty()) {
    why = "empty command";
    return {};
  }
  if (argv0.find('/') != std::string::npos) return usable(argv0) ? argv0 : std::string{};
  const char* path = std::getenv("PATH");
  std::string first_why;
  for (const auto& dir : split_list(path ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = dir + "/" + argv0;
    if (usable(candidate)) return candidate;
    if (first_why.empty() && why.find("not found") == std::string::npos) first_why = why;
  }
  why = first_why.empty() ? argv0 + ": not found in PATH" : first_why;
  return {};
}

std::string real_program_unavailable(const RealProgram& p) {
  std::vector<std::string> missing;
  auto need = [&](const std::vector<std::string>& argv) {
    if (argv.empty()) return;
    std::string why;
    if (resolve_executable(argv[0], why).empty()) missing.push_back(why);
  };
  need(p.argv);
  need(p.load_argv);
  need(p.ready_argv);
  need(p.check_argv);
  if (!p.stdin_path.empty())
    if (std::error_code ec; !fs::is_regular_file(p.stdin_path, ec)) missing.push_back(p.stdin_path + ": not found");
  if (missing.empty()) return {};
  std::string s = fmt::format("unavailable: {}", fmt::join(missing, "; "));
  if (!p.unavailable_hint.empty()) s += " (" + p.unavailable_hint + ")";
  return s;
}

WorkloadSpec exec_workload(const std::vector<std::string>& command, bool check_output) {
  json decl = {{"name", command.empty() ? std::string("?") : fs::path(command[0]).filename().string()},
               {"description", "harness exec"},
               {"kind", "batch"},
               {"argv", command},
               {"deterministic", check_output},
               {"exit_status", nullptr}};
  WorkloadSpec w = as_workload(decl);
  w.name = "exec:" + decl["name"].get<std::string>();
  return w;
}

}  // namespace alloclab::harness
