// Real programs as workloads: the exit probe with real processes (glibc and an alloclab
// variant preloaded), the probe-record checks, the output and exit-status checks, the suite's
// data file and names, and `run --workloads real` / `exec` through the scheduler with the fake
// process runner (same rounds, samples and results file as the runner's workloads).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "analysis/summary.h"
#include "core/error.h"
#include "io/results_json.h"
#include "io/schema_validator.h"
#include "run/probe_check.h"
#include "run/real_cell.h"
#include "run/real_programs.h"
#include "test_util.h"
#include "verbs/exec.h"
#include "verbs/run.h"

namespace alloclab::harness {
namespace {

using testing::FakeProcessRunner;
using testing::TempDir;

AllocatorSpec glibc() {
  AllocatorSpec a;
  a.name = "glibc";
  a.kind = AllocatorKind::peer;
  return a;
}

AllocatorSpec baseline() {
  AllocatorSpec a;
  a.name = "baseline";
  a.kind = AllocatorKind::variant;
  a.library = ALLOCLAB_BASELINE_LIB;
  a.expected_variant = "baseline";
  return a;
}

WorkloadSpec batch(const std::vector<std::string>& argv, bool deterministic = true) {
  WorkloadSpec w;
  w.name = "real:t";
  w.kind = "real";
  w.metric = "runs_per_sec";
  w.params = {{"name", "t"}, {"argv", argv}, {"deterministic", deterministic}};
  return w;
}

RealRun run_real(const AllocatorSpec& a, const WorkloadSpec& w, const RealReference* ref = nullptr) {
  PosixProcessRunner pr;
  return run_real_program(a, w, RealRunSettings{ALLOCLAB_PROBE, 30}, ref, pr);
}

// --- the probe with real processes ---------------------------------------------------------------

TEST(RealProgram, GlibcRunIsProvenByTheProbeAndMeasured) {
  RealRun r = run_real(glibc(), batch({"/bin/echo", "hello"}));
  ASSERT_EQ(r.sample.status, Status::ok) << r.sample.error;
  EXPECT_EQ(r.output, "hello\n");
  EXPECT_GT(r.sample.mallocs_per_sec, 0);
  EXPECT_NEAR(r.sample.ns_per_op, r.sample.wall_s * 1e9, 1);
  EXPECT_TRUE(r.sample.user_s.has_value());
  EXPECT_TRUE(r.sample.sys_s.has_value());
  EXPECT_EQ(r.sample.exit_status, 0);
  ASSERT_TRUE(r.sample.processes.has_value());
  ASSERT_GE(r.sample.processes->size(), 1u);
  EXPECT_NE((*r.sample.processes)[0]["malloc_provider"].get<std::string>().find("libc.so"), std::string::npos);
  EXPECT_TRUE((*r.sample.processes)[0]["alloclab_variant"].is_null());
}

TEST(RealProgram, EveryProcessOfAForkingProgramIsCheckedUnderTheVariant) {
  // sh (dash ends in _exit: no record of its own) runs three children that exit normally and
  // each bind the variant's malloc.
  RealRun r = run_real(baseline(), batch({"/bin/sh", "-c", "/bin/echo a; /bin/echo b | /bin/cat"}));
  ASSERT_EQ(r.sample.status, Status::ok) << r.sample.error;
  EXPECT_EQ(r.output, "a\nb\n");
  ASSERT_TRUE(r.sample.processes.has_value());
  EXPECT_GE(r.sample.processes->size(), 3u);
  for (const auto& p : *r.sample.processes) {
    EXPECT_EQ(p["malloc_provider"].get<std::string>(), ALLOCLAB_BASELINE_LIB);
    EXPECT_EQ(p["alloclab_variant"].value("name", ""), "baseline");
  }
}

TEST(RealProgram, AProgramThatLeavesNoProbeRecordIsNotAMeasurement) {
  // dash ends in _exit: its exit-time code never runs, so nothing proves which malloc answered.
  RealRun r = run_real(glibc(), batch({"/bin/sh", "-c", ":"}));
  EXPECT_EQ(r.sample.status, Status::failed);
  EXPECT_NE(r.sample.error.find("no process wrote an exit-probe record"), std::string::npos) << r.sample.error;
  RealRun k = run_real(glibc(), batch({"/bin/sh", "-c", "kill -KILL $$"}));
  EXPECT_EQ(k.sample.status, Status::crashed) << k.sample.error;
}

TEST(RealProgram, WrongExpectedAllocatorFailsTheCell) {
  // The variant is preloaded, but the cell claims glibc: the probe shows otherwise.
  AllocatorSpec lie = glibc();
  PosixProcessRunner pr;
  ProbeDir dir;
  ChildSpec spec;
  spec.argv = {"/bin/ls", "/"};  // ls allocates (opendir), so alloclab answers at least once
  apply_probed_preload(baseline(), ALLOCLAB_PROBE, dir.path(), spec);
  ChildResult c = pr.run(spec);
  ASSERT_EQ(c.exit_code, 0);
  auto records = read_probe_records(dir.path());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(check_probe_records(baseline(), records), "");
  EXPECT_NE(check_probe_records(lie, records).find("expected glibc"), std::string::npos)
      << check_probe_records(lie, records);
}

TEST(RealProgram, AProgramThatNeverAllocatedDoesNotProveThePreload) {
  // /bin/true binds malloc to the preloaded library but never calls it: heaps_created is 0.
  PosixProcessRunner pr;
  ProbeDir dir;
  ChildSpec spec;
  spec.argv = {"/bin/true"};
  apply_probed_preload(baseline(), ALLOCLAB_PROBE, dir.path(), spec);
  ASSERT_EQ(pr.run(spec).exit_code, 0);
  auto records = read_probe_records(dir.path());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(check_probe_records(baseline(), records).find("heaps_created 0"), std::string::npos)
      << check_probe_records(baseline(), records);
}

TEST(RealProgram, OutputAndExitStatusAreComparedWithTheReference) {
  RealReference ref;
  ref.output = "hello\n";
  RealRun same = run_real(baseline(), batch({"/bin/echo", "hello"}), &ref);
  EXPECT_EQ(same.sample.status, Status::ok) << same.sample.error;
  EXPECT_EQ(same.sample.output_matches, true);
  RealRun other = run_real(baseline(), batch({"/bin/echo", "hellO"}), &ref);
  EXPECT_EQ(other.sample.status, Status::failed);
  EXPECT_EQ(other.sample.output_matches, false);
  EXPECT_NE(other.sample.error.find("byte 4"), std::string::npos) << other.sample.error;
  RealRun loose = run_real(baseline(), batch({"/bin/echo", "hellO"}, false), &ref);
  EXPECT_EQ(loose.sample.status, Status::ok) << loose.sample.error;
  EXPECT_FALSE(loose.sample.output_matches.has_value());
  RealRun bad_exit = run_real(baseline(), batch({"/bin/sh", "-c", "echo hello; exit 4"}), &ref);
  EXPECT_EQ(bad_exit.sample.status, Status::failed);
  EXPECT_NE(bad_exit.sample.error.find("exit status 4"), std::string::npos) << bad_exit.sample.error;
}

TEST(RealProgram, AMissingBinaryIsUnavailableNotDropped) {
  RealRun r = run_real(glibc(), batch({"/nonexistent/redis-server"}));
  EXPECT_EQ(r.sample.status, Status::failed);
  EXPECT_NE(r.sample.error.find("unavailable: /nonexistent/redis-server: not found"), std::string::npos)
      << r.sample.error;
}

// --- probe records (synthetic) -------------------------------------------------------------------

json record(const std::string& provider, const json& variant = nullptr, const json& stats = nullptr) {
  return {{"pid", 7},
          {"exe", "/usr/bin/x"},
          {"malloc_provider", provider},
          {"alloclab_variant", variant},
          {"process_stats", stats}};
}

TEST(ProbeRecords, AllMustPointAtTheAllocatorAndAnAlloclabOneMustHaveMadeAHeap) {
  const std::string lib = ALLOCLAB_BASELINE_LIB;
  const json v = {{"name", "baseline"}, {"stats", false}};
  EXPECT_NE(check_probe_records(baseline(), {}).find("no process"), std::string::npos);
  EXPECT_EQ(check_probe_records(baseline(), {record(lib, v)}), "");  // no process stats: not required
  EXPECT_EQ(check_probe_records(baseline(), {record(lib, v, {{"heaps_created", 2}, {"segments_mapped", 1}})}), "");
  EXPECT_NE(check_probe_records(baseline(), {record(lib, v, {{"heaps_created", 0}, {"segments_mapped", 0}})})
                .find("heaps_created 0"),
            std::string::npos);
  // One child of many bound glibc's malloc: the cell fails, naming it.
  std::string why = check_probe_records(baseline(), {record(lib, v), record(testing::kLibc)});
  EXPECT_NE(why.find("/usr/bin/x"), std::string::npos) << why;
  EXPECT_NE(why.find("preload did not take effect"), std::string::npos) << why;
  EXPECT_EQ(check_probe_records(glibc(), {record(testing::kLibc)}), "");
  EXPECT_NE(check_probe_records(glibc(), {record(testing::kLibc, v)}), "");
}

// --- the suite file ------------------------------------------------------------------------------

TEST(RealSuite, TheCommittedFileDeclaresTheFiveProgramsAndNamesSelectThem) {
  RealPaths paths = default_real_paths();
  auto all = select_real_programs(paths, {"real"});
  std::set<std::string> names;
  for (const auto& w : all) {
    names.insert(w.name);
    EXPECT_EQ(w.kind, "real");
    RealProgram p = parse_real_program(w.params);
    EXPECT_EQ(w.metric, p.server ? "requests_per_sec" : "runs_per_sec");
    for (const auto& a : p.argv) EXPECT_EQ(a.find("{dir}"), std::string::npos) << a;  // expanded
  }
  EXPECT_EQ(names, (std::set<std::string>{"real:python3", "real:sqlite3", "real:lua5.4", "real:g++", "real:redis"}));
  auto two = select_real_programs(paths, {"real:sqlite3", "real:lua5.4", "real:sqlite3"});
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].name, "real:sqlite3");
  try {
    select_real_programs(paths, {"real:nope"});
    ADD_FAILURE() << "an unknown real program was accepted";
  } catch (const HarnessError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("real:sqlite3"), std::string::npos) << e.what();
  }
}

