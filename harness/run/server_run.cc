// run/server_run.cc — the server lifecycle.
#include "run/server_run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "run/measurement.h"

namespace alloclab::harness {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::vector<std::string> with_port(std::vector<std::string> argv, int port) {
  for (auto& a : argv) a = expand(a, {{"port", std::to_string(port)}});
  return argv;
}

// A client of the server: not preloaded, no probe records.
ChildSpec client_spec(const std::vector<std::string>& argv, const ChildSpec& server, double timeout_s) {
  ChildSpec c;
  c.argv = argv;
  c.env_unset = {"LD_PRELOAD", "ALLOCLAB_PROBE_DIR"};
  c.cwd = server.cwd;
  c.timeout_s = timeout_s;
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool loopback_port_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

std::optional<double> parse_throughput(const std::string& output, const std::string& regex,
                                       const std::string& combine) {
  std::vector<double> v;
  try {
    const std::regex re(regex);
    for (auto it = std::sregex_iterator(output.begin(), output.end(), re); it != std::sregex_iterator(); ++it)
      if (it->size() > 1) v.push_back(std::stod((*it)[1].str()));
  } catch (const std::exception&) {
    return std::nullopt;  // a bad regex or number: no throughput
  }
  if (v.empty()) return std::nullopt;
  if (combine == "first") return v.front();
  double sum = 0, inv = 0;
  for (double x : v) {
    sum += x;
    inv += x > 0 ? 1 / x : 0;
  }
  if (combine == "sum") return sum;
  if (combine == "mean") return sum / static_cast<double>(v.size());
  return inv > 0 ? static_cast<double>(v.size()) / inv : 0.0;  // harmonic mean: total requests / total time
}

ServerRun run_server(const ServerRunSettings& s, ProcessRunner& pr) {
  const RealProgram& p = *s.program;
  ServerRun out;
  auto fail = [&](Status st, std::string e) {
    if (out.status == Status::ok) {
      out.status = st;
      out.error = std::move(e);
    }
  };
  out.port = free_loopback_port();
  if (out.port == 0) {
    fail(Status::failed, "no free loopback port");
    return out;
  }
  ChildSpec spec = s.server_spec;
  spec.argv = with_port(spec.argv, out.port);
  std::string start_error;
  std::unique_ptr<BackgroundChild> server = pr.start(spec, start_error);
  if (!server) {
    fail(Status::failed, start_error.empty() ? "the server could not start" : start_error);
    return out;
  }
  // From here on `server` is stopped on every return (its destructor, or stop() below).
  auto stop = [&] { out.server = server->stop(p.stop_grace_s); };
  auto server_died = [&] {
    stop();
    const ChildResult& r = out.server;
    if (r.term_signal)
      fail(Status::crashed, fmt::format("the server crashed: {} ({})", signal_name(r.term_signal), tail(r.err)));
    else
      fail(Status::failed, fmt::format("the server exited with status {}: {}", r.exit_code, tail(r.err)));
  };

  // Ready: the probe command exits 0, or the port accepts a connection.
  const auto t0 = std::chrono::steady_clock::now();
  for (bool ready = false; !ready;) {
    if (interrupt_requested()) {
      out.interrupted = true;
      stop();
      return out;
    }
    if (!server->running()) {
      server_died();
      return out;
    }
    if (seconds_since(t0) > p.ready_timeout_s) {
      stop();
      fail(Status::timeout, fmt::format("the server was not ready after {:g} s", p.ready_timeout_s));
      return out;
    }
    if (p.ready_argv.empty()) {
      ready = loopback_port_accepts(out.port);
    } else {
      ChildResult r = pr.run(client_spec(with_port(p.ready_argv, out.port), spec, p.ready_timeout_s));
      ready = r.started && !r.timed_out && r.term_signal == 0 && r.exit_code == 0;
    }
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  out.load = pr.run(client_spec(with_port(p.load_argv, out.port), spec, s.timeout_s));
  if (out.load.interrupted || interrupt_requested()) {
    out.interrupted = true;
    stop();
    return out;
  }
  if (!server->running()) {  // crashed under load
    server_died();
    return out;
  }
  if (Outcome o = classify_exit(out.load, s.timeout_s); !o.ok()) {
    stop();
    fail(o.status, "the load generator failed: " + o.error);
    return out;
  }
  if (auto rps = parse_throughput(out.load.out, p.throughput_regex, p.combine); rps && *rps > 0) {
    out.requests_per_sec = *rps;
  } else {
    stop();
    fail(Status::failed,
         fmt::format("malformed output: no throughput matching /{}/ in the load generator's output ({})",
                     p.throughput_regex, tail(out.load.out, 160)));
    return out;
  }

  if (!p.check_argv.empty()) {
    ChildResult c = pr.run(client_spec(with_port(p.check_argv, out.port), spec, s.timeout_s));
    if (c.interrupted || interrupt_requested()) {
      out.interrupted = true;
      stop();
      return out;
    }
    if (Outcome o = classify_exit(c, s.timeout_s); !o.ok()) {
      if (!server->running()) {
        server_died();
        return out;
      }
      stop();
      fail(o.status, "the check client failed: " + o.error);
      return out;
    }
    out.check_output = c.out;
  }

  if (!server->running()) {
    server_died();
    return out;
  }
  stop();
  const ChildResult& r = out.server;
  if (r.timed_out)
    fail(Status::failed, fmt::format("the server did not exit within {:g} s of SIGTERM (killed)", p.stop_grace_s));
  else if (r.term_signal)
    fail(Status::crashed,
         fmt::format("the server ended by {} on SIGTERM ({})", signal_name(r.term_signal), tail(r.err)));
  else if (r.exit_code != 0)
    fail(Status::failed, fmt::format("the server exited with status {} on SIGTERM: {}", r.exit_code, tail(r.err)));
  return out;
}

}  // namespace alloclab::harness
