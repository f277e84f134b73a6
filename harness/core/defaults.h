// core/defaults.h — every default of the harness, in one place. `--help`, RunOptions, the verbs'
// argument structs and harness/README.md all read these; change a value here and in the README.
#pragma once

namespace alloclab::harness {

// Chosen so that the README's `harness run --variants all` (12 variants + 4 peers, the default
// workloads) fits in 10 minutes on 2 cores and `--quick` in 2 (see README.md).
struct RunDefaults {
  // An exact two-sided Wilcoxon signed-rank test on n pairs cannot reach p < 0.05 below
  // n = 6 (its smallest p is 2 / 2^n): fewer rounds can never mark a difference significant.
  static constexpr int kRounds = 10;
  static constexpr double kMinTime = 0.1;         // --benchmark_min_time per measured child, s
  static constexpr double kWarmupMinTime = 0.02;  // for the discarded warm-up pass
  static constexpr int kQuickRounds = 6;
  static constexpr double kQuickMinTime = 0.01;
  static constexpr double kQuickWarmupMinTime = 0.005;
  static constexpr double kTimeout = 30;  // per-child limit, s
  static constexpr double kAlpha = 0.05;  // significance level; CIs at 1 - alpha
  // Layouts rotated over the rounds (--layouts): the build links 4 shifted copies of every
  // variant besides the ordinary library; 4 of the 5 keep 10 rounds (and --quick's 6)
  // balanced within ±1 while still moving the code placement every round.
  static constexpr int kLayouts = 4;
  // Upper bounds of --rounds and --layouts: beyond them a typo, not an experiment (a day of
  // rounds; more layouts than stack-shift offsets stay distinct, run/measurement.h).
  static constexpr int kMaxRounds = 100000;
  static constexpr int kMaxLayouts = 256;
};

// Bootstrap resamples: the final summary of a run and `compare`; the results file rewritten
// after every round (cheaper: it is redone at the end); the empty file written before round 1;
// the ablation report.
struct ResampleDefaults {
  static constexpr int kSummary = 10000;
  static constexpr int kCheckpoint = 2000;
  static constexpr int kInitialSave = 100;
  static constexpr int kReport = 2000;
};

struct CallgrindDefaults {
  static constexpr long kIterations = 2;         // whole workload runs inside the measured region
  static constexpr double kTimeout = 600;        // per-child limit of `harness callgrind`, s
  static constexpr double kRunMinTimeout = 300;  // `harness run --callgrind`: max(this, --timeout)
  // Branch and cache simulation beside the instructions (--no-mechanism turns it off).
  static constexpr bool kMechanism = true;
  // The simulated caches (valgrind's --I1/--D1/--LL size,associativity,line size): this
  // machine's L1i, L1d and per-core L2 as the last level. Fixed, so the counts do not depend on
  // what valgrind detects on the host (here it would take the VM's 480 MiB L3 as LL, which only
  // cold misses miss).
  static constexpr const char* kI1 = "65536,16,64";
  static constexpr const char* kD1 = "49152,12,64";
  static constexpr const char* kLL = "2097152,16,64";
};

struct ExecDefaults {
  static constexpr double kTimeout = 600;  // per-run limit of `harness exec`, s
  // Rounds of `harness exec`: a real program takes seconds, so fewer than `run`'s 10; an exact
  // signed-rank test needs 6 to mark anything significant (RunDefaults::kRounds).
  static constexpr int kRounds = 3;
};

struct ValidateDefaults {
  // `validate --aa` fails when P(this many significant cells or more | no difference) is below.
  static constexpr double kAaMinTailP = 0.01;
  // `validate --layout` (A/A'): baseline vs its shifted copies. It needs this many shifted
  // copies, and fails when more than this share of copy × workload cells is significant after
  // Benjamini-Hochberg.
  static constexpr int kLayoutMinShiftedCopies = 4;
  static constexpr double kLayoutMaxSignificantShare = 0.05;
};

// `harness report`: instructions per malloc (callgrind, deterministic and placement-insensitive)
// beside every time ratio. Callgrind counts repeat to well under 0.1 %, and an optimization that
// changes the work per malloc changes it by more than 0.5 % (one instruction of ~60 on the fast
// path is 1.7 %), so a significant time effect with |instruction ratio - 1| <= 0.5 % did not
// come from different work: code placement is the suspect. 2 % is the smallest instruction
// change this machine's time noise can show (±1-6 % CIs at 10 rounds, README): an instruction
// change of 2 % or more without a significant time change is "below noise", not "no effect".
struct ReportDefaults {
  static constexpr double kPlacementSuspectMaxInsChange = 0.005;  // |ins ratio - 1| <= this
  static constexpr double kBelowNoiseMinInsChange = 0.02;         // |ins ratio - 1| >= this
};

struct GateDefaults {
  static constexpr double kMaxRegression = 0.05;  // shown as "5%" in --help
  // `gate --metric instructions` without --baseline-results: the committed callgrind reference,
  // relative to the source tree (README "Gating in CI" says how it is recorded).
  static constexpr const char* kInstructionsReference = "results/instructions-reference.json";
};

// `harness ab` (a revision against its base, side by side on one machine).
struct AbDefaults {
  // Wall time: the gate's threshold; the same-run pairing makes it meaningful on any machine.
  static constexpr double kMaxRegression = 0.05;
  // Instructions per malloc: callgrind counts repeat to well under 0.1 % (ReportDefaults), and
  // one added instruction on the ~60-instruction fast path is +1.7 %: 1 % fails any change
  // that adds work to every malloc and never fails on callgrind's own repeat noise.
  static constexpr double kMaxInstructionsRegression = 0.01;
  // Workloads with threads > 1: callgrind serialises the threads and their interleaving decides
  // how long they wait and retry, so the same library's count moves between runs (measured, same
  // base library in two ab runs: producer_consumer +0.98 % and +1.3 %, larson +0.87 %;
  // notes/ab-measured.md). 3 % keeps a margin above that; the single-threaded cells, at 1 %, catch
  // one added instruction per malloc.
  static constexpr double kMaxInstructionsRegressionThreaded = 0.03;
  // What fits a 2-core CI runner in 10 minutes with the base build (scripts/ci-gate.sh,
  // notes/ab.md): the variant every optimization is measured against and the one that ships.
  static constexpr const char* kVariants = "baseline,all";
  static constexpr double kBuildTimeout = 3600;  // per configure / build step of a revision, s
};

}  // namespace alloclab::harness
