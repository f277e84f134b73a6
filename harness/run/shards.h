// run/shards.h — one run split over machines by workload (harness run --shard K/N): every
// allocator of a workload stays in the same shard, so each round still pairs the allocators of
// a workload; `harness merge` (io/shard_merge.h) puts the shards back together.
//
// Dealing rule: the selected workloads in their resolved order (--workloads, as an unsharded run
// lists them); workload i (0-based) goes to shard (i mod N) + 1. Round-robin keeps it simple and
// deterministic; real programs (listed after the runner's workloads) are spread the same way.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

// "K/N" with 1 <= K <= N (decimal, nothing else); throws HarnessError (exit 2) otherwise.
ShardInfo parse_shard(const std::string& text);

// The shard (1..count) that workload `index` of the selection goes to.
int shard_of_workload(std::size_t index, int count);

// The names of `selection` that shard `index` of `count` measures, in selection order.
std::vector<std::string> shard_workloads(const std::vector<std::string>& selection, int index, int count);

// Keeps only shard.index's workloads in res.workloads and records the shard (its selection =
// every workload res had, the manifest's digest). Throws HarnessError (exit 2) when there are
// more shards than workloads: some shard would get none, and no merge could be complete.
void restrict_to_shard(RunResults& res, ShardInfo shard, const std::string& manifest_path);

// FNV-1a 64 of a file's bytes as 16 hex digits; "" for an empty path, throws HarnessError when the
// file cannot be read. It tells shards built from different manifests apart.
std::string file_digest(const std::string& path);

}  // namespace alloclab::harness
