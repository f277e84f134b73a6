// run/callgrind.cc — instruction counts per malloc.
#include "run/callgrind.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "run/measurement.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

ChildSpec callgrind_spec(const CallgrindSettings& s, const AllocatorSpec& a, const WorkloadSpec& w,
                         const std::string& out_file) {
  ChildSpec c;
  c.argv = {s.valgrind,
            "--tool=callgrind",
            "--toggle-collect=alloclab_measured_region",
            "--callgrind-out-file=" + out_file,
            s.runner,
            fmt::format("--fixed-iterations={}", s.iterations),
            "--workload=" + w.name};
  c.timeout_s = s.timeout_s;
  apply_preload(a, c);
  return c;
}

std::optional<std::int64_t> parse_callgrind_total(const std::string& text) {
  std::optional<std::int64_t> totals;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    bool summary = line.rfind("summary:", 0) == 0;
    bool total = line.rfind("totals:", 0) == 0;
    if (!summary && !total) continue;
    std::istringstream fields(line.substr(line.find(':') + 1));
    long long v = 0;
    if (!(fields >> v)) continue;
    if (summary) return v;
    totals = v;
  }
  return totals;
}

InstructionCount interpret_callgrind(const AllocatorSpec& a, const WorkloadSpec& w, const ChildResult& r,
                                     const std::optional<std::string>& out_text, double timeout_s) {
  InstructionCount ic;
  ic.allocator = a.name;
  ic.workload = w.name;
  Outcome o = classify_exit(r, timeout_s);
  if (!o.ok()) {
    ic.status = o.status;
    ic.error = o.error;
    return ic;
  }
  try {
    json j = json::parse(r.out);
    ic.iterations = j.value("iterations", std::int64_t{0});
    ic.mallocs = j.value("mallocs", std::int64_t{0});
    ic.frees = j.value("frees", std::int64_t{0});
  } catch (const json::exception&) {
    ic.status = Status::failed;
    ic.error = "malformed output: --fixed-iterations did not print JSON (" + tail(r.out, 120) + ")";
    return ic;
  }
  auto total = out_text ? parse_callgrind_total(*out_text) : std::nullopt;
  if (!total) {
    ic.status = Status::failed;
    ic.error = out_text ? "no summary:/totals: line in the callgrind output" : "callgrind wrote no output file";
    return ic;
  }
  ic.instructions = *total;
  if (ic.mallocs <= 0) {
    ic.status = Status::failed;
    ic.error = "the runner reported no mallocs";
    return ic;
  }
  if (ic.instructions == 0) {
    ic.status = Status::failed;
    ic.error = "0 instructions collected: is alloclab_measured_region in the runner (--toggle-collect)?";
    return ic;
  }
  ic.instructions_per_malloc = static_cast<double>(ic.instructions) / static_cast<double>(ic.mallocs);
  return ic;
}

std::vector<InstructionCount> run_callgrind(const std::vector<AllocatorSpec>& allocators,
                                            const std::vector<WorkloadSpec>& workloads, const CallgrindSettings& s,
                                            ProcessRunner& pr, SchedulerObserver& observer) {
  std::string dir = s.out_dir;
  bool temp = dir.empty();
  if (temp) {
    std::string tmpl = (fs::temp_directory_path() / "alloclab-callgrind-XXXXXX").string();
    if (mkdtemp(tmpl.data())) dir = tmpl;
  } else {
    std::error_code ec;
    fs::create_directories(dir, ec);
  }
  std::vector<InstructionCount> out;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t total = allocators.size() * workloads.size(), done = 0;
  for (const auto& a : allocators)
    for (const auto& w : workloads) {
      if (interrupt_requested()) break;
      std::string file = fmt::format("{}/callgrind.{}.{}.out", dir, a.name, w.name);
      std::error_code ec;
      fs::remove(file, ec);
      ChildResult r = pr.run(callgrind_spec(s, a, w, file));
      if (r.interrupted) break;
      std::optional<std::string> text;
      if (std::ifstream in(file); in) {
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
      }
      InstructionCount ic = interpret_callgrind(a, w, r, text, s.timeout_s);
      if (ic.status != Status::ok)
        observer.on_failure({a.name, w.name, 0, Phase::measure, ic.status, "callgrind: " + ic.error});
      out.push_back(ic);
      Progress p;
      p.phase = Phase::callgrind;
      p.done = ++done;
      p.total = total;
      p.cell_index = done;
      p.cells = total;
      p.allocator = a.name;
      p.workload = w.name;
      p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      p.eta_s = p.elapsed_s / static_cast<double>(done) * static_cast<double>(total - done);
      observer.on_child_done(p);
    }
  if (temp && !dir.empty()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return out;
}

}  // namespace alloclab::harness