TEST(RealSuite, MalformedDeclarationsAreInputErrors) {
  EXPECT_THROW(parse_real_program(json{{"name", "x"}}), HarnessError);                                       // no argv
  EXPECT_THROW(parse_real_program(json{{"name", "x"}, {"argv", {"a"}}, {"kind", "daemon"}}), HarnessError);  // kind
  EXPECT_THROW(parse_real_program(json{{"name", "x"}, {"argv", {"a"}}, {"kind", "server"}}), HarnessError);  // no load
  TempDir dir;
  testing::write_text(dir.file("p.json"), "{\"programs\": 3}");
  EXPECT_THROW(select_real_programs({dir.file("p.json"), "/b", "/s"}, {"real"}), HarnessError);
}

// --- through the scheduler (fake runner) ---------------------------------------------------------

std::string manifest(const TempDir& dir) {
  const std::string path = dir.file("manifest.json");
  testing::write_text(path, R"({"schema_version":1,"factors":[],"variants":[
    {"name":"baseline","library":"/fake/liballoclab-baseline.so","stats_library":"/fake/s.so","options":{},"sets":["default"]},
    {"name":"all","library":"/fake/liballoclab-all.so","stats_library":"/fake/s2.so","options":{},"sets":["default"]}]})");
  return path;
}

