// io/checkpoint.h — the results file of a run in progress: rewritten atomically after every
// round, so an interrupt or a crash late in a run loses at most the round under way.
// A SchedulerObserver beside the progress printer (the scheduler tells both through an
// ObserverList).
#pragma once

#include <string>
#include <vector>

#include "analysis/summary.h"
#include "core/defaults.h"
#include "core/types.h"
#include "run/scheduler.h"

namespace alloclab::harness {

class Checkpointer final : public SchedulerObserver {
 public:
  // `resamples`: bootstrap resamples of the summary written after each round.
  explicit Checkpointer(std::string path, int resamples = ResampleDefaults::kCheckpoint);

  void on_round_complete(const RunResults& r) override;

  // Writes `r` now, with a summary computed with `resamples`, or with the given cells.
  void save(const RunResults& r, int resamples) const;
  void save(const RunResults& r, const std::vector<CellSummary>& cells) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int resamples_;
};

}  // namespace alloclab::harness
