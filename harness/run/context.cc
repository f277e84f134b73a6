// run/context.cc — machine, build and invocation facts for the results file.
#include "run/context.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <thread>

#ifndef ALLOCLAB_CXX_COMPILER
#define ALLOCLAB_CXX_COMPILER "unknown"
#endif
#ifndef ALLOCLAB_CXX_FLAGS
#define ALLOCLAB_CXX_FLAGS ""
#endif
#ifndef ALLOCLAB_BUILD_TYPE
#define ALLOCLAB_BUILD_TYPE ""
#endif
#ifndef ALLOCLAB_SOURCE_DIR
#define ALLOCLAB_SOURCE_DIR "."
#endif

namespace alloclab::harness {
namespace {

std::string format_utc(const char* fmt) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0)
      if (auto c = line.find(':'); c != std::string::npos) {
        auto v = line.substr(c + 1);
        v.erase(0, v.find_first_not_of(' '));
        return v;
      }
  return "unknown";
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string capture_command(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return {};
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  int rc = pclose(p.release());
  if (rc != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string utc_iso8601_now() { return format_utc("%Y-%m-%dT%H:%M:%SZ"); }
std::string utc_compact_now() { return format_utc("%Y%m%dT%H%M%SZ"); }

json collect_context(const std::vector<std::string>& command_line, std::uint64_t seed, const std::string& runner,
                     const std::string& manifest) {
  json c;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  c["host"] = host;
  c["cpu_model"] = cpu_model();
  c["cores"] = std::thread::hardware_concurrency();
  utsname u{};
  if (uname(&u) == 0)
    c["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.version + " " + u.machine;
  else
    c["kernel"] = "unknown";
  c["compiler"] = ALLOCLAB_CXX_COMPILER;
  c["compiler_flags"] = ALLOCLAB_CXX_FLAGS;
  c["build_type"] = ALLOCLAB_BUILD_TYPE;
  std::string src = shell_quote(ALLOCLAB_SOURCE_DIR);
  std::string commit = capture_command("git -C " + src + " rev-parse HEAD 2>/dev/null");
  c["git_commit"] = commit.empty() ? "unknown" : commit;
  if (!commit.empty())
    c["git_dirty"] = !capture_command("git -C " + src + " status --porcelain --untracked-files=no 2>/dev/null").empty();
  c["date_utc"] = utc_iso8601_now();
  c["command_line"] = command_line;
  c["seed"] = seed;
  c["runner"] = runner;
  c["manifest"] = manifest;
  return c;
}

}  // namespace alloclab::harness
