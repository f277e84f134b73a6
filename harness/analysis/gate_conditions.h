// analysis/gate_conditions.h — may two results files be gated against each other? The
// measurement conditions both files record (context and config) that change what a ratio or
// an instruction count means; every one that differs is a mismatch, and `harness gate` refuses
// (exit 2) unless --allow-mismatch.
//
// mallocs_per_sec: a same-run ratio of separately linked libraries moves with the CPU (cache
// sizes, prefetchers, branch predictors), the build, and the measurement protocol. Must match:
//   cpu_model, cores (context) — the machine;
//   compiler, compiler_flags, build_type (context) — the code under test;
//   quick, rounds, min_time, warmup, warmup_min_time (config) — the protocol: a shorter
//     min-time or no warm-up measures start-up more, and the number of rounds is the power;
//   layouts, aslr (config) — which code placements the ratio is averaged over;
//   stats (config) — the -stats twins are other libraries.
// Not checked: host, kernel, seed, timeout, alpha, verify, paths (they do not change a
// ratio, or change with every checkout), git_commit (the thing being gated).
//
// instructions: callgrind counts are deterministic and do not depend on the CPU's speed, the
// rounds or the min-time, so only what changes the executed instructions must match: compiler,
// compiler_flags, build_type (other code), the callgrind iterations per child (the warm-up
// share of each count), and the valgrind version where both files record it (its CPUID
// emulation picks glibc's string functions). A different cpu_model is only warned about: glibc
// selects memcpy/memset by CPU features, so counts of paths that copy or zero may move.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

struct GateMismatch {
  std::string field;  // "cpu_model", "min_time", "callgrind_iterations", ...
  std::string candidate, reference;
  // "cpu_model: candidate 'X' vs reference 'Y'"
  std::string describe() const;
};

struct GateConditions {
  std::vector<GateMismatch> mismatches;  // refused unless --allow-mismatch
  std::vector<std::string> notes;        // differences worth a warning, never refused
};

GateConditions compare_conditions(const RunResults& candidate, const RunResults& reference, bool instructions);

}  // namespace alloclab::harness
