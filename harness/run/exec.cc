// run/exec.cc — real programs under each allocator.
#include "run/exec.h"

#include <fmt/format.h>

#include "run/measurement.h"

namespace alloclab::harness {

std::vector<ExecResult> run_exec(const std::vector<AllocatorSpec>& allocators, const std::vector<std::string>& command,
                                 double timeout_s, ProcessRunner& pr) {
  std::vector<ExecResult> out;
  std::string first_out;
  int first_exit = 0;
  for (std::size_t i = 0; i < allocators.size(); ++i) {
    if (interrupt_requested()) break;
    const AllocatorSpec& a = allocators[i];
    ChildSpec spec;
    spec.argv = command;
    spec.timeout_s = timeout_s;
    apply_preload(a, spec);
    ChildResult r = pr.run(spec);
    ExecResult e;
    e.allocator = a.name;
    e.exit_code = r.exit_code;
    e.wall_s = r.wall_s;
    e.peak_rss_kib = r.peak_rss_kib;
    e.page_faults = r.minflt + r.majflt;
    if (!r.started) {
      e.status = Status::failed;
      e.error = r.start_error;
    } else if (r.timed_out) {
      e.status = Status::timeout;
      e.error = fmt::format("timed out after {:g} s", timeout_s);
    } else if (r.term_signal) {
      e.status = Status::crashed;
      e.error = "crashed: " + signal_name(r.term_signal);
    } else if (r.err.find("from LD_PRELOAD cannot be preloaded") != std::string::npos) {
      // ld.so ignores a preload it cannot load and runs with glibc: never count that.
      e.status = Status::failed;
      e.error = "preload did not take effect: " + tail(r.err, 200);
    }
    if (i == 0) {
      first_out = r.out;
      first_exit = r.exit_code;
    } else {
      e.stdout_matches = r.out == first_out;
      if (e.status == Status::ok && r.exit_code != first_exit) {
        e.status = Status::failed;
        e.error = fmt::format("exit status {} (the {} run exited {})", r.exit_code, allocators[0].name, first_exit);
      }
    }
    out.push_back(e);
  }
  return out;
}

int exec_exit_code(const std::vector<ExecResult>& results) {
  for (const auto& e : results)
    if (e.status != Status::ok || !e.stdout_matches) return kExitFailures;
  return kExitOk;
}

}  // namespace alloclab::harness
