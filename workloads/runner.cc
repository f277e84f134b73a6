// runner.cc — alloclab-runner: every workload as a Google Benchmark benchmark, plus the
// modes the harness needs besides timing (--list, --verify, --fixed-iterations).
//
// The runner links no allocator: workloads call plain malloc/free/calloc/realloc and the
// harness chooses the allocator with LD_PRELOAD. The benchmark context records which
// library really provides malloc (malloc_provider) and, for alloclab libraries, their
// identity (alloclab_variant), so a preload that did not take effect is visible.
//
// Exit codes: 0 ok, 1 I/O error, 2 usage error (bad flag, unknown workload, nothing
// matched), 3 a workload failed (verify mismatch, NULL from an allocator, leak).
#include <alloca.h>
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/registry.h"
#include "workloads/support.h"
#include "workloads/workload.h"

using alloclab::workloads::Mode;
using alloclab::workloads::RunResult;
using alloclab::workloads::Workload;

// The region `valgrind --tool=callgrind --toggle-collect=alloclab_measured_region` counts.
// --fixed-iterations calls it once on the main thread around K timed runs, and has every
// worker thread those runs start run its body through it too (callgrind toggles per
// thread), so the count covers all threads' work and nothing else: not start-up, not
// argument parsing, not printing. noipa keeps GCC from inlining, cloning or specialising
// it, so the symbol callgrind looks for is the one that runs.
extern "C" __attribute__((noipa, used, visibility("default"))) void alloclab_measured_region(void (*fn)(void*),
                                                                                             void* arg) {
  fn(arg);
}

namespace {

constexpr int kExitIo = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFailed = 3;
constexpr int kVerifyRepetitions = 3;
constexpr std::size_t kMaxStackShift = std::size_t{1} << 20;

constexpr const char* kUsage =
    R"(alloclab-runner: allocation workloads as Google Benchmark benchmarks.
The allocator is whatever provides malloc: choose it with LD_PRELOAD (none = glibc).

Usage:
  alloclab-runner [--benchmark_* flags] [--alloclab-stats-out=FILE] [--alloclab-stack-shift=BYTES]
      Time the workloads selected by --benchmark_filter (regex; default all).
      items_per_second = mallocs per second. The JSON context carries malloc_provider
      and alloclab_variant.
  alloclab-runner --list
      Print every workload as a JSON array and exit.
  alloclab-runner --verify [--benchmark_filter=REGEX | --workload=NAME]
      Run each selected workload 3 times in verify mode (whole-block patterns checked
      before every free); print {"verified":[...]} or an error on stderr (exit 3).
  alloclab-runner --fixed-iterations=K --workload=NAME
      Run NAME K times inside alloclab_measured_region (for callgrind
      --toggle-collect=alloclab_measured_region) and print the counts as JSON.

Options:
  --workload=NAME            select one workload (same as --benchmark_filter='^NAME$')
  --alloclab-stats-out=FILE  after timing, write alloclab_stats() of the preloaded
                             alloclab library to FILE (nothing is written without one)
  --alloclab-stack-shift=BYTES
                             before timing, move this process's stack down by BYTES
                             (rounded up to 16; at most 1 MiB): the benchmarks run in a
                             function called after an alloca of that size, so every
                             main-thread stack address (address_layout "stack") moves by
                             exactly BYTES. With ASLR off (setarch -R) this makes the
                             stack layout a controlled factor. Default 0.
  --help                     this text, then Google Benchmark's flags
Exit codes: 0 ok, 1 I/O error, 2 usage error, 3 a workload failed.
)";

struct Options {
  bool list = false;
  bool verify = false;
  bool help = false;
  std::optional<uint64_t> fixed_iterations;
  std::string workload;
  std::string stats_out;
  std::size_t stack_shift = 0;  // --alloclab-stack-shift, a multiple of 16
  // The last value of each --benchmark_*=VALUE flag. All but --benchmark_filter are also
  // passed on to Benchmark.
  std::map<std::string, std::string, std::less<>> benchmark_flags;
  std::string filter;          // --benchmark_filter, or ^NAME$ for --workload=NAME
  std::vector<char*> pass_on;  // argv for benchmark::Initialize
};

