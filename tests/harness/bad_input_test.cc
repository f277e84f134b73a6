// The harness under bad input: an --allocator library that is not a preloadable shared object
// exporting malloc is refused before anything runs, in the dynamic loader's own words; negative
// or out-of-range numbers are refused at parse time (never wrapped); `exec` of a command that
// cannot start is exit 2. Through the real CLI entry point (nothing is measured: every case
// stops before the first child) and through check_preloadable with real children.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "run/preload_check.h"
#include "run/process_runner.h"
#include "test_util.h"

namespace alloclab::harness {
namespace {

using testing::TempDir;

using testing::CliRun;

// The CLI with stderr captured (the messages are part of what is tested).
CliRun cli(std::vector<std::string> args) { return testing::cli(std::move(args), testing::Capture::err); }

// A selection that would measure only the given library: nothing else may run first.
std::vector<std::string> run_with_allocator(const std::string& lib) {
  return {"run",
          "--variants",
          "none",
          "--peers",
          "none",
          "--allocator",
          "mine=" + lib,
          "--workloads",
          "ping_pong_16",
          "--rounds",
          "1",
          "--out",
          "/nonexistent-dir/never-written.json"};
}

TEST(PreloadCheck, AnAllocatorLibraryPasses) {
  PosixProcessRunner pr;
  EXPECT_EQ(check_preloadable(ALLOCLAB_BASELINE_LIB, ALLOCLAB_PROBE, pr), "");
}

TEST(PreloadCheck, AnExecutableIsRefusedWithTheLoadersReason) {
  PosixProcessRunner pr;
  std::string why = check_preloadable("/bin/ls", ALLOCLAB_PROBE, pr);
  EXPECT_NE(why.find("dynamic loader cannot preload it"), std::string::npos) << why;
  EXPECT_NE(why.find("position-independent executable"), std::string::npos) << why;
}

TEST(PreloadCheck, ATextFileIsRefusedWithTheLoadersReason) {
  TempDir dir;
  testing::write_text(dir.file("lib.so"), std::string(4096, 'x') + "\nnot an ELF file\n");
  PosixProcessRunner pr;
  std::string why = check_preloadable(dir.file("lib.so"), ALLOCLAB_PROBE, pr);
  EXPECT_NE(why.find("invalid ELF header"), std::string::npos) << why;
}

TEST(PreloadCheck, ALibraryWithoutMallocIsRefused) {
  const std::string libz = find_shared_library({"libz.so.1"}, default_peer_search());
  ASSERT_FALSE(libz.empty()) << "libz.so.1 is not installed (zlib1g is part of every Debian system)";
  PosixProcessRunner pr;
  std::string why = check_preloadable(libz, ALLOCLAB_PROBE, pr);
  EXPECT_NE(why.find("does not export malloc"), std::string::npos) << why;
  EXPECT_NE(why.find("libc.so"), std::string::npos) << why;
}

TEST(BadInput, AllocatorThatIsNotAnAllocatorIsExit2BeforeAnythingRuns) {
  TempDir dir;
  testing::write_text(dir.file("text.so"), std::string(4096, 'x'));
  const std::string libz = find_shared_library({"libz.so.1"}, default_peer_search());
  for (const std::string& lib : {std::string("/bin/ls"), dir.file("text.so"), libz}) {
    CliRun r = cli(run_with_allocator(lib));
    EXPECT_EQ(r.code, kExitUsage) << lib << ": " << r.err;
    EXPECT_NE(r.err.find("--allocator mine=" + lib + ": not an allocator library"), std::string::npos) << r.err;
  }
  CliRun missing = cli(run_with_allocator(dir.file("missing.so")));
  EXPECT_EQ(missing.code, kExitUsage);
  EXPECT_NE(missing.err.find("not found"), std::string::npos) << missing.err;
}

TEST(BadInput, NegativeAndOutOfRangeNumbersAreRefusedAtParseTime) {
  // {the refused option, the arguments}. Every case also selects nothing to measure, so one
  // the parser let through would stop at "no allocator selected" — a different message.
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"--seed", {"run", "--seed", "-1"}},
      {"--seed", {"run", "--seed=-1"}},
      {"--rounds", {"run", "--rounds", "0"}},
      {"--rounds", {"run", "--rounds", "-3"}},
      {"--rounds", {"run", "--rounds=-3"}},
      {"--layouts", {"run", "--layouts", "0"}},
      {"--timeout", {"run", "--timeout", "-1"}},
      {"--timeout", {"run", "--timeout", "0"}},
      {"--min-time", {"run", "--min-time", "-0.1"}},
      {"--alpha", {"run", "--alpha", "2"}},
      {"--callgrind-iterations", {"run", "--callgrind-iterations", "0"}},
      {"--rounds", {"validate", "--aa", "--rounds", "-1"}},
      {"--iterations", {"callgrind", "--iterations", "-2"}},
      {"--rounds", {"exec", "--rounds", "0"}},
      {"--seed", {"exec", "--seed", "-5"}},
      {"--timeout", {"exec", "--timeout", "-1"}},
  };
  for (auto [option, args] : cases) {
    const bool exec = args[0] == "exec";
    for (const char* a : {"--variants", "none", "--peers", "none"}) args.push_back(a);
    if (exec) args.insert(args.end(), {"--out", "/nonexistent-dir/x.json", "--", "/bin/true"});
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    CliRun r = cli(args);
    EXPECT_EQ(r.code, kExitUsage) << shown << ": " << r.err;
    EXPECT_NE(r.err.find(option), std::string::npos) << shown << ": " << r.err;
    EXPECT_EQ(r.err.find("no allocator selected"), std::string::npos) << shown << ": " << r.err;
    EXPECT_EQ(r.err.find("18446744073709551615"), std::string::npos) << r.err;  // never wrapped
  }
}

TEST(BadInput, ExecOfACommandThatCannotStartIsExit2) {
  TempDir dir;
  testing::write_text(dir.file("script"), "#!/bin/sh\necho hi\n");  // not executable
  for (const std::string& cmd :
       {std::string("/no/such/binary"), std::string("no-such-program-xyz"), dir.file("script")}) {
    CliRun r = cli({"exec", "--variants", "none", "--out", dir.file("never.json"), "--", cmd});
    EXPECT_EQ(r.code, kExitUsage) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("cannot start"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.json")));
}

}  // namespace
}  // namespace alloclab::harness
