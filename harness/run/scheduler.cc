// run/scheduler.cc — verify, warm-up, shuffled rounds; failure bookkeeping.
#include "run/scheduler.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "run/measurement.h"
#include "run/real_cell.h"
#include "stats/stats.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Scheduler {
 public:
  Scheduler(RunResults& res, ProcessRunner& pr, SchedulerObserver& obs)
      : res_(res),
        pr_(pr),
        obs_(obs),
        opt_(res.options),
        ncells_(res.allocators.size() * res.workloads.size()),
        excluded_(ncells_, false),
        excluded_reason_(ncells_),
        layout_of_round_(layout_sequence(opt_.rounds, opt_.layouts, opt_.seed)) {
    start_ = std::chrono::steady_clock::now();
    total_ = ncells_ * (static_cast<std::size_t>(opt_.rounds) + (opt_.verify ? 1 : 0) + (opt_.warmup ? 1 : 0));
    if (opt_.stats) {
      std::string tmpl = (fs::temp_directory_path() / "alloclab-stats-XXXXXX").string();
      if (mkdtemp(tmpl.data())) stats_dir_ = tmpl;
    }
  }
  ~Scheduler() {
    if (!stats_dir_.empty()) {
      std::error_code ec;
      fs::remove_all(stats_dir_, ec);
    }
  }

  bool run() {
    if (opt_.verify && !pass(Phase::verify, 0)) return false;
    if (opt_.warmup && !pass(Phase::warmup, 0)) return false;
    for (int r = 1; r <= opt_.rounds; ++r) {
      if (!pass(Phase::measure, r)) return false;
      res_.rounds_completed = r;
      obs_.on_round_complete(res_);
    }
    return true;
  }

 private:
  const AllocatorSpec& alloc_of(std::size_t cell) const { return res_.allocators[cell / res_.workloads.size()]; }
  const WorkloadSpec& work_of(std::size_t cell) const { return res_.workloads[cell % res_.workloads.size()]; }

  void fail(std::size_t cell, int round, Phase phase, Status st, const std::string& error) {
    Failure f{alloc_of(cell).name, work_of(cell).name, round, phase, st, error};
    res_.failures.push_back(f);
    obs_.on_failure(f);
  }

  void exclude(std::size_t cell, const std::string& why) {
    excluded_[cell] = true;
    excluded_reason_[cell] = why;
  }

  // One pass over every cell: verify (in cell order), warm-up or round `round` (shuffled).
  // Returns false when interrupted.
  bool pass(Phase phase, int round) {
    std::vector<std::size_t> order = phase == Phase::verify ? identity() : round_order(ncells_, opt_.seed, round);
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (interrupt_requested()) return false;
      std::size_t cell = order[i];
      bool go_on = phase == Phase::verify   ? verify(cell)
                   : phase == Phase::warmup ? warm_up(cell)
                                            : measure_in_round(cell, round, static_cast<int>(i));
      if (!go_on) return false;
      ++done_;
      report(phase, round, i, alloc_of(cell), work_of(cell));
    }
    return true;
  }

  // A failed verify excludes the cell from the warm-up and the rounds. A real program's verify
  // is one full run with all its checks (output, exit status, probe).
  bool verify(std::size_t cell) {
    if (work_of(cell).is_real()) {
      Sample s = measure_real(cell, -1);
      if (interrupted_) return false;
      if (s.status != Status::ok) {
        fail(cell, 0, Phase::verify, s.status, s.error);
        exclude(cell, "not measured: its verify run failed");
      }
      return true;
    }
    ChildResult r = pr_.run(verify_spec(opt_.runner, alloc_of(cell), work_of(cell), opt_.timeout_s));
    if (r.interrupted) return false;
    Outcome o = interpret_verify(r, opt_.timeout_s);
    if (!o.ok()) {
      fail(cell, 0, Phase::verify, o.status, o.error);
      exclude(cell, "not measured: its verify pass failed");
    }
    return true;
  }

  // The warm-up sample is discarded; a failed warm-up excludes the cell from the rounds.
  bool warm_up(std::size_t cell) {
    if (excluded_[cell]) return true;
    if (work_of(cell).is_real() && opt_.verify) return true;  // its verify run was the warm-up
    Sample s = measure(cell, opt_.warmup_min_time);
    if (interrupted_) return false;
    if (s.status != Status::ok) {
      fail(cell, 0, Phase::warmup, s.status, s.error);
      exclude(cell, "not measured: its warm-up run failed");
    }
    return true;
  }

  // One sample per cell and round; an excluded cell's sample is "skipped" with the reason.
  bool measure_in_round(std::size_t cell, int round, int order) {
    Sample s;
    if (excluded_[cell]) {
      s.status = Status::skipped;
      s.error = excluded_reason_[cell];
    } else {
      const int layout = layout_of_round_[static_cast<std::size_t>(round - 1)];
      s = measure(cell, opt_.min_time, layout);
      if (interrupted_) return false;
      if (s.status != Status::ok) fail(cell, round, Phase::measure, s.status, s.error);
    }
    s.allocator = alloc_of(cell).name;
    s.workload = work_of(cell).name;
    s.round = round;
    s.order = order;
    res_.samples.push_back(std::move(s));
    return true;
  }

  // layout: the round's layout index; -1 for the warm-up (copy 0, no stack-shift flag).
  Sample measure(std::size_t cell, double min_time, int layout = -1) {
    if (work_of(cell).is_real()) return measure_real(cell, layout);
    const int copy = layout_copy(alloc_of(cell), std::max(layout, 0));
    const AllocatorSpec a = with_layout_copy(alloc_of(cell), copy);
    // With layouts, every measured child gets the flag (0000 for index 0): see measure_spec.
    const int shift = layout >= 0 && opt_.layouts > 1 ? stack_shift_bytes(layout) : -1;
    std::string stats_out;
    if (opt_.stats && !stats_dir_.empty()) {
      stats_out = fmt::format("{}/stats-{}.json", stats_dir_, ++stats_seq_);
      std::error_code ec;
      fs::remove(stats_out, ec);
    }
    ChildResult r = pr_.run(measure_spec(opt_.runner, a, work_of(cell), min_time, opt_.timeout_s, stats_out, shift));
    if (r.interrupted) {
      interrupted_ = true;
      return {};
    }
    std::optional<std::string> stats_text;
    if (!stats_out.empty()) stats_text = read_file(stats_out);
    Sample s = interpret_measurement(a, r, opt_.timeout_s, opt_.stats, stats_text);
    s.layout = copy;
    return s;
  }

  // A real program under the cell's allocator (its layout copy; no stack shift), checked
  // against the workload's glibc reference run (made once, on first use).
  Sample measure_real(std::size_t cell, int layout) {
    const WorkloadSpec& w = work_of(cell);
    const RealRunSettings settings{opt_.probe, opt_.timeout_s};
    auto it = references_.find(w.name);
    if (it == references_.end()) {
      bool interrupted = false;
      RealReference ref = run_real_reference(w, settings, pr_, interrupted);
      if (interrupted) {
        interrupted_ = true;
        return {};
      }
      it = references_.emplace(w.name, std::move(ref)).first;
    }
    const int copy = layout_copy(alloc_of(cell), std::max(layout, 0));
    RealRun run = run_real_program(with_layout_copy(alloc_of(cell), copy), w, settings, &it->second, pr_);
    if (run.interrupted) {
      interrupted_ = true;
      return {};
    }
    run.sample.layout = copy;
    return run.sample;
  }

  std::vector<std::size_t> identity() const {
    std::vector<std::size_t> v(ncells_);
    for (std::size_t i = 0; i < ncells_; ++i) v[i] = i;
    return v;
  }

  void report(Phase phase, int round, std::size_t i, const AllocatorSpec& a, const WorkloadSpec& w) {
    Progress p;
    p.phase = phase;
    p.round = round;
    p.rounds = opt_.rounds;
    p.done = done_;
    p.total = total_;
    p.cell_index = i + 1;
    p.cells = ncells_;
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    // ETA: verify, warm-up and measured children take very different times; estimate each
    // kind from its own average so far. Before the first measured child, guess from the
    // warm-up (its overhead plus the longer min-time) or from min-time alone.
    double now = p.elapsed_s, dt = now - last_s_;
    last_s_ = now;
    int kind = phase == Phase::verify ? 0 : phase == Phase::warmup ? 1 : 2;
    kind_s_[kind] += dt;
    ++kind_n_[kind];
    std::size_t totals[3] = {opt_.verify ? ncells_ : 0, opt_.warmup ? ncells_ : 0,
                             ncells_ * static_cast<std::size_t>(opt_.rounds)};
    double guess_measure = 1.25 * opt_.min_time + 0.05;
    if (kind_n_[1]) guess_measure = kind_s_[1] / kind_n_[1] + 1.25 * (opt_.min_time - opt_.warmup_min_time);
    double guesses[3] = {0.05, 1.25 * opt_.warmup_min_time + 0.05, guess_measure};
    p.eta_s = 0;
    for (int k = 0; k < 3; ++k) {
      std::size_t left = totals[k] > kind_n_[k] ? totals[k] - kind_n_[k] : 0;
      p.eta_s += static_cast<double>(left) * (kind_n_[k] ? kind_s_[k] / kind_n_[k] : guesses[k]);
    }
    p.allocator = a.name;
    p.workload = w.name;
    obs_.on_child_done(p);
  }

  RunResults& res_;
  ProcessRunner& pr_;
  SchedulerObserver& obs_;
  const RunOptions& opt_;
  std::size_t ncells_;
  std::vector<bool> excluded_;
  std::vector<std::string> excluded_reason_;
  std::vector<int> layout_of_round_;                 // L(r) at r - 1
  std::map<std::string, RealReference> references_;  // real workload -> its glibc reference run
  std::string stats_dir_;
  std::size_t stats_seq_ = 0;
  std::size_t done_ = 0, total_ = 0;
  bool interrupted_ = false;
  double last_s_ = 0, kind_s_[3] = {0, 0, 0};
  std::size_t kind_n_[3] = {0, 0, 0};
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