std::atomic<bool> g_workload_failed{false};

int usage_error(const std::string& message) {
  std::cerr << "alloclab-runner: " << message << " (see --help)\n";
  return kExitUsage;
}

// Matches "--name=VALUE" or "--name VALUE" (consuming the next argument).
bool take_value(std::string_view flag, int& i, int argc, char** argv, std::string& value, bool& missing) {
  const std::string_view arg = argv[i];
  if (arg == flag) {
    if (i + 1 >= argc) {
      missing = true;
      return true;
    }
    value = argv[++i];
    return true;
  }
  if (arg.size() > flag.size() && arg.substr(0, flag.size()) == flag && arg[flag.size()] == '=') {
    value = std::string(arg.substr(flag.size() + 1));
    return true;
  }
  return false;
}

// Returns an exit code on a usage error.
std::optional<int> parse(int argc, char** argv, Options& opt) {
  opt.pass_on.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    bool missing = false;
    if (arg == "--list") {
      opt.list = true;
    } else if (arg == "--verify") {
      opt.verify = true;
    } else if (take_value("--fixed-iterations", i, argc, argv, value, missing)) {
      if (missing) return usage_error("--fixed-iterations needs a count");
      char* end = nullptr;
      const unsigned long long k = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || value[0] == '-' || k == 0) {
        return usage_error("--fixed-iterations needs a positive integer, got '" + value + "'");
      }
      opt.fixed_iterations = k;
    } else if (take_value("--workload", i, argc, argv, value, missing)) {
      if (missing) return usage_error("--workload needs a name");
      opt.workload = value;
    } else if (take_value("--alloclab-stack-shift", i, argc, argv, value, missing)) {
      char* end = nullptr;
      const unsigned long long n = missing ? 0 : std::strtoull(value.c_str(), &end, 10);
      if (missing || value.empty() || *end != '\0' || value[0] == '-' || n > kMaxStackShift) {
        return usage_error("--alloclab-stack-shift needs a byte count from 0 to 1048576, got '" + value + "'");
      }
      opt.stack_shift = (static_cast<std::size_t>(n) + 15) & ~std::size_t{15};
    } else if (take_value("--alloclab-stats-out", i, argc, argv, value, missing)) {
      if (missing || value.empty()) return usage_error("--alloclab-stats-out needs a file");
      opt.stats_out = value;
    } else {
      if (arg == "--help" || arg == "-h") opt.help = true;
      if (arg == "--benchmark_list_tests") {  // a bare boolean flag
        opt.benchmark_flags["benchmark_list_tests"] = "true";
        continue;
      }
      if (arg.starts_with("--benchmark_") && arg.find('=') != std::string_view::npos) {
        const size_t eq = arg.find('=');
        opt.benchmark_flags[std::string(arg.substr(2, eq - 2))] = std::string(arg.substr(eq + 1));
        // The runner applies the filter and lists the benchmarks itself (run_benchmarks).
        if (arg.starts_with("--benchmark_filter=") || arg.starts_with("--benchmark_list_tests=")) {
          continue;
        }
      }
      opt.pass_on.push_back(argv[i]);
    }
  }
  opt.pass_on.push_back(nullptr);
  if (auto it = opt.benchmark_flags.find("benchmark_filter"); it != opt.benchmark_flags.end()) {
    opt.filter = it->second;
  }
  return std::nullopt;
}

std::string flag_or(const Options& opt, std::string_view name, std::string fallback) {
  auto it = opt.benchmark_flags.find(name);
  return it == opt.benchmark_flags.end() ? fallback : it->second;
}

