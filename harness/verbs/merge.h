// verbs/merge.h — `harness merge SHARD.json... --out MERGED.json`: the shard files of one sharded
// run (harness run --shard K/N, io/shard_merge.h) into one results file, written atomically.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "report/text_table.h"

namespace alloclab::harness {

struct MergeArgs {
  std::vector<std::string> files;
  std::string out;
  Style style;
};

CLI::App* add_merge_verb(CLI::App& app, MergeArgs& args);
// 0 merged; 1 merged, but a shard had failed cells or was incomplete; 2 refused (nothing written).
int merge_verb(const MergeArgs& args, const std::vector<std::string>& command_line);

}  // namespace alloclab::harness