FakeProcessRunner fake() {
  FakeProcessRunner f;
  f.variants["/fake/liballoclab-baseline.so"] = "baseline";
  f.variants["/fake/liballoclab-all.so"] = "all";
  f.speed["/fake/liballoclab-all.so"] = 2e8;  // twice as fast: wall 0.5 s vs 1 s
  return f;
}

RunArgs real_args(const TempDir& dir, int rounds) {
  RunArgs a = testing::fake_run_args(dir, manifest(dir), rounds);
  a.peers = "glibc";
  testing::write_text(dir.file("programs.json"), R"({"programs":[
    {"name":"one","argv":["/bin/sh","-c","one"]},
    {"name":"two","argv":["/bin/sh","-c","two"],"deterministic":false}]})");
  a.real_programs = dir.file("programs.json");
  a.probe = "/fake/probe.so";
  return a;
}

TEST(RealWorkloads, RunRealSchedulesShuffledRoundsWithoutTheRunner) {
  TempDir dir;
  FakeProcessRunner f = fake();
  RunArgs a = real_args(dir, 3);
  a.workloads = "real";
  ASSERT_EQ(run_verb(a, {"harness", "run"}, f), kExitOk);
  EXPECT_EQ(f.count("list"), 0u);  // only real programs: the runner is never asked
  RunResults r = load_results(a.out);
  ASSERT_EQ(r.workloads.size(), 2u);
  EXPECT_EQ(r.workloads[0].name, "real:one");
  EXPECT_EQ(r.workloads[0].metric, "runs_per_sec");
  EXPECT_EQ(r.samples.size(), 3u * 2u * 3u);  // allocators × workloads × rounds
  for (const auto& s : r.samples) {
    EXPECT_EQ(s.status, Status::ok) << s.allocator << "/" << s.workload << ": " << s.error;
    EXPECT_TRUE(s.user_s && s.sys_s && s.exit_status && s.processes);
    EXPECT_EQ(s.output_matches.has_value(), s.workload == "real:one");  // two is not deterministic
  }
  // The table's ratios are per round: all is twice as fast as baseline.
  auto cells = summarize_run(r);
  const CellSummary* c = find_cell(cells, "all", "real:one");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(c->ratio_to("baseline"), nullptr);
  EXPECT_NEAR(c->ratio_to("baseline")->est.ratio, 2.0, 1e-9);
  // Children: 2 glibc references + 3 × 2 verify runs + 3 × 2 × 3 rounds; every one preloads the probe.
  EXPECT_EQ(f.real_specs.size(), 2u + 6u + 18u);
  for (const auto& spec : f.real_specs) {
    std::string preload;
    for (const auto& [k, v] : spec.env_set)
      if (k == "LD_PRELOAD") preload = v;
    EXPECT_TRUE(preload == "/fake/probe.so" || preload.size() > 15) << preload;
    EXPECT_EQ(preload.substr(preload.size() - 14), "/fake/probe.so");
  }
}

