// core/types.h — the harness's plain records. Everything else reads and writes these: the
// scheduler fills them, results_json serializes them, the table / report / gate / compare
// writers read them. No logic here beyond enum <-> string.
//
// Glossary
//   allocator  one malloc implementation the runner is run with: an alloclab variant
//              (liballoclab-<v>.so), a peer (glibc = no preload, mimalloc, jemalloc,
//              tcmalloc) or a custom library given with --allocator NAME=PATH.
//   workload   one benchmark of alloclab-runner (`runner --list`), or a real program
//              (kind "real": workloads/real/programs.json, named real:<name>, or the command
//              of `harness exec`, named exec:<program>).
//   cell       one (allocator, workload) pair.
//   round      one pass over every cell, in a freshly shuffled order; R rounds give R
//              samples per cell, and pairs (candidate, reference) of the same round.
//   sample     one child process's measurement of one cell in one round.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/defaults.h"

namespace alloclab::harness {

using json = nlohmann::json;

// Exit codes shared by every verb.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailures = 1;  // failed cells, a failed gate
inline constexpr int kExitUsage = 2;     // bad flags, unknown names, missing/malformed files
inline constexpr int kExitInterrupted = 130;

enum class AllocatorKind { variant, peer, custom };
std::string_view to_string(AllocatorKind k);

// The variants' families: ours ("alloclab": liballoclab-<v>.so) and external builds of another
// allocator with the same factors as patches, named "<family>:<v>" (mimalloc:all).
inline constexpr const char* kAlloclabFamily = "alloclab";
std::optional<AllocatorKind> allocator_kind_from_string(std::string_view s);

struct AllocatorSpec {
  std::string name;
  AllocatorKind kind = AllocatorKind::variant;
  std::string library;            // file to LD_PRELOAD; empty = no preload (glibc)
  json options = json::object();  // variant options from the manifest ({} for peers)
  std::string factors;            // variant factor levels, e.g. "01001" ("" when not a variant)
  std::vector<std::string> sets;  // manifest sets: default, factorial, sweep
  bool stats_twin = false;        // library is the variant's -stats twin (harness run --stats)
  // Preload check: the name alloclab_variant() must report. Empty for peers and glibc (no
  // alloclab library may answer); not checked for custom allocators.
  std::string expected_variant;
  // Layout copies of a variant (build/lib/liballoclab-<v>-layout<i>.so, the same code linked
  // at other addresses): index = copy, [0] == library. Empty (or one entry) = one copy: peers,
  // custom allocators and -stats twins. `harness run --layouts K` preloads copy L(r) mod size.
  std::vector<std::string> layout_libraries;
};

// An allocator that was asked for but cannot run here (peer not installed).
struct SkippedAllocator {
  std::string name;
  AllocatorKind kind = AllocatorKind::peer;
  std::string reason;
};

struct WorkloadSpec {
  std::string name;
  std::string family;
  std::string description;
  bool is_default = false;
  int threads = 1;
  json params = json::object();  // runner: its parameters; real: the program's declaration
  // "runner" (alloclab-runner) or "real" (a real program: run/real_programs.h).
  std::string kind = "runner";
  // What Sample::mallocs_per_sec holds for this workload (higher is better in every case):
  // mallocs_per_sec (runner), runs_per_sec (a batch real program: 1 / wall time),
  // requests_per_sec (a server: its load generator's throughput).
  std::string metric = "mallocs_per_sec";
  bool is_real() const { return kind == "real"; }
};

enum class Status { ok, failed, timeout, crashed, skipped };
std::string_view to_string(Status s);
std::optional<Status> status_from_string(std::string_view s);

struct Sample {
  std::string allocator, workload;
  int round = 0;  // 1..R
  int order = 0;  // position of this cell within its round's shuffled order (0-based)
  Status status = Status::ok;
  std::string error;  // empty when ok
  // The cell's throughput: mallocs/s for runner workloads; for a real program its workload's
  // `metric` (runs/s = 1 / wall_s for a batch program, requests/s for a server).
  double mallocs_per_sec = 0;
  double ns_per_op = 0;                      // 1e9 / mallocs_per_sec: wall nanoseconds per malloc (+ its free)
  double real_time_ns = 0, cpu_time_ns = 0;  // Google Benchmark's per-iteration times
  std::int64_t iterations = 0;
  std::int64_t peak_rss_kib = 0;  // wait4 ru_maxrss
  std::int64_t page_faults = 0;   // ru_minflt + ru_majflt
  double wall_s = 0;              // child's wall time, start to exit
  std::optional<json> counters;   // alloclab stats JSON (harness run --stats)
  int layout = 0;                 // layout copy preloaded (index into layout_libraries; 0 = library)
  // The runner's context "address_layout" ({"malloc", "malloc_library_base", "runner_code",
  // "stack", "heap"}: decimal addresses); nullopt when the runner did not print it.
  std::optional<json> address_layout;
  // Real programs: CPU times (rusage of the program, or of the server), its exit status,
  // whether its output matched the glibc reference run (nullopt: not compared), and the exit
  // probe's records ({pid, exe, malloc_provider, alloclab_variant, process_stats} per process).
  std::optional<double> user_s, sys_s;
  std::optional<int> exit_status;
  std::optional<bool> output_matches;
  std::optional<json> processes;
};

// Where a run is. callgrind is a progress phase only: callgrind failures are recorded as
// measure (the results schema's phase is setup|verify|warmup|measure).
enum class Phase { setup, verify, warmup, measure, callgrind };
std::string_view to_string(Phase p);
std::optional<Phase> phase_from_string(std::string_view s);

struct Failure {
  std::string allocator, workload;  // workload empty for a setup failure
  int round = 0;                    // 0 for setup / verify / warm-up
  Phase phase = Phase::measure;
  Status status = Status::failed;
  std::string error;
};

struct RunOptions {
  int rounds = RunDefaults::kRounds;
  double min_time = RunDefaults::kMinTime;               // --benchmark_min_time per measured child, seconds
  double warmup_min_time = RunDefaults::kWarmupMinTime;  // for the discarded warm-up pass
  double timeout_s = RunDefaults::kTimeout;              // per-child limit
  double alpha = RunDefaults::kAlpha;
  std::string reference = "baseline";
  std::uint64_t seed = 1;
  bool stats = false;  // -stats twins, counters recorded
  bool warmup = true;
  bool verify = true;
  bool quick = false;
  std::string runner;    // alloclab-runner path
  std::string manifest;  // manifest path ("" if none was read)
  // Layouts rotated over the rounds (harness run --layouts K): round r uses layout index L(r)
  // for every allocator (copy L(r) mod its copies, stack shift of index L(r)). 1 = none.
  int layouts = RunDefaults::kLayouts;
  bool aslr = true;  // false: children run with address-space randomization disabled
  // Real programs: the exit probe preloaded after the allocator (workloads/real/probe), "" = none
  // selected (no real workload).
  std::string probe;
};

// Callgrind's branch-predictor and cache simulation (--branch-sim=yes --cache-sim=yes) over
// the same measured region as the instruction count: event totals, named after callgrind's
// events. Simulated, not this CPU's: 2-bit counters indexed by branch address and global
// history for conditional branches, a last-target table for indirect ones, and an I1/D1 + LL
// cache of CallgrindDefaults' geometry.
struct MechanismCount {
  std::int64_t cond_branches = 0, cond_mispredicts = 0;          // Bc, Bcm
  std::int64_t indirect_branches = 0, indirect_mispredicts = 0;  // Bi, Bim
  std::int64_t data_reads = 0, data_writes = 0;                  // Dr, Dw
  std::int64_t d1_read_misses = 0, d1_write_misses = 0;          // D1mr, D1mw
  std::int64_t ll_read_misses = 0, ll_write_misses = 0;          // DLmr, DLmw (data side)
  std::int64_t i1_misses = 0, ll_instruction_misses = 0;         // I1mr, ILmr
  std::string caches;  // the simulated geometry, from callgrind's "desc:" lines
  // The report's columns: every mispredicted branch, every D1 miss, every LL miss (data and
  // instruction side).
  std::int64_t mispredicts() const { return cond_mispredicts + indirect_mispredicts; }
  std::int64_t d1_misses() const { return d1_read_misses + d1_write_misses; }
  std::int64_t ll_misses() const { return ll_read_misses + ll_write_misses + ll_instruction_misses; }
  bool operator==(const MechanismCount&) const = default;
};

// Instruction counts from callgrind (harness callgrind / harness run --callgrind).
struct InstructionCount {
  std::string allocator, workload;
  std::int64_t iterations = 0, mallocs = 0, frees = 0;
  std::int64_t instructions = 0;  // total Ir inside alloclab_measured_region
  double instructions_per_malloc = 0;
  std::optional<MechanismCount> mechanism;  // nullopt: counted without the simulation
  Status status = Status::ok;
  std::string error;
  double per_malloc(std::int64_t events) const {
    return mallocs > 0 ? static_cast<double>(events) / static_cast<double>(mallocs) : 0;
  }
};

// One shard of a sharded run (harness run --shard K/N): it measured only the workloads the
// dealing rule (run/shards.h) gives to `index` out of `selection`, all R rounds of each.
struct ShardInfo {
  int index = 1, count = 1;            // K and N, 1 <= K <= N
  std::vector<std::string> selection;  // every selected workload, in resolved order (all shards')
  std::string manifest_digest;         // FNV-1a 64 of the manifest file's bytes ("" = no manifest)
};

struct RunResults {
  json context = json::object();
  RunOptions options;
  std::optional<ShardInfo> shard;         // set when this file is one shard of a sharded run
  std::vector<std::string> factor_names;  // manifest "factors": bit i of a variant's factors
  std::vector<AllocatorSpec> allocators;
  std::vector<SkippedAllocator> skipped;
  std::vector<WorkloadSpec> workloads;
  std::vector<Sample> samples;
  std::vector<Failure> failures;
  std::vector<InstructionCount> instructions;
  bool complete = false;
  int rounds_completed = 0;

  const AllocatorSpec* find_allocator(std::string_view name) const;
  const WorkloadSpec* find_workload(std::string_view name) const;
};

// A variant's family: the name's "<family>:" prefix (the manifest gives every external build
// one), else kAlloclabFamily; "" for peers and custom allocators.
std::string variant_family(const AllocatorSpec& a);

}  // namespace alloclab::harness
