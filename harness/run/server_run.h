// run/server_run.h — one run of a server program: a free loopback port, the server started in
// the background (with the caller's preload), a readiness wait with a limit, the load
// generator (never preloaded) and an optional deterministic check client, then SIGTERM, a
// grace period, SIGKILL and the reap. The server is stopped and reaped on every path: success,
// a load-generator failure, a server crash, a readiness timeout, an interrupt (Ctrl-C) and an
// exception (BackgroundChild's destructor).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "run/process_runner.h"
#include "run/real_programs.h"

namespace alloclab::harness {

// A port on 127.0.0.1 that nothing listens on right now (bind to port 0, read it, close);
// 0 when none could be had.
int free_loopback_port();
// True when a TCP connection to 127.0.0.1:port is accepted.
bool loopback_port_accepts(int port);

// The throughput in the load generator's output: every match of `regex`'s first capture group,
// combined (first, mean, harmonic_mean, sum); nullopt when nothing matched.
std::optional<double> parse_throughput(const std::string& output, const std::string& regex, const std::string& combine);

struct ServerRunSettings {
  // server_spec.argv and the load / ready / check argvs still hold {port}; run_server
  // expands it. server_spec carries the preload and the probe's directory.
  ChildSpec server_spec;
  const RealProgram* program = nullptr;
  double timeout_s = 30;  // the load generator's and the check client's limit
};

struct ServerRun {
  Status status = Status::ok;
  std::string error;
  bool interrupted = false;
  int port = 0;
  double requests_per_sec = 0;
  ChildResult server;                       // after stop(): its exit status, rusage, output
  ChildResult load;                         // the load generator's run
  std::optional<std::string> check_output;  // the check client's stdout (when it has one and it ran)
};

ServerRun run_server(const ServerRunSettings& s, ProcessRunner& pr);

}  // namespace alloclab::harness
