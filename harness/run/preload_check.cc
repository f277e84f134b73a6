// run/preload_check.cc — a custom allocator library, tried in a child before the run.
#include "run/preload_check.h"

#include <fmt/format.h>

#include "run/measurement.h"
#include "run/probe_check.h"

namespace alloclab::harness {

std::string check_preloadable(const std::string& library, const std::string& probe, ProcessRunner& pr) {
  ProbeDir dir;
  if (!dir.ok()) return "cannot create a temporary directory for the preload check";
  ChildSpec spec;
  spec.argv = {"/bin/true"};
  spec.timeout_s = 10;
  AllocatorSpec a;
  a.name = "custom";
  a.kind = AllocatorKind::custom;
  a.library = library;
  apply_probed_preload(a, probe, dir.path(), spec);
  ChildResult r = pr.run(spec);
  // ld.so: "ERROR: ld.so: object 'X' from LD_PRELOAD cannot be preloaded (REASON): ignored."
  if (auto at = r.err.find("cannot be preloaded"); at != std::string::npos) {
    auto open = r.err.find('(', at), close = r.err.find("): ignored", at);
    if (open != std::string::npos && close != std::string::npos && close > open)
      return fmt::format("the dynamic loader cannot preload it: {}", r.err.substr(open + 1, close - open - 1));
    return "the dynamic loader cannot preload it: " + tail(r.err, 200);
  }
  if (Outcome o = classify_exit(r, spec.timeout_s); !o.ok())
    return fmt::format("/bin/true with it preloaded failed: {}", o.error);
  auto records = read_probe_records(dir.path());
  if (records.empty())
    return fmt::format("the preload check wrote no probe record (is {} the exit probe? build target alloclab-probe)",
                       probe);
  const std::string provider = records.front().value("malloc_provider", std::string{});
  if (!check_provider(a, provider, "").empty())
    return fmt::format("it does not export malloc: with it preloaded, malloc resolves to {}",
                       provider.empty() ? "(unknown)" : provider);
  return {};
}

}  // namespace alloclab::harness