// The file of the object whose malloc this process calls: the global symbol lookup, which
// is what every call to malloc binds to (the preloaded library's, or libc's).
struct MallocSymbol {
  void* address = nullptr;
  Dl_info object{};  // dli_fname / dli_fbase of the object that holds it; zero if unknown
};
MallocSymbol malloc_symbol() {
  MallocSymbol m;
  m.address = dlsym(RTLD_DEFAULT, "malloc");
  if (m.address == nullptr) m.address = reinterpret_cast<void*>(&malloc);
  if (dladdr(m.address, &m.object) == 0) m.object = Dl_info{};
  return m;
}

std::string malloc_provider() {
  const MallocSymbol m = malloc_symbol();
  return m.object.dli_fname != nullptr ? m.object.dli_fname : "unknown";
}

// Where this process's code, stack and heap happen to be (JSON object of decimal addresses).
// Address-space randomization gives every child another layout, and the layout alone can
// move a workload's speed (README, "Code placement"): the harness records it per sample.
// The stack address is a local of this function, a fixed distance from the workload loop's
// frame; the heap address is a 64-byte block, freed at once.
std::string address_layout() {
  volatile int stack_marker = 0;
  void* block = malloc(64);
  const auto addr = [](const void* p) { return std::to_string(reinterpret_cast<std::uintptr_t>(p)); };
  const MallocSymbol m = malloc_symbol();
  std::string out = "{\"malloc\": " + addr(m.address) + ", \"malloc_library_base\": " + addr(m.object.dli_fbase) +
                    ", \"runner_code\": " + addr(reinterpret_cast<const void*>(&address_layout)) +
                    ", \"stack\": " + addr(const_cast<int*>(&stack_marker)) + ", \"heap\": " + addr(block) + "}";
  free(block);
  return out;
}

// alloclab_variant() / alloclab_stats() of a preloaded alloclab library, or nullopt.
std::optional<std::string> call_alloclab(const char* symbol) {
  using Fn = const char* (*)();
  auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, symbol));
  if (fn == nullptr) return std::nullopt;
  const char* s = fn();
  return std::string(s != nullptr ? s : "");
}

