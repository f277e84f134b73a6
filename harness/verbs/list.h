// verbs/list.h — `harness list [--json]`: the manifest's variants, the peers found on this
// machine, the runner's workloads.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "report/text_table.h"

namespace alloclab::harness {

struct ListArgs {
  bool json = false;
  std::string manifest, runner;
  Style style;
};

CLI::App* add_list_verb(CLI::App& app, ListArgs& args);
// 0, or 2 when the manifest or the runner could not be read (the rest is still listed).
int list_verb(const ListArgs& args);

}  // namespace alloclab::harness
