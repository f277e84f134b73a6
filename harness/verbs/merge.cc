// verbs/merge.cc — the `merge` verb: load, check and merge the shards, write, print the table.
#include "verbs/merge.h"

#include <cstdio>

#include "analysis/summary.h"
#include "core/types.h"
#include "io/results_json.h"
#include "io/shard_merge.h"
#include "report/tables.h"
#include "run/scheduler.h"
#include "verbs/flags.h"

namespace alloclab::harness {

CLI::App* add_merge_verb(CLI::App& app, MergeArgs& a) {
  auto* merge = app.add_subcommand(
      "merge",
      "Combine the N shard files of one `harness run --shard K/N` into one results file, as if unsharded (refuses "
      "shards of other commits, configurations, seeds or shard counts, duplicates, gaps, overlaps)");
  merge->add_option("files", a.files, "Shard files (every K of 1..N once, any order)")->required();
  merge->add_option("--out,-o", a.out, "Merged results file")->required();
  add_style_flag(*merge, a.style);
  return merge;
}

int merge_verb(const MergeArgs& a, const std::vector<std::string>& command_line) {
  std::vector<ShardFile> shards;
  for (const auto& f : a.files) shards.push_back(load_shard_file(f));
  MergedRun merged = merge_shards(shards, command_line);
  for (const auto& w : merged.warnings) std::fprintf(stderr, "harness: warning: %s\n", w.c_str());
  const RunResults& res = merged.results;
  auto cells = summarize_run(res);
  save_results(a.out, res, cells);
  std::fputs(render_run_table(res, cells, a.style).c_str(), stdout);
  if (!res.instructions.empty())
    std::fputs(render_instructions(res.instructions, res.options.reference, a.style.plain).c_str(), stdout);
  std::fflush(stdout);
  std::fprintf(stderr, "harness: merged %zu shards (%zu workloads, %zu samples) → %s\n", shards.size(),
               res.workloads.size(), res.samples.size(), a.out.c_str());
  if (!res.complete) {
    std::fprintf(stderr, "harness: a shard is incomplete (interrupted): the merge is marked \"complete\": false\n");
    return kExitFailures;
  }
  if (has_failures(res)) {
    std::fprintf(stderr, "harness: the shards recorded failures; see \"failures\" in %s\n", a.out.c_str());
    return kExitFailures;
  }
  return kExitOk;
}

}  // namespace alloclab::harness