// Google Benchmark's filter semantics: a regex searched in the name; "all" or empty
// selects all; a leading '-' negates.
std::optional<std::vector<const Workload*>> select_workloads(const std::string& filter) {
  std::string pattern = filter;
  bool negate = false;
  if (!pattern.empty() && pattern[0] == '-') {
    negate = true;
    pattern.erase(0, 1);
  }
  const bool all = pattern.empty() || pattern == "all";
  std::regex re;
  try {
    re = std::regex(all ? std::string(".") : pattern, std::regex::extended);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
  std::vector<const Workload*> out;
  for (const auto& w : alloclab::workloads::all_workloads()) {
    if (std::regex_search(w.name, re) != negate) out.push_back(&w);
  }
  return out;
}

int run_list() {
  std::cout << alloclab::workloads::workloads_json().dump(2) << '\n';
  return 0;
}

int run_verify(const std::string& filter) {
  const auto selected = select_workloads(filter);
  if (!selected) return usage_error("invalid --benchmark_filter regex '" + filter + "'");
  if (selected->empty()) return usage_error("no workload matches '" + filter + "'");
  nlohmann::json names = nlohmann::json::array();
  for (const Workload* w : *selected) {
    try {
      for (int i = 0; i < kVerifyRepetitions; ++i) w->run_once(Mode::kVerify);
    } catch (const std::exception& e) {
      std::cerr << "alloclab-runner: verify failed: " << e.what() << '\n';
      return kExitFailed;
    }
    names.push_back(w->name);
  }
  std::cout << nlohmann::json{{"verified", names}}.dump() << '\n';
  return 0;
}

struct FixedRun {
  const Workload* workload;
  uint64_t iterations;
  RunResult result;
};

void run_fixed_iterations(void* arg) {
  auto* run = static_cast<FixedRun*>(arg);
  for (uint64_t i = 0; i < run->iterations; ++i) {
    run->result += run->workload->run_once(Mode::kTimed);
  }
}

// This process's peak resident set (VmHWM), in KiB; 0 if unknown. The harness prefers it to
// wait4's ru_maxrss, which Linux carries over from the parent that forked the child: every
// child of a 16 MiB harness "peaked" at 16 MiB, so small workloads showed the harness's RSS.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

int run_fixed(const Workload& w, uint64_t iterations) {
  FixedRun run{&w, iterations, {}};
  alloclab::workloads::set_thread_body_runner(&alloclab_measured_region);
  try {
    alloclab_measured_region(&run_fixed_iterations, &run);
  } catch (const std::exception& e) {
    std::cerr << "alloclab-runner: " << e.what() << '\n';
    return kExitFailed;
  }
  const RunResult& r = run.result;
  const nlohmann::json out = {{"workload", w.name},
                              {"iterations", iterations},
                              {"mallocs", r.mallocs},
                              {"frees", r.frees},
                              {"reallocs", r.reallocs},
                              {"malloc_provider", malloc_provider()},
                              {"alloclab_variant", call_alloclab("alloclab_variant").value_or("")}};
  std::cout << out.dump() << '\n';
  return 0;
}

void run_benchmark(benchmark::State& state, const Workload& w) {
  uint64_t mallocs = 0;
  uint64_t frees = 0;
  for (auto _ : state) {
    try {
      const RunResult r = w.run_once(Mode::kTimed);
      mallocs += r.mallocs;
      frees += r.frees;
    } catch (const std::exception& e) {
      g_workload_failed = true;
      std::cerr << "alloclab-runner: " << e.what() << '\n';
      state.SkipWithError(e.what());
      break;
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(mallocs));
  state.counters["mallocs"] = benchmark::Counter(static_cast<double>(mallocs));
  state.counters["frees"] = benchmark::Counter(static_cast<double>(frees));
  state.counters["mallocs_per_run"] =
      benchmark::Counter(static_cast<double>(mallocs), benchmark::Counter::kAvgIterations);
  if (const long hwm = peak_rss_kib(); hwm > 0)
    state.counters["peak_rss_kib"] = benchmark::Counter(static_cast<double>(hwm));
}

// Benchmark names each run "NAME/real_time" because the benchmarks use real time; the
// harness wants the workload's name alone, so reporters drop that part of the name
// (BenchmarkName exists so that its parts can be cleared this way).
template <class Base>
class WorkloadNamed : public Base {
 public:
  using Base::Base;
  void ReportRuns(const std::vector<benchmark::BenchmarkReporter::Run>& runs) override {
    std::vector<benchmark::BenchmarkReporter::Run> renamed = runs;
    for (auto& run : renamed) run.run_name.time_type.clear();
    Base::ReportRuns(renamed);
  }
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // CSVReporter
std::unique_ptr<benchmark::BenchmarkReporter> make_reporter(const std::string& format, bool for_terminal,
                                                            bool tabular) {
  using Console = benchmark::ConsoleReporter;
  if (format == "json") return std::make_unique<WorkloadNamed<benchmark::JSONReporter>>();
  if (format == "csv") return std::make_unique<WorkloadNamed<benchmark::CSVReporter>>();
  if (format == "console") {
    int options = Console::OO_None;
    if (for_terminal) options |= Console::OO_Color;
    if (tabular) options |= Console::OO_Tabular;
    return std::make_unique<WorkloadNamed<Console>>(static_cast<Console::OutputOptions>(options));
  }
  return nullptr;
}
#pragma GCC diagnostic pop

// Writes atomically (temporary file, then rename) so a reader never sees half a file.
bool write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!(f << text << '\n')) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// noipa: called from run_shifted() only, never inlined into it, so its frame (and the frame of
// address_layout(), which records the stack address) sits right below run_shifted's alloca.
__attribute__((noipa)) int run_benchmarks(Options& opt) {
  int bench_argc = static_cast<int>(opt.pass_on.size()) - 1;
  benchmark::Initialize(&bench_argc, opt.pass_on.data());
  if (benchmark::ReportUnrecognizedArguments(bench_argc, opt.pass_on.data())) return kExitUsage;

  const std::string color = flag_or(opt, "benchmark_color", "auto");
  const bool tabular = flag_or(opt, "benchmark_counters_tabular", "false") == "true";
  const std::string format = flag_or(opt, "benchmark_format", "console");
  auto display = make_reporter(format, format == "console" && color != "false" && isatty(STDOUT_FILENO) != 0, tabular);
  if (!display) return usage_error("unknown --benchmark_format '" + format + "'");
  std::unique_ptr<benchmark::BenchmarkReporter> file;
  if (!flag_or(opt, "benchmark_out", "").empty()) {
    const std::string out_format = flag_or(opt, "benchmark_out_format", "json");
    file = make_reporter(out_format, false, tabular);
    if (!file) return usage_error("unknown --benchmark_out_format '" + out_format + "'");
  }

  // The runner filters, not Benchmark: Benchmark would match the regex against
  // "NAME/real_time", so '^NAME$' would select nothing. Only the selected workloads are
  // registered, with Benchmark's filter semantics (see select_workloads()).
  const auto selected = select_workloads(opt.filter);
  if (!selected) return usage_error("invalid --benchmark_filter regex '" + opt.filter + "'");
  if (selected->empty()) return usage_error("no workload matches '" + opt.filter + "'");
  if (const std::string list = flag_or(opt, "benchmark_list_tests", "false");
      list == "true" || list == "1") {  // Benchmark would print "NAME/real_time"
    for (const Workload* w : *selected) std::cout << w->name << '\n';
    return 0;
  }
  for (const Workload* w : *selected) {
    benchmark::RegisterBenchmark(w->name.c_str(), [w](benchmark::State& state) {
      run_benchmark(state, *w);
    })->UseRealTime();
  }
  benchmark::AddCustomContext("malloc_provider", malloc_provider());
  benchmark::AddCustomContext("address_layout", address_layout());
  benchmark::AddCustomContext("alloclab_variant", call_alloclab("alloclab_variant").value_or(""));

  const size_t ran = benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  benchmark::Shutdown();
  if (ran == 0) return usage_error("no benchmark ran");

  if (!opt.stats_out.empty()) {
    if (auto stats = call_alloclab("alloclab_stats")) {
      if (!write_file(opt.stats_out, *stats)) {
        std::cerr << "alloclab-runner: cannot write " << opt.stats_out << '\n';
        return kExitIo;
      }
    }
  }
  return g_workload_failed ? kExitFailed : 0;
}

// Runs the benchmarks with the stack moved down by opt.stack_shift bytes: an alloca of that
// size (0 included, so both paths are the same code) that the empty asm makes observable, so
// the compiler can neither drop it nor turn the call into a tail call that would undo it.
__attribute__((noipa)) int run_shifted(Options& opt) {
  void* pad = alloca(opt.stack_shift);
  asm volatile("" : : "r"(pad) : "memory");
  const int rc = run_benchmarks(opt);
  asm volatile("" : : "r"(pad) : "memory");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (auto code = parse(argc, argv, opt)) return *code;

  if (opt.help) std::cout << kUsage << '\n';  // then Benchmark prints its own flags
  if (opt.list) return run_list();

  const Workload* chosen = nullptr;
  if (!opt.workload.empty()) {
    chosen = alloclab::workloads::find_workload(opt.workload);
    if (chosen == nullptr) {
      return usage_error("unknown workload '" + opt.workload + "' (--list shows them)");
    }
  }
  if (opt.fixed_iterations) {
    if (chosen == nullptr) return usage_error("--fixed-iterations needs --workload=NAME");
    return run_fixed(*chosen, *opt.fixed_iterations);
  }
  // --workload selects exactly that workload, whatever --benchmark_filter says.
  if (chosen != nullptr) opt.filter = "^" + chosen->name + "$";
  if (opt.verify) return run_verify(opt.filter);
  return run_shifted(opt);
}
