// report/progress.h — the terminal side of a run: a progress line on stderr (phase, round r/R,
// cell i/N, elapsed, ETA; redrawn in place on a terminal, one line per pass with --style
// plain or when stderr is not a terminal) and failure messages. Saving after each round is
// another observer (io/checkpoint.h).
#pragma once

#include <string>

#include "report/text_table.h"
#include "run/scheduler.h"

namespace alloclab::harness {

class ProgressPrinter : public SchedulerObserver {
 public:
  explicit ProgressPrinter(const Style& style);
  ~ProgressPrinter() override;

  void on_child_done(const Progress& p) override;
  void on_failure(const Failure& f) override;
  void finish();  // clears the in-place line

 private:
  void clear_line();
  bool live_;  // redraw in place
  bool dirty_ = false;
};

std::string format_duration(double seconds);  // "1:05", "1:02:03"

}  // namespace alloclab::harness
