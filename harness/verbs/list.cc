// verbs/list.cc — the `list` verb: gathers one JSON document, prints it or its tables.
#include "verbs/list.h"

#include <cstdio>
#include <vector>

#include "core/error.h"
#include "report/tables.h"
#include "run/allocators.h"
#include "run/manifest.h"
#include "run/process_runner.h"
#include "run/workloads.h"
#include "verbs/flags.h"

namespace alloclab::harness {
namespace {

// {"variants": [...], "peers": [...], "workloads": [...]}; what could not be read goes to `problems`.
json gather(const ListArgs& a, std::vector<std::string>& problems) {
  PosixProcessRunner pr;
  json out = {{"variants", json::array()}, {"peers", json::array()}, {"workloads", json::array()}};
  try {
    Manifest m = load_manifest(a.manifest);
    for (const auto& v : m.variants)
      out["variants"].push_back(
          {{"name", v.name}, {"sets", v.sets}, {"factors", v.factors}, {"options", v.options}, {"library", v.library}});
  } catch (const HarnessError& e) {
    problems.push_back(e.what());
  }
  for (const auto& p : discover_peers(default_peer_search()))
    out["peers"].push_back({{"name", p.name}, {"found", p.found}, {"library", p.library}, {"looked_for", p.searched}});
  try {
    for (const auto& w : list_workloads(pr, a.runner))
      out["workloads"].push_back({{"name", w.name},
                                  {"family", w.family},
                                  {"default", w.is_default},
                                  {"threads", w.threads},
                                  {"params", w.params},
                                  {"description", w.description}});
  } catch (const HarnessError& e) {
    problems.push_back(e.what());
  }
  return out;
}

}  // namespace

CLI::App* add_list_verb(CLI::App& app, ListArgs& a) {
  auto* list = app.add_subcommand("list", "Show the variants, the peers found on this machine, and the workloads");
  add_path_flags(*list, a.manifest, a.runner);
  add_style_flag(*list, a.style);
  list->add_flag("--json", a.json, "Machine-readable output");
  return list;
}

int list_verb(const ListArgs& a) {
  std::vector<std::string> problems;
  json out = gather(a, problems);
  if (a.json)
    std::printf("%s\n", out.dump(1).c_str());
  else
    std::fputs(render_list(out, a.manifest, a.runner, a.style.plain).c_str(), stdout);
  for (const auto& p : problems) std::fprintf(stderr, "harness: warning: %s\n", p.c_str());
  return problems.empty() ? kExitOk : kExitUsage;
}

}  // namespace alloclab::harness
