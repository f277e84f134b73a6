// report/progress.cc — progress line and failure messages on stderr.
#include "report/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace alloclab::harness {

std::string format_duration(double s) {
  long t = std::lround(std::max(0.0, s));
  if (t >= 3600) return fmt::format("{}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60);
  return fmt::format("{}:{:02}", t / 60, t % 60);
}

ProgressPrinter::ProgressPrinter(const Style& style) : live_(!style.plain && isatty(STDERR_FILENO)) {}

ProgressPrinter::~ProgressPrinter() { finish(); }

void ProgressPrinter::clear_line() {
  if (dirty_) {
    std::fputs("\r\033[K", stderr);
    dirty_ = false;
  }
}

void ProgressPrinter::finish() { clear_line(); }

void ProgressPrinter::on_child_done(const Progress& p) {
  std::string where = p.phase == Phase::measure  ? fmt::format("round {}/{}", p.round, p.rounds)
                      : p.phase == Phase::warmup ? std::string("warm-up")
                                                 : std::string(to_string(p.phase));
  if (live_) {
    std::string line = fmt::format("[{}] cell {}/{}  elapsed {}  ETA {}  {}/{}", where, p.cell_index, p.cells,
                                   format_duration(p.elapsed_s), format_duration(p.eta_s), p.allocator, p.workload);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    dirty_ = true;
  } else if (p.cell_index == p.cells) {
    std::fprintf(stderr, "[%s] done: %zu cells  elapsed %s  ETA %s\n", where.c_str(), p.cells,
                 format_duration(p.elapsed_s).c_str(), format_duration(p.eta_s).c_str());
  }
}

void ProgressPrinter::on_failure(const Failure& f) {
  clear_line();
  std::string when = f.phase == Phase::measure ? fmt::format("round {}", f.round) : std::string(to_string(f.phase));
  std::fprintf(stderr, "harness: FAIL %s/%s (%s, %s): %s\n", f.allocator.c_str(), f.workload.c_str(), when.c_str(),
               std::string(to_string(f.status)).c_str(), f.error.c_str());
}

}  // namespace alloclab::harness
