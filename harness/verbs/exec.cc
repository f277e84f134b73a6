// verbs/exec.cc — the `exec` verb: `run` with one real workload made from the command.
#include "verbs/exec.h"

#include <fmt/format.h>

#include "verbs/flags.h"

namespace alloclab::harness {

CLI::App* add_exec_verb(CLI::App& app, ExecArgs& a) {
  RunArgs& s = a.selection;
  auto* exec = app.add_subcommand("exec",
                                  "Measure a real program like a workload: R shuffled rounds over the allocators "
                                  "(preloaded; glibc always), wall/user/sys time, peak RSS and exit status per "
                                  "sample, stdout compared with the glibc run; the results JSON of `run`: "
                                  "exec [flags] -- CMD ARGS");
  exec->add_option("--variants", s.variants, "all | default | none | NAME,... (as `run`)")->capture_default_str();
  exec->add_option("--peers", s.peers, "all | none | NAME,... (glibc is always run: it is the reference output)")
      ->capture_default_str();
  add_allocator_flag(*exec, s.custom);
  exec->add_option("--rounds", s.rounds,
                   fmt::format("Rounds: samples per allocator (default {})", ExecDefaults::kRounds))
      ->check(CLI::Range(1, RunDefaults::kMaxRounds));
  exec->add_option("--out,-o", s.out, "Results file (default results/exec-<UTC>.json)");
  add_seed_flag(*exec, s);
  exec->add_option("--timeout", s.timeout,
                   fmt::format("Per-run limit in seconds (default {:g})", ExecDefaults::kTimeout))
      ->check(CLI::PositiveNumber);
  exec->add_flag("--check-output,!--no-check-output", a.check_output,
                 "Fail a sample whose stdout differs from the glibc run's (default on; off for programs whose output "
                 "is not deterministic)");
  add_alpha_flag(*exec, s.alpha);
  exec->add_option("--reference", s.reference, "Allocator every ratio is relative to")
      ->capture_default_str()
      ->each([&s](const std::string&) { s.reference_given = true; });
  exec->add_flag("!--no-verify", s.verify, "Skip the checked run per allocator before the rounds");
  exec->add_option("command", a.command, "The program and its arguments (after --)")->required();
  add_path_flags(*exec, s.manifest, s.runner);
  add_real_flags(*exec, s);
  add_style_flag(*exec, s.style);
  return exec;
}

int exec_verb(const ExecArgs& a, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  RunArgs s = a.selection;
  s.exec_command = a.command;
  s.check_output = a.check_output;
  if (!s.rounds) s.rounds = ExecDefaults::kRounds;
  if (!s.timeout) s.timeout = ExecDefaults::kTimeout;
  // glibc is always measured (and always the output reference).
  if (s.peers == "none" || s.peers.empty())
    s.peers = "glibc";
  else if (s.peers != "all" && (',' + s.peers + ',').find(",glibc,") == std::string::npos)
    s.peers = "glibc," + s.peers;
  return run_verb(s, command_line, pr);
}

}  // namespace alloclab::harness
