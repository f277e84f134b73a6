// workload.h — what a workload is, as the runner and the tests see it.
//
// Glossary
//   workload   one named, parameterised allocation pattern ("ping_pong_64"). A plain C++
//              function over a params struct; the registry binds the two into a Workload.
//   family     the group a workload belongs to in reports ("ping_pong", "classic", ...).
//   run        one call of Workload::run_once: a fixed chunk of work (about 1-5 ms with
//              glibc) that frees everything it allocated before it returns.
//   mode       kTimed touches each block (one word) and stays lean; kVerify fills every
//              block with a pattern and checks it right before the block is freed.
//
// Counting (RunResult): each workload counts exactly the allocation calls it makes itself.
//   mallocs   = malloc + calloc + realloc(nullptr, n) + realloc(p, n)   (p != nullptr)
//   frees     = free
//   reallocs  = realloc(p, n) with p != nullptr (a subset of mallocs: the call returns a
//               block of the new size and consumes the old one)
//   Invariant after every run (nothing leaks):   mallocs == frees + reallocs
// Scaffolding (slot arrays, queues) comes from a per-thread scratch buffer that is reused
// across runs, so it does not call malloc in the steady state; std::thread start-up does
// allocate a little per thread and is not counted.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace alloclab::workloads {

enum class Mode { kTimed, kVerify };

struct RunResult {
  uint64_t mallocs = 0;
  uint64_t frees = 0;
  uint64_t reallocs = 0;  // included in mallocs; see the invariant above

  RunResult& operator+=(const RunResult& other) {
    mallocs += other.mallocs;
    frees += other.frees;
    reallocs += other.reallocs;
    return *this;
  }
  friend bool operator==(const RunResult&, const RunResult&) = default;
};

struct Workload {
  std::string name;         // unique, lower_case_with_underscores; the benchmark name
  std::string family;       // report grouping
  std::string description;  // one sentence
  bool in_default_set = false;
  int threads = 1;        // threads that allocate (the caller's thread counts if it does)
  nlohmann::json params;  // the params struct, as recorded in results files
  std::function<RunResult(Mode)> run_once;
};

// Thrown when verify mode finds a corrupted block, when an allocation returns nullptr, or
// when a run leaks. The message names the workload, the block size and the offset.
class VerifyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What every thread of one run shares: the mode, the workload's name for error messages
// and a per-run counter that seeds the verify pattern (so a stale block from an earlier
// run never looks valid). Blocks may be freed by another thread than the one that
// allocated them; the pattern depends only on (address, size, run_id), so any thread can
// check it.
struct RunContext {
  Mode mode;
  const char* workload;
  uint64_t run_id;
};

// A fresh RunContext with the next run_id (thread-safe). `workload` is not copied: it
// must outlive the run (a string literal, or the registry's copy of the name).
RunContext new_run(Mode mode, const char* workload);

}  // namespace alloclab::workloads
