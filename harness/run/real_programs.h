// run/real_programs.h — the real-program suite, declared as data (workloads/real/programs.json)
// and the ad-hoc program of `harness exec`, as workloads of kind "real".
//
// Names: `--workloads real` = every program of the file, `real:NAME[,real:NAME…]` = those, and
// both mix with runner workloads (`--workloads default,real:sqlite3`). The workload is named
// real:<name>; `harness exec -- CMD` makes one named exec:<basename of CMD>.
//
// A declaration (one entry of "programs"; paths may use {dir} = the file's directory, {src} =
// the source tree, {bin} = <build>/real/bin; at run time {port} = the server's port and
// {work} = the fresh working directory):
//   name, description, kind "batch" | "server", argv [..], stdin (file), env {K: V},
//   workdir "fresh" (a new empty directory per run, removed after) | absent (the harness's),
//   deterministic (stdout compared with the glibc run; default true), exit_status (default 0;
//   null = whatever the glibc run exits with), timeout_s (default: the run's --timeout),
//   unavailable_hint (what to do when a binary is missing),
//   server only: ready {timeout_s, argv (a probe command that exits 0 when ready; absent =
//   a TCP connect to {port})}, load {argv, throughput_regex (one capture group: requests/s),
//   combine first|mean|harmonic_mean|sum}, check {argv} (a deterministic client whose stdout
//   is compared with the glibc run), stop_grace_s (SIGTERM → SIGKILL, default 5).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

struct RealPaths {
  std::string programs;  // programs.json
  std::string bin_dir;   // {bin}
  std::string src_dir;   // {src}
};

struct RealProgram {
  std::string name, description;
  bool server = false;
  std::vector<std::string> argv;
  std::string stdin_path;
  std::vector<std::pair<std::string, std::string>> env;
  bool fresh_workdir = false;
  bool deterministic = true;
  bool exit_status_as_reference = false;  // exit_status null: as the glibc run
  int exit_status = 0;
  double timeout_s = 0;  // 0 = the run's
  std::string unavailable_hint;
  // server
  double ready_timeout_s = 10;
  std::vector<std::string> ready_argv;  // empty = TCP connect
  std::vector<std::string> load_argv;
  std::string throughput_regex;
  std::string combine = "harmonic_mean";
  std::vector<std::string> check_argv;
  double stop_grace_s = 5;
};

// The build's defaults (compiled in): workloads/real/programs.json, <build>/real/bin, the
// source tree, <build>/lib/liballoclab-probe.so.
RealPaths default_real_paths();
const char* default_probe_path();

// True for `real` and `real:NAME` (the --workloads names of the suite).
bool is_real_workload_name(const std::string& name);

// Reads the file and the selected names (real, real:NAME); throws HarnessError (exit 2) on a
// malformed file or an unknown name (listing the valid ones). Templates {dir} {src} {bin} are
// expanded into the returned workloads' params.
std::vector<WorkloadSpec> select_real_programs(const RealPaths& paths, const std::vector<std::string>& names);

// A declaration (params of a real workload) as a RealProgram; throws HarnessError if malformed.
RealProgram parse_real_program(const json& decl);

// "" when every binary the program needs is there (argv[0] of the program, the load
// generator, the probe and check commands, and its stdin file), else why not (with the hint).
std::string real_program_unavailable(const RealProgram& p);

// The workload of `harness exec -- CMD ARGS`: a batch program, output compared with the glibc
// run when `check_output`, the exit status expected to be glibc's.
WorkloadSpec exec_workload(const std::vector<std::string>& command, bool check_output);

// The executable argv0 names (a path, or looked up in PATH), or "" when none is found;
// `why` says what is wrong (not found, not executable, a directory).
std::string resolve_executable(const std::string& argv0, std::string& why);

// Replaces every {key} of `vars` in `s`.
std::string expand(std::string s, const std::vector<std::pair<std::string, std::string>>& vars);

}  // namespace alloclab::harness
