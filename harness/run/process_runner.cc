// run/process_runner.cc — the real child-process runner: spawn (posix_spawn), pump (poll the
// pipes, enforce the time limit and the interrupt), reap (wait4, exit status, rusage).
#include "run/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>

#include <fmt/format.h>

extern char** environ;

namespace alloclab::harness {
namespace {

volatile std::sig_atomic_t g_interrupt = 0;

extern "C" void on_interrupt(int sig) { g_interrupt = sig; }

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

std::vector<std::string> child_environment(const ChildSpec& spec) {
  std::vector<std::string> env;
  auto overridden = [&](const std::string& entry) {
    auto eq = entry.find('=');
    std::string key = entry.substr(0, eq);
    for (const auto& u : spec.env_unset)
      if (u == key) return true;
    for (const auto& [k, v] : spec.env_set)
      if (k == key) return true;
    return false;
  };
  for (char** e = environ; e && *e; ++e)
    if (!overridden(*e)) env.emplace_back(*e);
  for (const auto& [k, v] : spec.env_set) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR promptly
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}
bool interrupt_requested() { return g_interrupt != 0; }
void request_interrupt() { g_interrupt = SIGINT; }
void clear_interrupt() { g_interrupt = 0; }
int interrupt_signal() { return static_cast<int>(g_interrupt); }

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGTRAP: return "SIGTRAP";
    case SIGPIPE: return "SIGPIPE";
    case SIGSYS: return "SIGSYS";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    default: return fmt::format("signal {}", sig);
  }
}

std::string describe(const ChildSpec& spec) {
  std::string s;
  for (const auto& u : spec.env_unset) s += "-u " + u + " ";
  for (const auto& [k, v] : spec.env_set) s += k + "=" + v + " ";
  for (const auto& a : spec.argv) s += a + " ";
  if (!s.empty()) s.pop_back();
  return s;
}

namespace {

// A started child: its pid, the read ends of its pipes, and the one place where the time limit
// and the interrupt flag are enforced (pump and reap both call enforce_limits).
struct RunningChild {
  pid_t pid = -1;
  std::chrono::steady_clock::time_point t0;
  double timeout_s = 0;
  bool killed = false;

  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }

  // Kills the whole process group (once) when the harness was interrupted or the limit passed.
  void enforce_limits(ChildResult& r) {
    if (killed) return;
    if (interrupt_requested())
      r.interrupted = true;
    else if (elapsed() >= timeout_s)
      r.timed_out = true;
    else
      return;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    killed = true;
  }
};

// posix_spawn in a new process group with stdout/stderr on `out_fd` / `err_fd`, stdin from
// spec.stdin_path (default /dev/null), in spec.cwd when given, the signal mask cleared and
// SIGINT/SIGTERM/SIGPIPE reset. Fills r.started / r.start_error.
std::optional<RunningChild> spawn_with(const ChildSpec& spec, int out_fd, int err_fd, ChildResult& r) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
  const std::string in = spec.stdin_path.empty() ? "/dev/null" : spec.stdin_path;
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, spec.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group: a timeout kills the child and anything it started; the terminal's
  // Ctrl-C reaches only the harness, which then kills the group itself.
  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setflags(&attr, flags);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<std::string> env = child_environment(spec);
  std::vector<char*> envp, argv;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  RunningChild child;
  child.t0 = std::chrono::steady_clock::now();
  child.timeout_s = spec.timeout_s;
  int rc = posix_spawnp(&child.pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    r.start_error = fmt::format("cannot start {}: {}", spec.argv[0], std::strerror(rc));
    return std::nullopt;
  }
  r.started = true;
  return child;
}

std::optional<RunningChild> spawn(const ChildSpec& spec, Pipe& out, Pipe& err, ChildResult& r) {
  std::optional<RunningChild> child = spawn_with(spec, out.fd[1], err.fd[1], r);
  out.close_end(1);
  err.close_end(1);
  return child;
}

// Reads both pipes into r.out / r.err until they close (the child and any grandchildren
// exited or were killed), enforcing the limits between polls.
void pump(RunningChild& child, Pipe& out, Pipe& err, ChildResult& r) {
  pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    child.enforce_limits(r);
    double left = child.timeout_s - child.elapsed();
    int wait_ms = child.killed ? 1000 : static_cast<int>(std::min(left * 1000.0 + 1, 100.0));
    int n = ::poll(fds, 2, std::max(wait_ms, 1));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0 && child.killed) break;  // a grandchild outside the group keeps a pipe open
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// Exit status and rusage (peak RSS, page faults, CPU times) into r.
void fill_exit(int status, const rusage& ru, ChildResult& r) {
  r.peak_rss_kib = ru.ru_maxrss;
  r.minflt = ru.ru_minflt;
  r.majflt = ru.ru_majflt;
  r.user_s = seconds(ru.ru_utime);
  r.sys_s = seconds(ru.ru_stime);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
}