std::vector<std::size_t> round_order(std::size_t n, std::uint64_t seed, int round) {
  std::vector<std::size_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i;
  std::uint64_t state = seed ^ (0xa0761d6478bd642fULL * static_cast<std::uint64_t>(round + 1));
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(stats::splitmix64(state) % i);
    std::swap(v[i - 1], v[j]);
  }
  return v;
}

std::vector<int> layout_sequence(int rounds, int layouts, std::uint64_t seed) {
  std::vector<int> out;
  if (rounds <= 0) return out;
  out.reserve(static_cast<std::size_t>(rounds));
  if (layouts <= 1) return std::vector<int>(static_cast<std::size_t>(rounds), 0);
  std::vector<int> block(static_cast<std::size_t>(layouts));
  for (std::uint64_t b = 0; static_cast<int>(out.size()) < rounds; ++b) {
    // Its own stream per block: ("layouts", seed, block) through splitmix64 into xoshiro.
    std::uint64_t state = seed ^ 0x6c61796f75747321ULL;  // "layouts!"
    state += 0x9e3779b97f4a7c15ULL * (b + 1);
    stats::Rng rng(stats::splitmix64(state));
    for (int i = 0; i < layouts; ++i) block[static_cast<std::size_t>(i)] = i;
    for (std::size_t i = block.size(); i > 1; --i) std::swap(block[i - 1], block[rng.below(i)]);
    for (int x : block)
      if (static_cast<int>(out.size()) < rounds) out.push_back(x);
  }
  return out;
}

bool run_schedule(RunResults& results, ProcessRunner& pr, SchedulerObserver& observer) {
  if (results.allocators.empty() || results.workloads.empty()) return true;
  Scheduler s(results, pr, observer);
  return s.run();
}

bool has_failures(const RunResults& results) {
  for (const auto& f : results.failures)
    if (f.phase != Phase::setup) return true;
  return false;
}

}  // namespace alloclab::harness