TEST(RealWorkloads, AnOutputMismatchFailsOnlyThatAllocatorsCell) {
  TempDir dir;
  FakeProcessRunner f = fake();
  f.real_output["/fake/liballoclab-all.so"] = "something else\n";
  RunArgs a = real_args(dir, 2);
  a.workloads = "real:one,real:two";
  EXPECT_EQ(run_verb(a, {"harness", "run"}, f), kExitFailures);
  RunResults r = load_results(a.out);
  bool all_one_failed = false;
  for (const auto& fl : r.failures) {
    if (fl.allocator == "all" && fl.workload == "real:one") {
      all_one_failed = true;
      EXPECT_NE(fl.error.find("output differs"), std::string::npos) << fl.error;
    } else {
      ADD_FAILURE() << "unexpected failure " << fl.allocator << "/" << fl.workload << ": " << fl.error;
    }
  }
  EXPECT_TRUE(all_one_failed);
}

TEST(RealWorkloads, NoProbeRecordIsAFailedCellNeverAMeasurement) {
  TempDir dir;
  FakeProcessRunner f = fake();
  f.real_probe_writes = false;
  RunArgs a = real_args(dir, 2);
  a.workloads = "real:one";
  EXPECT_EQ(run_verb(a, {"harness", "run"}, f), kExitFailures);
  RunResults r = load_results(a.out);
  for (const auto& s : r.samples) EXPECT_NE(s.status, Status::ok);
}

