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
  c.argv = {s.valgrind, "--tool=callgrind", "--toggle-collect=alloclab_measured_region",
            "--callgrind-out-file=" + out_file};
  if (s.mechanism)
    c.argv.insert(c.argv.end(),
                  {"--branch-sim=yes", "--cache-sim=yes", std::string("--I1=") + CallgrindDefaults::kI1,
                   std::string("--D1=") + CallgrindDefaults::kD1, std::string("--LL=") + CallgrindDefaults::kLL});
  c.argv.insert(c.argv.end(), {s.runner, fmt::format("--fixed-iterations={}", s.iterations), "--workload=" + w.name});
  c.timeout_s = s.timeout_s;
  apply_preload(a, c);
  return c;
}

std::optional<std::map<std::string, std::int64_t>> parse_callgrind_events(const std::string& text) {
  std::vector<std::string> names;
  std::optional<std::string> summary, totals;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto rest = [&line] { return line.substr(line.find(':') + 1); };
    if (line.rfind("events:", 0) == 0) {
      std::istringstream f(rest());
      names.clear();
      for (std::string n; f >> n;) names.push_back(n);
    } else if (line.rfind("summary:", 0) == 0 && !summary) {
      summary = rest();
    } else if (line.rfind("totals:", 0) == 0) {
      totals = rest();
    }
  }
  const std::optional<std::string>& line_values = summary ? summary : totals;
  if (!line_values) return std::nullopt;
  std::vector<std::int64_t> values;
  std::istringstream f(*line_values);
  for (long long v = 0; f >> v;) values.push_back(v);
  if (values.empty()) return std::nullopt;
  if (names.empty()) names = {"Ir"};  // callgrind's default event
  std::map<std::string, std::int64_t> events;
  for (std::size_t i = 0; i < names.size(); ++i) events[names[i]] = i < values.size() ? values[i] : 0;
  return events;
}

namespace {

// The callgrind event (--branch-sim, --cache-sim) behind each count of MechanismCount.
struct MechanismEvent {
  const char* name;
  std::int64_t MechanismCount::*count;
};
constexpr MechanismEvent kMechanismEvents[] = {
    {"Bc", &MechanismCount::cond_branches},     {"Bcm", &MechanismCount::cond_mispredicts},
    {"Bi", &MechanismCount::indirect_branches}, {"Bim", &MechanismCount::indirect_mispredicts},
    {"Dr", &MechanismCount::data_reads},        {"Dw", &MechanismCount::data_writes},
    {"D1mr", &MechanismCount::d1_read_misses},  {"D1mw", &MechanismCount::d1_write_misses},
    {"DLmr", &MechanismCount::ll_read_misses},  {"DLmw", &MechanismCount::ll_write_misses},
    {"I1mr", &MechanismCount::i1_misses},       {"ILmr", &MechanismCount::ll_instruction_misses},
};

}  // namespace

std::optional<MechanismCount> mechanism_from_events(const std::map<std::string, std::int64_t>& events,
                                                    const std::string& text) {
  if (!events.contains("Bc") || !events.contains("D1mr")) return std::nullopt;
  MechanismCount m;
  for (const auto& [name, count] : kMechanismEvents) {  // an event missing from the file counts 0
    auto it = events.find(name);
    m.*count = it == events.end() ? std::int64_t{0} : it->second;
  }
  // "desc: I1 cache: 65536 B, 64 B, 16-way associative" -> "I1 65536 B, 64 B, 16-way associative".
  const std::string prefix = "desc: ", cache = " cache: ";
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto at = line.find(cache);
    if (line.rfind(prefix, 0) != 0 || at == std::string::npos) continue;
    m.caches += (m.caches.empty() ? "" : "; ") + line.substr(prefix.size(), at - prefix.size()) + " " +
                line.substr(at + cache.size());
  }
  return m;
}

InstructionCount interpret_callgrind(const AllocatorSpec& a, const WorkloadSpec& w, const ChildResult& r,
                                     const std::optional<std::string>& out_text, double timeout_s, bool mechanism) {
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
  auto events = out_text ? parse_callgrind_events(*out_text) : std::nullopt;
  if (!events || !events->contains("Ir")) {
    ic.status = Status::failed;
    ic.error = out_text ? "no summary:/totals: line with Ir in the callgrind output" : "callgrind wrote no output file";
    return ic;
  }
  ic.instructions = events->at("Ir");
  if (mechanism) {
    ic.mechanism = mechanism_from_events(*events, *out_text);
    if (!ic.mechanism) {
      ic.status = Status::failed;
      ic.error = "no branch/cache events (Bc, D1mr) in the callgrind output: did --branch-sim/--cache-sim run?";
      return ic;
    }
  }
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
      InstructionCount ic = interpret_callgrind(a, w, r, text, s.timeout_s, s.mechanism);
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