// wait4 for the child (the pipes closed, so it is exiting; the limits still apply), then its
// exit status, wall time and rusage (peak RSS, page faults).
void reap(RunningChild& child, ChildResult& r) {
  int status = 0;
  rusage ru{};
  for (;;) {
    pid_t w = ::wait4(child.pid, &status, WNOHANG, &ru);
    if (w == child.pid) break;
    if (w < 0 && errno != EINTR) break;
    child.enforce_limits(r);
    ::usleep(200);
  }
  fill_exit(status, ru, r);
  r.wall_s = child.elapsed();
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  ::lseek(fd, 0, SEEK_SET);
  for (;;) {
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got > 0)
      out.append(buf, static_cast<std::size_t>(got));
    else if (got < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  return out;
}

// A background child: output to two unlinked temp files, stopped by signals to its group.
class PosixBackgroundChild final : public BackgroundChild {
 public:
  PosixBackgroundChild(RunningChild child, int out_fd, int err_fd) : child_(child), out_fd_(out_fd), err_fd_(err_fd) {}
  ~PosixBackgroundChild() override {
    stop(1.0);
    ::close(out_fd_);
    ::close(err_fd_);
  }
  int pid() const override { return child_.pid; }

  bool running() override { return !stopped_ && alive(); }

  ChildResult stop(double grace_s) override {
    if (stopped_) return result_;
    stopped_ = true;
    ChildResult& r = result_;
    r.started = true;
    if (alive()) {
      ::kill(-child_.pid, SIGTERM);
      auto t0 = std::chrono::steady_clock::now();
      while (alive() && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < grace_s)
        ::usleep(2000);
      if (alive()) r.timed_out = true;  // it ignored SIGTERM for the whole grace period
    }
    // SIGKILL to the group: the leader if it is still there, and whatever else is left of the
    // group (a forked helper); then the leader is reaped.
    ::kill(-child_.pid, SIGKILL);
    int status = 0;
    rusage ru{};
    while (::wait4(child_.pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    fill_exit(status, ru, r);
    r.wall_s = child_.elapsed();
    r.out = read_all(out_fd_);
    r.err = read_all(err_fd_);
    return r;
  }

 private:
  bool alive() {
    if (exited_) return false;
    siginfo_t si{};
    // WNOWAIT: a zombie keeps its pid (and process group id) until stop() reaps it, so the
    // group can still be killed without hitting a recycled pid.
    if (::waitid(P_PID, static_cast<id_t>(child_.pid), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
      exited_ = true;
    return !exited_;
  }

  RunningChild child_;
  int out_fd_, err_fd_;
  bool exited_ = false, stopped_ = false;
  ChildResult result_;
};

int unlinked_temp_file() {
  std::string t = "/tmp/alloclab-bg-XXXXXX";
  int fd = ::mkostemp(t.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(t.c_str());
  return fd;
}

}  // namespace

std::unique_ptr<BackgroundChild> PosixProcessRunner::start(const ChildSpec& spec, std::string& error) {
  if (spec.argv.empty()) {
    error = "empty command";
    return nullptr;
  }
  int out_fd = unlinked_temp_file(), err_fd = unlinked_temp_file();
  if (out_fd < 0 || err_fd < 0) {
    error = fmt::format("temp file: {}", std::strerror(errno));
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return nullptr;
  }
  ChildResult r;
  std::optional<RunningChild> child = spawn_with(spec, out_fd, err_fd, r);
  if (!child) {
    error = r.start_error;
    ::close(out_fd);
    ::close(err_fd);
    return nullptr;
  }
  return std::make_unique<PosixBackgroundChild>(*child, out_fd, err_fd);
}

std::string PosixProcessRunner::set_child_aslr(bool enabled) {
  const int current = ::personality(0xffffffff);
  if (current == -1) return fmt::format("personality(2) query failed: {}", std::strerror(errno));
  const unsigned long want =
      enabled ? (static_cast<unsigned long>(current) & ~static_cast<unsigned long>(ADDR_NO_RANDOMIZE))
              : (static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE);
  if (::personality(want) == -1) return fmt::format("personality(ADDR_NO_RANDOMIZE) failed: {}", std::strerror(errno));
  if ((::personality(0xffffffff) & ADDR_NO_RANDOMIZE) != (enabled ? 0 : ADDR_NO_RANDOMIZE))
    return "personality(2) did not take the ADDR_NO_RANDOMIZE flag (a seccomp filter?)";
  return {};
}

ChildResult PosixProcessRunner::run(const ChildSpec& spec) {
  ChildResult r;
  if (spec.argv.empty()) {
    r.start_error = "empty command";
    return r;
  }
  Pipe out, err;
  if (!out.open() || !err.open()) {
    r.start_error = fmt::format("pipe: {}", std::strerror(errno));
    return r;
  }
  std::optional<RunningChild> child = spawn(spec, out, err, r);
  if (!child) return r;
  pump(*child, out, err, r);
  reap(*child, r);
  return r;
}

}  // namespace alloclab::harness
