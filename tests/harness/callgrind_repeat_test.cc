// harness.callgrind_repeat: two `harness callgrind` runs of one variant × one workload give
// identical counts — instructions and every simulated branch and cache event. Real valgrind
// runs (about 1-2 s each, ASLR on); it fails if anything in the children's address space or in
// the simulation varies between runs (ASLR reaching the simulated cache sets), which would
// make the counts unusable as a deterministic metric. baseline × interleaved is single-threaded
// and takes none of the allocator's clock-driven retire/purge decisions; cells that do (and
// 2-thread cells) vary a little between runs for that reason (notes/mechanism.md).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/results_json.h"
#include "test_util.h"

#ifndef ALLOCLAB_VALGRIND
#error "ALLOCLAB_VALGRIND must name the valgrind binary"
#endif

namespace alloclab::harness {
namespace {

using testing::cli;

InstructionCount count_once(const testing::TempDir& dir, const std::string& name) {
  const std::string out = dir.file(name);
  EXPECT_EQ(cli({"callgrind", "--variants", "baseline", "--workloads", "interleaved", "--iterations", "1", "--valgrind",
                 ALLOCLAB_VALGRIND, "--style", "plain", "--out", out}),
            0);
  RunResults r = load_results(out);
  EXPECT_EQ(r.instructions.size(), 1u);
  return r.instructions.empty() ? InstructionCount{} : r.instructions.front();
}

TEST(CallgrindRepeat, TwoRunsCountTheSame) {
  testing::TempDir dir;
  InstructionCount a = count_once(dir, "a.json");
  InstructionCount b = count_once(dir, "b.json");
  ASSERT_EQ(a.status, Status::ok) << a.error;
  ASSERT_EQ(b.status, Status::ok) << b.error;
  ASSERT_TRUE(a.mechanism.has_value()) << "the default run did not simulate branches and caches";
  ASSERT_TRUE(b.mechanism.has_value());
  // The simulation ran: the workload has branches, data misses and mispredictions to count.
  EXPECT_GT(a.mechanism->cond_branches, a.mallocs);
  EXPECT_GT(a.mechanism->d1_misses(), 0);
  EXPECT_GT(a.mechanism->mispredicts(), 0);
  EXPECT_EQ(a.mallocs, b.mallocs);
  EXPECT_EQ(a.instructions, b.instructions);
  EXPECT_EQ(a.mechanism->cond_branches, b.mechanism->cond_branches);
  EXPECT_EQ(a.mechanism->cond_mispredicts, b.mechanism->cond_mispredicts);
  EXPECT_EQ(a.mechanism->indirect_mispredicts, b.mechanism->indirect_mispredicts);
  EXPECT_EQ(a.mechanism->d1_misses(), b.mechanism->d1_misses());
  EXPECT_EQ(a.mechanism->ll_misses(), b.mechanism->ll_misses());
  EXPECT_EQ(*a.mechanism, *b.mechanism);  // and every other event
}

}  // namespace
}  // namespace alloclab::harness
