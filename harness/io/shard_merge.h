// io/shard_merge.h — `harness merge`: the N shard files of one run (harness run --shard K/N) back
// into one results file with the structure of the unsharded run: the same cells, the same
// samples per cell, the same config (without config.shard), the summary recomputed over the
// merged samples. Shards that could not come from one run are refused (exit 2), naming the file
// and the field: other commits or builds, another configuration, seed or shard count, a
// duplicate or missing shard, overlapping workloads.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

struct ShardFile {
  std::string path;
  json doc;  // the file as read (the checks compare serialized fields)
  RunResults results;
};

struct MergedRun {
  RunResults results;
  std::vector<std::string> warnings;  // e.g. shards measured on different hosts
};

// Reads and validates one shard file; throws HarnessError (exit 2) like load_results.
ShardFile load_shard_file(const std::string& path);

// Checks and merges, in any order of `shards`. The merged context is shard 1's, with
// context.shards = one record per shard (file, host, date, command line, workloads) and
// context.command_line = `command_line` (the merge's own). Throws HarnessError (exit 2).
MergedRun merge_shards(const std::vector<ShardFile>& shards, const std::vector<std::string>& command_line);

}  // namespace alloclab::harness
