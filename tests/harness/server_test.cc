// The server lifecycle of the real-program suite (run/server_run.h, run/real_cell.h) with real
// processes: a fake server and its fake clients (fake_server.cc), no redis. After every run —
// success, a crashing server, a server that never gets ready, a failing load generator, an
// interrupt — no process of the server's is left: the server is reaped (kill(pid, 0) fails)
// and the helper it forked into its process group is dead.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "run/probe_check.h"
#include "run/real_cell.h"
#include "run/real_programs.h"
#include "run/server_run.h"
#include "test_util.h"

namespace alloclab::harness {
namespace {

using testing::TempDir;

// Alive = exists and is not a zombie (an orphaned helper may wait to be reaped by init).
bool alive(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0) return errno != ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  return close == std::string::npos || close + 2 >= s.size() || s[close + 2] != 'Z';
}

// Bounded wait for the orphaned helper (killed with the group) to disappear: a kill is
// asynchronous. Not a timing assertion: 5 s is far beyond what a SIGKILL takes.
bool gone_soon(int pid) {
  for (int i = 0; i < 500 && alive(pid); ++i) ::usleep(10000);
  return !alive(pid);
}

struct Pids {
  int server = 0, helper = 0;
};
Pids read_pids(const std::string& file) {
  Pids p;
  std::ifstream in(file);
  in >> p.server >> p.helper;
  return p;
}

json server_decl(const TempDir& dir, const std::string& mode, const std::string& load_mode = "ok",
                 double ready_timeout = 10) {
  return {{"name", "fake"},
          {"kind", "server"},
          {"argv", {ALLOCLAB_FAKE_SERVER, "server", "{port}", mode, dir.file("pids")}},
          {"ready", {{"timeout_s", ready_timeout}}},
          {"load",
           {{"argv", {ALLOCLAB_FAKE_SERVER, "load", "{port}", "2000", load_mode}},
            {"throughput_regex", "([0-9.]+) requests per second"},
            {"combine", "first"}}},
          {"check", {{"argv", {ALLOCLAB_FAKE_SERVER, "check", "{port}"}}}},
          {"stop_grace_s", 2},
          {"workdir", "fresh"}};
}

WorkloadSpec workload_of(const json& decl) {
  WorkloadSpec w;
  w.name = "real:fake";
  w.kind = "real";
  w.metric = "requests_per_sec";
  w.params = decl;
  return w;
}

AllocatorSpec glibc() {
  AllocatorSpec a;
  a.name = "glibc";
  a.kind = AllocatorKind::peer;
  return a;
}

RealRun run_fake(const TempDir& dir, const json& decl, const RealReference* ref = nullptr) {
  PosixProcessRunner pr;
  RealRunSettings s{ALLOCLAB_PROBE, 20};
  return run_real_program(glibc(), workload_of(decl), s, ref, pr);
}

TEST(ServerRun, SuccessMeasuresRequestsPerSecondAndLeavesNoProcess) {
  TempDir dir;
  RealRun r = run_fake(dir, server_decl(dir, "ok"));
  ASSERT_EQ(r.sample.status, Status::ok) << r.sample.error;
  EXPECT_GT(r.sample.mallocs_per_sec, 0);  // requests/s of the load generator
  ASSERT_TRUE(r.output.has_value());
  EXPECT_EQ(*r.output, "count 2000\n");  // the check client saw the load's 2000 PINGs
  EXPECT_EQ(r.sample.exit_status, 0);    // exit(0) on SIGTERM
  ASSERT_TRUE(r.sample.processes.has_value());
  ASSERT_EQ(r.sample.processes->size(), 1u);  // the server's probe record (clients are not preloaded)
  Pids p = read_pids(dir.file("pids"));
  EXPECT_EQ((*r.sample.processes)[0].value("pid", 0), p.server);
  EXPECT_FALSE(alive(p.server));
  EXPECT_TRUE(gone_soon(p.helper));
}

TEST(ServerRun, OutputDifferentFromTheReferenceFailsTheCell) {
  TempDir dir;
  RealReference ref;
  ref.output = "count 1999\n";
  RealRun r = run_fake(dir, server_decl(dir, "ok"), &ref);
  EXPECT_EQ(r.sample.status, Status::failed);
  EXPECT_NE(r.sample.error.find("output differs"), std::string::npos) << r.sample.error;
  EXPECT_EQ(r.sample.output_matches, false);
}

TEST(ServerRun, ACrashingServerIsACrashedCellAndIsReaped) {
  TempDir dir;
  RealRun r = run_fake(dir, server_decl(dir, "crash"));
  EXPECT_EQ(r.sample.status, Status::crashed) << r.sample.error;
  EXPECT_NE(r.sample.error.find("SIGABRT"), std::string::npos) << r.sample.error;
  Pids p = read_pids(dir.file("pids"));
  EXPECT_FALSE(alive(p.server));
  EXPECT_TRUE(gone_soon(p.helper));
}

TEST(ServerRun, AServerThatNeverGetsReadyTimesOutAndIsKilled) {
  TempDir dir;
  RealRun r = run_fake(dir, server_decl(dir, "hang", "ok", 0.5));  // it also ignores SIGTERM
  EXPECT_EQ(r.sample.status, Status::timeout) << r.sample.error;
  EXPECT_NE(r.sample.error.find("not ready"), std::string::npos) << r.sample.error;
  Pids p = read_pids(dir.file("pids"));
  ASSERT_GT(p.server, 0);
  EXPECT_FALSE(alive(p.server));
  EXPECT_TRUE(gone_soon(p.helper));
}

TEST(ServerRun, AServerThatExitsBeforeItIsReadyFailsWithItsStatus) {
  TempDir dir;
  RealRun r = run_fake(dir, server_decl(dir, "exit3"));
  EXPECT_EQ(r.sample.status, Status::failed);
  EXPECT_NE(r.sample.error.find("status 3"), std::string::npos) << r.sample.error;
  EXPECT_TRUE(gone_soon(read_pids(dir.file("pids")).helper));
}

TEST(ServerRun, ALoadGeneratorFailureFailsTheCellAndStopsTheServer) {
  TempDir dir;
  RealRun r = run_fake(dir, server_decl(dir, "ok", "fail"));
  EXPECT_EQ(r.sample.status, Status::failed);
  EXPECT_NE(r.sample.error.find("load generator"), std::string::npos) << r.sample.error;
  Pids p = read_pids(dir.file("pids"));
  EXPECT_FALSE(alive(p.server));
  EXPECT_TRUE(gone_soon(p.helper));
}

TEST(ServerRun, AnInterruptStopsTheServerAndReportsTheInterrupt) {
  TempDir dir;
  install_interrupt_handlers();  // SIGINT sets the flag, as in the harness
  clear_interrupt();
  RealRun r = run_fake(dir, server_decl(dir, "ok", "interrupt"));  // the load generator sends SIGINT to us
  const bool interrupted = interrupt_requested();
  clear_interrupt();
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  EXPECT_TRUE(interrupted);
  EXPECT_TRUE(r.interrupted);
  Pids p = read_pids(dir.file("pids"));
  ASSERT_GT(p.server, 0);
  EXPECT_FALSE(alive(p.server));
  EXPECT_TRUE(gone_soon(p.helper));
}

TEST(ServerRun, AMissingServerBinaryIsAnUnavailableCellWithTheHint) {
  TempDir dir;
  json d = server_decl(dir, "ok");
  d["argv"][0] = dir.file("no-such-server");
  d["unavailable_hint"] = "build target redis-libc";
  RealRun r = run_fake(dir, d);
  EXPECT_EQ(r.sample.status, Status::failed);
  EXPECT_NE(r.sample.error.find("unavailable"), std::string::npos) << r.sample.error;
  EXPECT_NE(r.sample.error.find("redis-libc"), std::string::npos) << r.sample.error;
}

TEST(ServerRun, ThroughputParsing) {
  const std::string out = "SET: 100.00 requests per second\r\nGET: 300.00 requests per second\n";
  const std::string re = "([0-9.]+) requests per second";
  EXPECT_DOUBLE_EQ(*parse_throughput(out, re, "first"), 100);
  EXPECT_DOUBLE_EQ(*parse_throughput(out, re, "mean"), 200);
  EXPECT_DOUBLE_EQ(*parse_throughput(out, re, "sum"), 400);
  EXPECT_DOUBLE_EQ(*parse_throughput(out, re, "harmonic_mean"), 150);  // 2 / (1/100 + 1/300)
  EXPECT_FALSE(parse_throughput("nothing here", re, "first").has_value());
}

TEST(ServerRun, AFreeLoopbackPortIsNotListenedOn) {
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);
  EXPECT_FALSE(loopback_port_accepts(port));
}

}  // namespace
}  // namespace alloclab::harness
