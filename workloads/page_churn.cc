// page_churn.cc — a whole live set allocated, then freed, again and again. With the set
// inside one 64 KiB page the allocator can keep reusing a single page; spanning several
// pages it must move between pages (and may release and re-acquire them) every round.
#include "workloads/families.h"
#include "workloads/support.h"

namespace alloclab::workloads {

RunResult page_churn(const RunContext& ctx, const PageChurnParams& p) {
  Tracker t(ctx);
  auto ptrs = scratch<void*>(0, p.blocks);
  for (uint64_t r = 0; r < p.rounds; ++r) {
    for (auto& q : ptrs) q = t.alloc(p.size);
    for (auto& q : ptrs) t.release(q, p.size);
  }
  return t.result();
}

}  // namespace alloclab::workloads