TEST(RealWorkloads, ExecIsRunWithOneRealWorkloadAndTheResultsFileOfRun) {
  TempDir dir;
  FakeProcessRunner f = fake();
  ExecArgs e;
  e.selection = real_args(dir, 2);
  e.selection.peers = "none";  // glibc is added anyway
  e.selection.variants = "baseline,all";
  e.command = {"/bin/sh", "-c", "x"};
  ASSERT_EQ(exec_verb(e, {"harness", "exec"}, f), kExitOk);
  RunResults r = load_results(e.selection.out);
  ASSERT_EQ(r.workloads.size(), 1u);
  EXPECT_EQ(r.workloads[0].name, "exec:sh");
  EXPECT_NE(r.find_allocator("glibc"), nullptr);
  EXPECT_EQ(r.samples.size(), 3u * 2u);
  EXPECT_EQ(r.rounds_completed, 2);
  auto errors = validate_json(json::parse(testing::read_text(e.selection.out)), results_schema());
  EXPECT_TRUE(errors.empty()) << errors.front();
}

TEST(RealWorkloads, ExecComparesOutputUnlessTold) {
  TempDir dir;
  FakeProcessRunner f = fake();
  f.real_output["/fake/liballoclab-all.so"] = "varies\n";
  ExecArgs e;
  e.selection = real_args(dir, 1);
  e.command = {"/bin/sh"};
  EXPECT_EQ(exec_verb(e, {"harness", "exec"}, f), kExitFailures);
  e.check_output = false;
  e.selection.out = dir.file("results/nocheck.json");
  EXPECT_EQ(exec_verb(e, {"harness", "exec"}, f), kExitOk);
}

TEST(RealWorkloads, ExecOfACommandThatCannotStartIsExit2BeforeAnythingRuns) {
  TempDir dir;
  testing::write_text(dir.file("not-executable"), "#!/bin/sh\n");
  for (const std::string cmd : {std::string("/no/such/program"), std::string("no-such-program-in-path-xyz"),
                                dir.file("not-executable"), dir.path()}) {
    FakeProcessRunner f = fake();
    ExecArgs e;
    e.selection = real_args(dir, 1);
    e.command = {cmd};
    try {
      exec_verb(e, {"harness", "exec"}, f);
      ADD_FAILURE() << cmd << " was accepted";
    } catch (const HarnessError& err) {
      EXPECT_EQ(err.exit_code(), kExitUsage);
      EXPECT_NE(std::string(err.what()).find("cannot start"), std::string::npos) << err.what();
    }
    EXPECT_TRUE(f.calls.empty()) << cmd;
  }
}

TEST(RealWorkloads, ExecEndToEndWithRealProcessesWritesARunFile) {
  // The real CLI, the real process runner, the build's probe: /bin/echo under glibc and baseline.
  TempDir dir;
  const std::string out = dir.file("exec.json");
  ASSERT_EQ(testing::cli({"exec", "--variants", "none", "--allocator", std::string("mine=") + ALLOCLAB_BASELINE_LIB,
                          "--rounds", "2", "--seed", "1", "--style", "plain", "--out", out, "--", "/bin/echo", "hi"}),
            kExitOk);
  RunResults r = load_results(out);
  EXPECT_TRUE(r.complete);
  ASSERT_EQ(r.samples.size(), 4u);  // glibc and mine, 2 rounds
  for (const auto& s : r.samples) {
    EXPECT_EQ(s.status, Status::ok) << s.allocator << ": " << s.error;
    EXPECT_EQ(s.output_matches, true);
    EXPECT_EQ(s.exit_status, 0);
    ASSERT_TRUE(s.processes && !s.processes->empty());
    const std::string provider = (*s.processes)[0]["malloc_provider"].get<std::string>();
    if (s.allocator == "mine")
      EXPECT_EQ(provider, ALLOCLAB_BASELINE_LIB);
    else
      EXPECT_NE(provider.find("libc.so"), std::string::npos) << provider;
  }
}

}  // namespace
}  // namespace alloclab::harness
