// run/probe_check.h — proof that the allocator answered in a real program: the exit probe
// (workloads/real/probe) writes one record per process that exits normally into a directory
// given by ALLOCLAB_PROBE_DIR; the harness reads them after the run and requires at least one,
// and that every one resolved malloc to the expected library (the same check_provider as the
// runner's children), and — when the allocator exports alloclab_process_stats — that an
// alloclab process created a heap. A cell that fails this is failed, never measured.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

inline constexpr const char* kProbeDirEnv = "ALLOCLAB_PROBE_DIR";

// A fresh directory for one child's probe records, removed with the object.
class ProbeDir {
 public:
  ProbeDir();
  ~ProbeDir();
  ProbeDir(const ProbeDir&) = delete;
  ProbeDir& operator=(const ProbeDir&) = delete;
  const std::string& path() const { return path_; }
  bool ok() const { return !path_.empty(); }

 private:
  std::string path_;
};

// LD_PRELOAD = "<a.library> <probe>" (glibc: the probe alone) and ALLOCLAB_PROBE_DIR = dir.
void apply_probed_preload(const AllocatorSpec& a, const std::string& probe, const std::string& dir, ChildSpec& spec);

// The records of `dir` (probe-<pid>.json), sorted by pid; a record that is not JSON throws
// nothing: it is returned as {"pid": .., "malformed": "<text>"}.
std::vector<json> read_probe_records(const std::string& dir);

// "" when the records prove `a` answered malloc, else why not.
std::string check_probe_records(const AllocatorSpec& a, const std::vector<json>& records);

}  // namespace alloclab::harness
