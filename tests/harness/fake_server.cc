// fake_server.cc — a stand-in for a real server and its clients in the harness's server
// lifecycle tests (server_test.cc), so they need no redis. One binary, three roles:
//
//   fake_server server PORT MODE PIDFILE   listens on 127.0.0.1:PORT and answers a line
//       protocol ("PING" -> "PONG", "COUNT" -> the number of PINGs so far); SIGTERM -> exit(0).
//       It writes "<pid> <helper pid>" to PIDFILE first: it forks a helper that sleeps in its
//       process group (the harness must kill the whole group). MODE:
//         ok        as above
//         crash     aborts on its first request
//         hang      never listens, ignores SIGTERM (never ready; needs SIGKILL)
//         exit3     exits with status 3 before listening
//   fake_server load PORT N MODE           N PINGs, then "PING: <rate> requests per second";
//       MODE ok | fail (exit 1 after the PINGs) | interrupt (sends SIGINT to its parent, the
//       harness, as a Ctrl-C would, then waits to be killed)
//   fake_server check PORT                 prints the server's COUNT reply
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

volatile sig_atomic_t g_stop = 0;
extern "C" void on_term(int) { g_stop = 1; }

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

bool read_line(int fd, std::string& line) {
  line.clear();
  char c;
  while (true) {
    ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return false;
    if (c == '\n') return true;
    line += c;
  }
}

void write_all(int fd, const std::string& s) {
  for (size_t off = 0; off < s.size();) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

int server(int port, const std::string& mode, const char* pidfile) {
  pid_t helper = ::fork();
  if (helper == 0) {
    for (;;) ::pause();  // a helper in the server's process group
  }
  if (FILE* f = std::fopen(pidfile, "w")) {
    std::fprintf(f, "%d %d\n", static_cast<int>(::getpid()), static_cast<int>(helper));
    std::fclose(f);
  }
  if (mode == "exit3") return 3;
  if (mode == "hang") {
    ::signal(SIGTERM, SIG_IGN);
    for (;;) ::pause();
  }
  struct sigaction sa {};
  sa.sa_handler = on_term;
  ::sigaction(SIGTERM, &sa, nullptr);  // no SA_RESTART: accept/read return EINTR
  int ls = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(port);
  if (::bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(ls, 16) != 0) {
    std::perror("bind/listen");
    return 2;
  }
  long pings = 0;
  while (!g_stop) {
    int c = ::accept(ls, nullptr, nullptr);
    if (c < 0) continue;
    std::string line;
    while (!g_stop && read_line(c, line)) {
      if (mode == "crash") std::abort();
      if (line == "PING") {
        ++pings;
        write_all(c, "PONG\n");
      } else if (line == "COUNT") {
        write_all(c, std::to_string(pings) + "\n");
      } else {
        write_all(c, "ERR\n");
      }
    }
    ::close(c);
  }
  std::printf("served %ld pings\n", pings);
  return 0;  // exit(): the exit probe writes its record
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  return fd;
}

int load(int port, long n, const std::string& mode) {
  if (mode == "interrupt") {
    ::kill(::getppid(), SIGINT);
    for (;;) ::pause();
  }
  int fd = connect_to(port);
  auto t0 = std::chrono::steady_clock::now();
  std::string line;
  for (long i = 0; i < n; ++i) {
    write_all(fd, "PING\n");
    if (!read_line(fd, line) || line != "PONG") {
      std::fprintf(stderr, "lost the server after %ld pings\n", i);
      return 1;
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("PING: %.2f requests per second\n", static_cast<double>(n) / (s > 0 ? s : 1e-9));
  return mode == "fail" ? 1 : 0;
}

int check(int port) {
  int fd = connect_to(port);
  write_all(fd, "COUNT\n");
  std::string line;
  if (!read_line(fd, line)) return 1;
  std::printf("count %s\n", line.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string role = argc > 1 ? argv[1] : "";
  if (role == "server" && argc == 5) return server(std::atoi(argv[2]), argv[3], argv[4]);
  if (role == "load" && argc == 5) return load(std::atoi(argv[2]), std::atol(argv[3]), argv[4]);
  if (role == "check" && argc == 3) return check(std::atoi(argv[2]));
  std::fprintf(stderr, "usage: fake_server server PORT MODE PIDFILE | load PORT N MODE | check PORT\n");
  return 64;
}
