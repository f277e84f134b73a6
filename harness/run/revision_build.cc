// run/revision_build.cc — git worktree + cmake configure + build of one revision's variants.
#include "run/revision_build.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "run/manifest.h"

namespace alloclab::harness {
namespace fs = std::filesystem;
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// One step's command and output, appended to the build log.
void append_log(const std::string& log, const ChildSpec& spec, const ChildResult& r) {
  std::ofstream f(log, std::ios::app);
  f << "$";
  for (const auto& a : spec.argv) f << ' ' << a;
  f << "\n" << r.out << r.err;
  if (!r.started) f << "could not start: " << r.start_error << "\n";
  f << fmt::format("[exit {}{}, {:.1f} s]\n\n", r.exit_code, r.term_signal ? ", " + signal_name(r.term_signal) : "",
                   r.wall_s);
}

ChildResult run_step(ProcessRunner& pr, const std::vector<std::string>& argv, double timeout_s,
                     const std::string& log) {
  ChildSpec spec;
  spec.argv = argv;
  spec.timeout_s = timeout_s;
  ChildResult r = pr.run(spec);
  if (!log.empty()) append_log(log, spec, r);
  if (r.interrupted) throw HarnessError("interrupted while building: " + describe(spec), kExitInterrupted);
  return r;
}

bool ok(const ChildResult& r) { return r.started && !r.timed_out && r.term_signal == 0 && r.exit_code == 0; }

void step(ProcessRunner& pr, const std::vector<std::string>& argv, double timeout_s, const std::string& log,
          const std::string& what) {
  ChildResult r = run_step(pr, argv, timeout_s, log);
  if (ok(r)) return;
  std::string why = !r.started      ? r.start_error
                    : r.timed_out   ? fmt::format("timed out after {:g} s", timeout_s)
                    : r.term_signal ? signal_name(r.term_signal)
                                    : fmt::format("exit {}", r.exit_code);
  throw HarnessError(fmt::format("{} failed ({}); see the log {}", what, why, log));
}

// complete.json: {"sha": ..., "variants": [...]}; the variants whose libraries were built.
std::set<std::string> read_stamp(const std::string& path, const std::string& sha) {
  std::ifstream f(path);
  if (!f) return {};
  try {
    json j = json::parse(f);
    if (j.value("sha", "") != sha) return {};
    return j.at("variants").get<std::set<std::string>>();
  } catch (const std::exception&) {
    return {};  // unreadable: as if absent
  }
}

void write_stamp(const std::string& path, const std::string& sha, const std::set<std::string>& variants) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << json{{"sha", sha}, {"variants", variants}}.dump(1) << "\n";
    if (!f) throw HarnessError("cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

// Every library file (and layout copy) of the variants present in the manifest.
std::vector<std::string> libraries_of(const Manifest& m, const std::vector<std::string>& variants) {
  std::vector<std::string> out;
  for (const auto& v : variants)
    if (const VariantInfo* info = m.find(v))
      for (const auto& c : info->layouts) out.push_back(c.library);
  return out;
}

bool all_exist(const std::vector<std::string>& files) {
  return std::all_of(files.begin(), files.end(), [](const std::string& f) {
    std::error_code ec;
    return fs::is_regular_file(f, ec);
  });
}

bool has_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  for (std::string dir; std::getline(ss, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / name).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

std::string library_target(const std::string& library_path) {
  std::string stem = fs::path(library_path).filename().string();
  if (stem.size() > 3 && stem.ends_with(".so")) stem.resize(stem.size() - 3);
  if (stem.starts_with("lib")) stem.erase(0, 3);
  return stem;
}

std::string resolve_revision(const std::string& repo, const std::string& rev, const std::string& git,
                             ProcessRunner& pr) {
  ChildResult r = run_step(pr, {git, "-C", repo, "rev-parse", "--verify", "--quiet", rev + "^{commit}"}, 60, "");
  if (!ok(r))
    throw HarnessError(fmt::format("unknown revision {} in {}{}", rev, repo,
                                   r.started ? " (git rev-parse found no such commit)" : ": " + r.start_error));
  return trim(r.out);
}

RevisionBuild build_revision(const RevisionBuildRequest& req, ProcessRunner& pr, void (*note)(const std::string&)) {
  RevisionBuild b;
  b.sha = resolve_revision(req.repo, req.rev, req.git, pr);
  b.dir = (fs::path(req.cache_dir) / b.sha).string();
  b.src = b.dir + "/src";
  b.build_dir = b.dir + "/build";
  b.log = b.dir + "/build.log";
  b.manifest = b.build_dir + "/variants/manifest.json";
  const std::string stamp = b.dir + "/complete.json";
  const std::string short_sha = b.sha.substr(0, 12);

  std::set<std::string> built = read_stamp(stamp, b.sha);
  const bool covered =
      std::all_of(req.variants.begin(), req.variants.end(), [&](const std::string& v) { return built.count(v) > 0; });
  if (covered && !built.empty()) {
    try {
      Manifest m = load_manifest(b.manifest);
      if (all_exist(libraries_of(m, req.variants))) {
        b.reused = true;
        for (const auto& v : req.variants)
          if (!m.find(v)) b.missing_variants.push_back(v);
        note(fmt::format("{} ({}): reusing the complete build in {}", req.rev, short_sha, b.dir));
        return b;
      }
    } catch (const HarnessError&) {
    }
    note(fmt::format("{} ({}): the cached build in {} lacks files; building again", req.rev, short_sha, b.dir));
  }

  auto t0 = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::create_directories(b.dir, ec);
  if (ec) throw HarnessError(fmt::format("cannot create {}: {}", b.dir, ec.message()));
  fs::remove(stamp, ec);
  {
    std::ofstream f(b.log, std::ios::app);
    f << fmt::format("== harness ab: building {} ({}) ==\n", req.rev, b.sha);
  }
  note(fmt::format("{} ({}): building its variants in {} (log {})", req.rev, short_sha, b.build_dir, b.log));

  // The source: a detached worktree at the commit. One that is not at the commit (a failed
  // earlier `worktree add`, a hand-edited tree) is replaced.
  bool src_ok = false;
  if (fs::exists(b.src + "/.git", ec)) {
    ChildResult r = run_step(pr, {req.git, "-C", b.src, "rev-parse", "HEAD"}, 60, b.log);
    ChildResult st = run_step(pr, {req.git, "-C", b.src, "status", "--porcelain", "--untracked-files=no"}, 60, b.log);
    src_ok = ok(r) && trim(r.out) == b.sha && ok(st) && trim(st.out).empty();
  }
  if (!src_ok) {
    fs::remove_all(b.src, ec);
    run_step(pr, {req.git, "-C", req.repo, "worktree", "prune"}, 60, b.log);
    step(pr, {req.git, "-C", req.repo, "worktree", "add", "--detach", b.src, b.sha}, 600, b.log,
         fmt::format("git worktree add of {}", req.rev));
  }

  // Configure: only what the variant libraries need. The ONLY_VARIANTS list also keeps what an
  // earlier ab built here; a revision older than the option builds its whole default set
  // (CMake warns that the variable was unused).
  std::set<std::string> wanted = built;
  wanted.insert(req.variants.begin(), req.variants.end());
  std::string only;
  for (const auto& v : wanted) only += (only.empty() ? "" : ";") + v;
  std::vector<std::string> configure = {req.cmake, "-S", b.src, "-B", b.build_dir};
  if (!fs::exists(b.build_dir + "/CMakeCache.txt", ec) && has_program("ninja"))
    configure.insert(configure.end(), {"-G", "Ninja"});
  configure.insert(configure.end(),
                   {"-DCMAKE_BUILD_TYPE=Release", "-DALLOCLAB_BUILD_TESTS=OFF", "-DALLOCLAB_MIMALLOC=OFF",
                    "-DALLOCLAB_REDIS=OFF", "-DALLOCLAB_FACTORIAL=OFF", "-DALLOCLAB_ONLY_VARIANTS=" + only});
  step(pr, configure, req.timeout_s, b.log, fmt::format("configuring {} ({})", req.rev, short_sha));

  Manifest m = load_manifest(b.manifest);
  std::vector<std::string> present;
  for (const auto& v : req.variants) (m.find(v) ? present : b.missing_variants).push_back(v);
  std::vector<std::string> build = {req.cmake, "--build", b.build_dir, "--target"};
  auto libs = libraries_of(m, present);
  for (const auto& lib : libs) build.push_back(library_target(lib));
  if (!libs.empty())
    step(pr, build, req.timeout_s, b.log, fmt::format("building the variants of {} ({})", req.rev, short_sha));
  if (!all_exist(libs))
    throw HarnessError(
        fmt::format("building {} ({}) left library files missing; see the log {}", req.rev, short_sha, b.log));
  write_stamp(stamp, b.sha, wanted);  // the missing ones too: they are not declared at this commit
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  note(fmt::format("{} ({}): built in {:.0f} s", req.rev, short_sha, b.seconds));
  return b;
}

}  // namespace alloclab::harness
