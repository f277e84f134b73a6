// test_util.h — shared helpers for the harness tests: a fake ProcessRunner that answers like
// alloclab-runner (no fork, no timing), temp directories, synthetic results, the CLI entry point.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli.h"
#include "core/types.h"
#include "run/measurement.h"
#include "run/process_runner.h"
#include "verbs/run.h"

namespace alloclab::harness::testing {

namespace fs = std::filesystem;

inline constexpr const char* kLibc = "/lib/x86_64-linux-gnu/libc.so.6";

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "alloclab-harness-test-XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What the fake does for one call.
enum class Behaviour { ok, crash, timeout, malformed, wrong_provider, verify_fail, interrupt };

struct FakeCall {
  std::string mode;  // list | verify | measure
  std::string library, workload;
  std::string min_time;
  std::string stack_shift;  // --alloclab-stack-shift value, "" when not passed
};

// Answers like alloclab-runner. The library in LD_PRELOAD decides the allocator: `variants`
// maps a library path to the name alloclab_variant() reports ("" = not alloclab).
class FakeProcessRunner : public ProcessRunner {
 public:
  std::vector<FakeCall> calls;
  std::map<std::string, std::string> variants;                         // library -> variant name
  std::map<std::string, double> speed;                                 // library -> mallocs/sec (default 1e8)
  std::map<std::pair<std::string, std::string>, Behaviour> behaviour;  // (library, workload) for measure
  std::map<std::pair<std::string, std::string>, Behaviour> verify_behaviour;
  std::string list_json =
      R"([{"name":"w1","family":"f","description":"one","default":true,"threads":1,"params":{"size":16}},)"
      R"({"name":"w2","family":"f","description":"two","default":true,"threads":1,"params":{"size":64}},)"
      R"({"name":"w3","family":"g","description":"three","default":false,"threads":2,"params":{}}])";
  int interrupt_at_measure = -1;  // request an interrupt on the Nth measure call (0-based)
  // Real-program children (ALLOCLAB_PROBE_DIR set): stdout per preloaded library ("" = glibc;
  // default "real output\n"), and whether the exit probe writes its record.
  std::map<std::string, std::string> real_output;
  bool real_probe_writes = true;
  std::vector<ChildSpec> real_specs;  // every real-program child, in order
  bool write_stats = true;
  std::vector<bool> aslr_calls;  // set_child_aslr arguments, in order

  std::string set_child_aslr(bool enabled) override {
    aslr_calls.push_back(enabled);
    return {};
  }

  ChildResult real_program(const ChildSpec& spec, const std::string& preload, const std::string& probe_dir);

  std::size_t count(const std::string& mode) const {
    std::size_t n = 0;
    for (const auto& c : calls) n += c.mode == mode;
    return n;
  }

