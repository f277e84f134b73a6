// run/real_cell.cc — a real program's run and its checks.
#include "run/real_cell.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "run/measurement.h"
#include "run/probe_check.h"
#include "run/real_programs.h"
#include "run/server_run.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

namespace {

// A fresh empty working directory for one run ("workdir": "fresh"), removed after.
class WorkDir {
 public:
  explicit WorkDir(bool want) {
    if (!want) return;
    std::string t = (fs::temp_directory_path() / "alloclab-real-XXXXXX").string();
    if (::mkdtemp(t.data())) path_ = t;
  }
  ~WorkDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string first_line_of(const std::string& s, std::size_t at) {
  std::size_t end = s.find('\n', at);
  std::string line = s.substr(at, end == std::string::npos ? std::string::npos : end - at);
  return line.size() > 80 ? line.substr(0, 80) + "…" : line;
}

}  // namespace

std::string describe_output_difference(const std::string& reference, const std::string& got) {
  if (reference == got) return {};
  std::size_t i = 0;
  while (i < reference.size() && i < got.size() && reference[i] == got[i]) ++i;
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(reference.begin(), reference.begin() + i, '\n'));
  const std::size_t bol = reference.rfind('\n', i == 0 ? 0 : i - 1);
  const std::size_t start = bol == std::string::npos || i == 0 ? 0 : bol + 1;
  return fmt::format(
      "output differs from the glibc run at byte {} (line {}): glibc \"{}\", this \"{}\" ({} vs {} bytes)", i, line,
      first_line_of(reference, start), first_line_of(got, std::min(start, got.size())), reference.size(), got.size());
}

RealRun run_real_program(const AllocatorSpec& a, const WorkloadSpec& w, const RealRunSettings& s,
                         const RealReference* ref, ProcessRunner& pr) {
  RealRun run;
  Sample& smp = run.sample;
  auto fail = [&](Status st, std::string e) {
    smp.status = st;
    smp.error = std::move(e);
    return run;
  };
  RealProgram p;
  try {
    p = parse_real_program(w.params);
  } catch (const std::exception& e) {
    return fail(Status::failed, e.what());
  }
  if (std::string why = real_program_unavailable(p); !why.empty()) return fail(Status::failed, why);
  if (ref && !ref->ok()) return fail(Status::failed, "the glibc reference run failed: " + ref->error);
  ProbeDir probe_dir;
  if (!probe_dir.ok()) return fail(Status::failed, "cannot create the probe directory");
  WorkDir work(p.fresh_workdir);
  const double timeout = p.timeout_s > 0 ? p.timeout_s : s.timeout_s;

  ChildSpec spec;
  for (const auto& arg : p.argv) spec.argv.push_back(expand(arg, {{"work", work.path()}}));
  spec.stdin_path = p.stdin_path;
  spec.cwd = work.path();
  spec.timeout_s = timeout;
  spec.env_set = p.env;
  apply_probed_preload(a, s.probe, probe_dir.path(), spec);

  ChildResult r;  // the process whose rusage and exit status the sample reports
  if (!p.server) {
    r = pr.run(spec);
    if (r.interrupted) {
      run.interrupted = true;
      return run;
    }
    smp.wall_s = r.wall_s;
    if (r.started && r.wall_s > 0) {
      smp.mallocs_per_sec = 1 / r.wall_s;
      smp.ns_per_op = r.wall_s * 1e9;
    }
    if (p.deterministic) run.output = r.out;
  } else {
    ServerRunSettings ss{spec, &p, timeout};
    ServerRun sr = run_server(ss, pr);
    if (sr.interrupted) {
      run.interrupted = true;
      return run;
    }
    r = sr.server;
    smp.wall_s = sr.load.wall_s;
    smp.mallocs_per_sec = sr.requests_per_sec;
    smp.ns_per_op = sr.requests_per_sec > 0 ? 1e9 / sr.requests_per_sec : 0;
    if (p.deterministic) run.output = sr.check_output;
    if (sr.status != Status::ok) {
      smp.peak_rss_kib = r.peak_rss_kib;
      return fail(sr.status, sr.error);
    }
  }
  smp.peak_rss_kib = r.peak_rss_kib;
  smp.page_faults = r.minflt + r.majflt;
  smp.user_s = r.user_s;
  smp.sys_s = r.sys_s;
  if (r.started && !r.timed_out && r.term_signal == 0) smp.exit_status = r.exit_code;

  if (!p.server) {
    if (!r.started) return fail(Status::failed, r.start_error.empty() ? "could not start" : r.start_error);
    if (r.timed_out) return fail(Status::timeout, fmt::format("timed out after {:g} s", timeout));
    if (r.term_signal) {
      std::string e = "crashed: " + signal_name(r.term_signal);
      if (auto t = tail(r.err); !t.empty()) e += " (" + t + ")";
      return fail(Status::crashed, e);
    }
    const bool as_reference = p.exit_status_as_reference && ref;
    const int want = as_reference ? ref->exit_status : p.exit_status;
    if (!(p.exit_status_as_reference && !ref) && r.exit_code != want) {
      std::string e = fmt::format("exit status {} (expected {}{})", r.exit_code, want, as_reference ? ", glibc's" : "");
      if (auto t = tail(r.err); !t.empty()) e += ": " + t;
      return fail(Status::failed, e);
    }
  }
  // ld.so ignores a preload it cannot load and runs with glibc: never count that.
  if (r.err.find("cannot be preloaded") != std::string::npos)
    return fail(Status::failed, "preload did not take effect: " + tail(r.err, 200));

  std::vector<json> records = read_probe_records(probe_dir.path());
  smp.processes = records;
  if (std::string why = check_probe_records(a, records); !why.empty()) return fail(Status::failed, why);

  if (ref && ref->output && run.output) {
    smp.output_matches = *ref->output == *run.output;
    if (!*smp.output_matches) return fail(Status::failed, describe_output_difference(*ref->output, *run.output));
  }
  return run;
}

RealReference run_real_reference(const WorkloadSpec& w, const RealRunSettings& s, ProcessRunner& pr,
                                 bool& interrupted) {
  AllocatorSpec glibc;
  glibc.name = "glibc";
  glibc.kind = AllocatorKind::peer;
  RealRun run = run_real_program(glibc, w, s, nullptr, pr);
  interrupted = run.interrupted;
  RealReference ref;
  ref.status = run.sample.status;
  ref.error = run.sample.error;
  ref.output = run.output;
  ref.exit_status = run.sample.exit_status.value_or(0);
  return ref;
}

}  // namespace alloclab::harness
