// analysis/instructions.cc — merging a callgrind results file into a timed run.
#include "analysis/instructions.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"

namespace alloclab::harness {
namespace {

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> merge_instructions(RunResults& r, const RunResults& cg, const std::string& origin) {
  if (cg.instructions.empty())
    throw HarnessError(
        fmt::format("--instructions {}: no \"instructions\" section (expected a results file of `harness callgrind` or "
                    "`harness run --callgrind`)",
                    origin));
  std::set<std::string> no_alloc, no_workload, failed;
  std::size_t merged = 0;
  for (const auto& i : cg.instructions) {
    if (!r.find_allocator(i.allocator)) {
      no_alloc.insert(i.allocator);
      continue;
    }
    if (!r.find_workload(i.workload)) {
      no_workload.insert(i.workload);
      continue;
    }
    if (i.status != Status::ok || i.instructions_per_malloc <= 0) {
      failed.insert(i.allocator + "/" + i.workload);
      continue;
    }
    std::erase_if(r.instructions,
                  [&](const InstructionCount& o) { return o.allocator == i.allocator && o.workload == i.workload; });
    r.instructions.push_back(i);
    ++merged;
  }
  std::vector<std::string> notes;
  notes.push_back(fmt::format("instructions per malloc from {}: {} cells", origin, merged));
  if (!no_alloc.empty())
    notes.push_back(fmt::format("{}: allocators not in this run, skipped: {}", origin, join(no_alloc)));
  if (!no_workload.empty())
    notes.push_back(fmt::format("{}: workloads not in this run, skipped: {}", origin, join(no_workload)));
  if (!failed.empty()) notes.push_back(fmt::format("{}: failed counts, skipped: {}", origin, join(failed)));
  return notes;
}

}  // namespace alloclab::harness