  ChildResult run(const ChildSpec& spec) override {
    FakeCall call;
    std::string stats_out;
    for (const auto& a : spec.argv) {
      if (a == "--list") call.mode = "list";
      if (a == "--verify") call.mode = "verify";
      if (a.rfind("--benchmark_filter=^", 0) == 0) call.workload = a.substr(20, a.size() - 21);
      if (a.rfind("--benchmark_min_time=", 0) == 0) call.min_time = a.substr(21);
      if (a.rfind("--alloclab-stats-out=", 0) == 0) stats_out = a.substr(21);
      if (a.rfind("--alloclab-stack-shift=", 0) == 0) call.stack_shift = a.substr(23);
    }
    if (call.mode.empty()) call.mode = "measure";
    std::string probe_dir;
    for (const auto& [k, v] : spec.env_set) {
      if (k == "LD_PRELOAD") call.library = v;
      if (k == "ALLOCLAB_PROBE_DIR") probe_dir = v;
    }
    if (!probe_dir.empty()) return real_program(spec, call.library, probe_dir);
    calls.push_back(call);

    ChildResult r;
    r.started = true;
    r.exit_code = 0;
    r.wall_s = 0.01;
    r.peak_rss_kib = 4000;
    r.minflt = 100;
    if (call.mode == "list") {
      r.out = list_json;
      return r;
    }
    auto key = std::make_pair(call.library, call.workload);
    if (call.mode == "verify") {
      auto it = verify_behaviour.find(key);
      if (it != verify_behaviour.end() && it->second == Behaviour::verify_fail) {
        r.exit_code = 3;
        r.err = "verify: block 7 corrupted";
        return r;
      }
      r.out = fmt::format(R"({{"verified":["{}"]}})", call.workload);
      return r;
    }
    int index = static_cast<int>(count("measure")) - 1;
    if (index == interrupt_at_measure) {
      request_interrupt();
      r.interrupted = true;
      r.exit_code = -1;
      r.term_signal = 9;
      return r;
    }
    Behaviour b = Behaviour::ok;
    if (auto it = behaviour.find(key); it != behaviour.end()) b = it->second;
    switch (b) {
      case Behaviour::crash:
        r.exit_code = -1;
        r.term_signal = 11;
        r.err = "boom";
        return r;
      case Behaviour::timeout:
        r.timed_out = true;
        r.exit_code = -1;
        r.term_signal = 9;
        return r;
      case Behaviour::malformed: r.out = "{\"context\": {"; return r;
      default: break;
    }
    std::string provider = call.library.empty() ? kLibc : call.library;
    if (b == Behaviour::wrong_provider) provider = kLibc;
    std::string variant;
    if (auto it = variants.find(call.library); it != variants.end() && b != Behaviour::wrong_provider)
      variant = json({{"name", it->second}, {"stats", !stats_out.empty()}}).dump();
    double ips = speed.count(call.library) ? speed[call.library] : 1e8;
    // Warm-up runs (shorter min_time) report an absurd speed: they must never show up.
    if (call.min_time == "0.001") ips = 1;
    json out = {{"context", {{"malloc_provider", provider}, {"alloclab_variant", variant}}},
                {"benchmarks",
                 {{{"name", call.workload},
                   {"iterations", 1000},
                   {"real_time", 1e9 / ips * 1000},
                   {"cpu_time", 1e9 / ips * 1000},
                   {"time_unit", "ns"},
                   {"items_per_second", ips}}}}};
    r.out = out.dump();
    if (!stats_out.empty() && write_stats)
      write_text(stats_out,
                 R"({"variant":"x","stats_enabled":true,"counters":{"fast_allocs":900,"generic_calls":100}})");
    return r;
  }
};

inline ChildResult FakeProcessRunner::real_program(const ChildSpec& spec, const std::string& preload,
                                                   const std::string& probe_dir) {
  real_specs.push_back(spec);
  FakeCall call;
  call.mode = "real";
  // LD_PRELOAD = "<allocator> <probe>", or the probe alone for glibc.
  const auto space = preload.find(' ');
  call.library = space == std::string::npos ? "" : preload.substr(0, space);
  calls.push_back(call);
  ChildResult r;
  r.started = true;
  r.exit_code = 0;
  r.wall_s = speed.count(call.library) ? 1e8 / speed[call.library] : 1.0;
  r.user_s = 0.5;
  r.sys_s = 0.1;
  r.peak_rss_kib = 5000;
  r.out = real_output.count(call.library) ? real_output[call.library] : "real output\n";
  if (real_probe_writes) {
    json rec = {{"pid", 4242},
                {"exe", spec.argv.empty() ? "" : spec.argv[0]},
                {"malloc_provider", call.library.empty() ? kLibc : call.library},
                {"alloclab_variant", nullptr},
                {"process_stats", nullptr}};
    if (auto it = variants.find(call.library); it != variants.end()) {
      rec["alloclab_variant"] = {{"name", it->second}, {"stats", false}};
      rec["process_stats"] = {{"heaps_created", 1}, {"segments_mapped", 2}};
    }
    write_text(probe_dir + "/probe-4242.json", rec.dump());
  }
  return r;
}

// RunArgs for `prepare_run` / `run_verb` against FakeProcessRunner: the given manifest, no peers,
// no file checks (the fake answers for /bin/sh and the /fake libraries), plain output, results
// under `dir`.
inline RunArgs fake_run_args(const TempDir& dir, const std::string& manifest, int rounds) {
  RunArgs a;
  a.manifest = manifest;
  a.runner = "/bin/sh";  // must exist; the fake answers in its place
  a.check_files = false;
  a.peers = "none";
  a.rounds = rounds;
  a.seed = 5;
  a.out = dir.file("results/run.json");
  a.style.plain = true;
  PeerSearch ps;
  ps.use_ldconfig = false;
  a.peer_search = ps;
  return a;
}

// What cli() captures of the harness's own output (file descriptors 1 and 2, so children's too).
enum class Capture { nothing, err, out_and_err };

struct CliRun {
  int code = -1;
  std::string out, err;  // "" unless captured
};

// `harness <args...>` through the real entry point, cli_main. The tests that go through the CLI
// all call it this one way (argv built from strings, null-terminated), so that is written once.
inline CliRun cli(std::vector<std::string> args, Capture capture) {
  args.insert(args.begin(), "harness");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const bool out = capture == Capture::out_and_err, err = capture != Capture::nothing;
  if (out) ::testing::internal::CaptureStdout();
  if (err) ::testing::internal::CaptureStderr();
  CliRun r;
  r.code = cli_main(static_cast<int>(args.size()), argv.data());
  std::fflush(stdout);
  std::fflush(stderr);
  if (out) r.out = ::testing::internal::GetCapturedStdout();
  if (err) r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

// The exit code alone, nothing captured.
inline int cli(std::vector<std::string> args) { return cli(std::move(args), Capture::nothing).code; }

}  // namespace alloclab::harness::testing
