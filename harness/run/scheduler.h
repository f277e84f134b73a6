// run/scheduler.h — the run loop. For R rounds, every (allocator, workload) cell runs once in a
// freshly shuffled order, each in a fresh child process. Before round 1: a verify pass
// (`runner --verify`, once per cell) and one discarded warm-up pass; a cell that fails either
// is not timed (its round samples are recorded as "skipped").
//
//   run_schedule → preflight (verify, warm-up) → round 1..R: order = round_order(seed, r),
//                layout L(r) = layout_sequence(...)[r-1] → measure_cell → interpret_measurement
//                → Sample → observer.on_round_complete
// Verify and warm-up use layout 0 (the ordinary library, no stack shift).
//
// Real programs (workloads of kind "real": run/real_cell.h) share the same rounds, order and
// layout copies; a cell's child is the program instead of the runner. Before its first cell a
// workload's glibc reference run is made (once; its output and exit status are what every
// sample is compared with). Its verify pass is one full checked run, which is also its
// warm-up (the warm-up pass runs it only with --no-verify).
//
// Failures never stop the run: the cell is marked, the error reported, the rest goes on.
// An interrupt (SIGINT/SIGTERM) stops after killing the running child; the caller writes
// what is complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

struct Progress {
  Phase phase = Phase::measure;  // verify, warmup, measure (a round), callgrind
  int round = 0, rounds = 0;
  std::size_t done = 0, total = 0;        // children, over the whole run
  std::size_t cell_index = 0, cells = 0;  // within the current pass
  double elapsed_s = 0, eta_s = 0;
  std::string allocator, workload;
};

class SchedulerObserver {
 public:
  virtual ~SchedulerObserver() = default;
  virtual void on_child_done(const Progress&) {}
  virtual void on_failure(const Failure&) {}
  virtual void on_round_complete(const RunResults&) {}
};

// Several observers as one, told in order (e.g. the progress printer, then the checkpointer
// that rewrites the results file after each round).
class ObserverList final : public SchedulerObserver {
 public:
  explicit ObserverList(std::vector<SchedulerObserver*> observers) : observers_(std::move(observers)) {}
  void on_child_done(const Progress& p) override {
    for (auto* o : observers_) o->on_child_done(p);
  }
  void on_failure(const Failure& f) override {
    for (auto* o : observers_) o->on_failure(f);
  }
  void on_round_complete(const RunResults& r) override {
    for (auto* o : observers_) o->on_round_complete(r);
  }

 private:
  std::vector<SchedulerObserver*> observers_;
};

// The order of cells (indices 0..n-1) in round `round` (0 = the warm-up pass): a
// Fisher–Yates shuffle driven by splitmix64(seed, round), identical on every platform.
std::vector<std::size_t> round_order(std::size_t n, std::uint64_t seed, int round);

// The layout index L(r) of every round r = 1..rounds (element r - 1), for `layouts` = K
// layouts: the rounds in blocks of K, each block a permutation of 0..K-1 drawn by Fisher-Yates
// with stats::Rng seeded from (seed, block number). So every index is used equally often when
// K divides the rounds and within ±1 otherwise, reproducibly. K <= 1: all 0. Every
// allocator of round r uses index L(r): copy L(r) mod its copies, stack shift of L(r).
std::vector<int> layout_sequence(int rounds, int layouts, std::uint64_t seed);

// Runs the schedule over results.allocators × results.workloads with results.options,
// appending to results.samples / results.failures. Returns false if interrupted.
bool run_schedule(RunResults& results, ProcessRunner& pr, SchedulerObserver& observer);

// True when any cell failed (setup skips of missing peers do not count).
bool has_failures(const RunResults& results);

}  // namespace alloclab::harness
