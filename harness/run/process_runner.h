// run/process_runner.h — one child process, start to exit. The scheduler talks only to the
// ProcessRunner interface, so its tests substitute a fake (no fork, no timing).
//
// PosixProcessRunner: posix_spawn in a new process group, LD_PRELOAD set (or removed) in the
// child's environment only, stdout/stderr through pipes, a wall-clock limit (SIGKILL to the
// whole process group), wait4 for exit status and rusage (peak RSS, page faults, CPU times).
// Background children (start): the same spawn with output to files, SIGTERM then SIGKILL to
// the group on stop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/defaults.h"

namespace alloclab::harness {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the program (a path, or found in PATH)
  // Environment changes on top of the harness's own: set these, remove those.
  std::vector<std::pair<std::string, std::string>> env_set;
  std::vector<std::string> env_unset;
  double timeout_s = RunDefaults::kTimeout;
  std::string stdin_path;  // "" = /dev/null
  std::string cwd;         // "" = the harness's own working directory
};

struct ChildResult {
  bool started = false;  // false: could not spawn (start_error says why)
  std::string start_error;
  bool timed_out = false;    // killed at the limit
  bool interrupted = false;  // killed because the harness was interrupted (SIGINT/SIGTERM)
  int exit_code = -1;        // when it exited normally
  int term_signal = 0;       // when it was killed by a signal
  std::string out, err;
  double wall_s = 0;
  double user_s = 0, sys_s = 0;  // rusage CPU times (the child and the descendants it waited for)
  std::int64_t peak_rss_kib = 0;
  std::int64_t minflt = 0, majflt = 0;
};

// A child that runs beside the harness (a server of the real-program suite): started, polled,
// then stopped. Its stdout/stderr go to files (a server may print more than a pipe holds while
// nobody reads). Destroying it stops it: no path out of the harness leaves it running.
class BackgroundChild {
 public:
  virtual ~BackgroundChild() = default;
  virtual int pid() const = 0;
  // False once it has exited (it is then reaped; stop() returns its status).
  virtual bool running() = 0;
  // SIGTERM to its process group, up to `grace_s` for it to exit, then SIGKILL; reaps it and
  // returns its status, rusage and output (timed_out = it needed the SIGKILL). Idempotent.
  virtual ChildResult stop(double grace_s) = 0;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual ChildResult run(const ChildSpec& spec) = 0;
  // Starts a background child (spec.timeout_s is not applied: the caller stops it). nullptr
  // with `error` set when it cannot start. The default cannot start any.
  virtual std::unique_ptr<BackgroundChild> start(const ChildSpec& /*spec*/, std::string& error) {
    error = "this process runner cannot start background children";
    return nullptr;
  }
  // Address-space randomization of the children started from now on (harness run --aslr).
  // Returns "" on success, else why it could not be changed. The default does nothing.
  virtual std::string set_child_aslr(bool /*enabled*/) { return {}; }
};

class PosixProcessRunner final : public ProcessRunner {
 public:
  ChildResult run(const ChildSpec& spec) override;
  std::unique_ptr<BackgroundChild> start(const ChildSpec& spec, std::string& error) override;
  // personality(2) of the harness process itself: ADDR_NO_RANDOMIZE is inherited through
  // posix_spawn (clone + execve keeps the persona), so every later child gets the same
  // stack, mmap and library addresses (what `setarch -R` does for one command).
  std::string set_child_aslr(bool enabled) override;
};

// Interrupt handling. install_interrupt_handlers() makes SIGINT/SIGTERM set a flag (and
// nothing else); the running child is then killed by PosixProcessRunner, which polls it.
void install_interrupt_handlers();
bool interrupt_requested();
void request_interrupt();  // for tests and fakes
void clear_interrupt();
int interrupt_signal();  // the signal that interrupted, 0 if none

// "SIGSEGV" for 11, "signal 99" when unknown.
std::string signal_name(int sig);

// A ChildSpec's environment changes as one line, e.g. "LD_PRELOAD=/x.so" (for messages).
std::string describe(const ChildSpec& spec);

}  // namespace alloclab::harness
