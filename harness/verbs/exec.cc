// verbs/exec.cc — the `exec` verb.
#include "verbs/exec.h"

#include <cstdio>
#include <optional>

#include "report/tables.h"
#include "run/allocators.h"
#include "run/exec.h"
#include "run/manifest.h"
#include "verbs/flags.h"

namespace alloclab::harness {

CLI::App* add_exec_verb(CLI::App& app, ExecArgs& a) {
  auto* exec = app.add_subcommand("exec",
                                  "Run a real program once per allocator (preloaded) and compare wall time, "
                                  "peak RSS, exit status and stdout with the glibc run: exec [flags] -- CMD ARGS");
  add_selection_flags(*exec, a.selection);
  exec->add_option("--timeout", a.timeout, "Per-run limit in seconds")->capture_default_str();
  exec->add_option("command", a.command, "The program and its arguments (after --)")->required();
  add_path_flags(*exec, a.selection.manifest, a.selection.runner);
  add_style_flag(*exec, a.selection.style);
  return exec;
}

int exec_verb(const ExecArgs& a, ProcessRunner& pr) {
  const RunArgs& s = a.selection;
  std::optional<Manifest> m;
  if (s.variants != "none") m = load_manifest(s.manifest);
  SelectionRequest req{s.variants, s.peers, s.custom, false, true};
  auto sel = select_allocators(m ? &*m : nullptr, req, discover_peers(default_peer_search()));
  for (const auto& w : sel.warnings) std::fprintf(stderr, "harness: warning: %s\n", w.c_str());
  // glibc first: the run every other stdout is compared with.
  std::vector<AllocatorSpec> allocs;
  AllocatorSpec glibc;
  glibc.name = "glibc";
  glibc.kind = AllocatorKind::peer;
  allocs.push_back(glibc);
  for (const auto& al : sel.allocators)
    if (al.name != "glibc") allocs.push_back(al);
  auto results = run_exec(allocs, a.command, a.timeout, pr);
  std::fputs(render_exec(results, s.style.plain).c_str(), stdout);
  if (interrupt_requested()) return kExitInterrupted;
  return exec_exit_code(results);
}

}  // namespace alloclab::harness
