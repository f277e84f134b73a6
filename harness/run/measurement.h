// run/measurement.h — how one cell becomes a child process and how its output becomes a Sample.
// Pure functions over ChildSpec / ChildResult: the scheduler's tests drive them with a fake
// ProcessRunner.
//
// Runner calls (workloads/ owns the runner; this is its fixed interface):
//   verify:  RUNNER --verify --benchmark_filter=^NAME$      exit 0 {"verified":[...]}, exit 3 + stderr
//   measure: RUNNER --benchmark_filter=^NAME$ --benchmark_format=json --benchmark_min_time=T
//            [--alloclab-stats-out=FILE] [--alloclab-stack-shift=BYTES]
//                                                           Google Benchmark JSON on stdout
//   list:    RUNNER --list                                   JSON array of workloads
#pragma once

#include <optional>
#include <string>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

// LD_PRELOAD for `a` (set to its library, or removed for glibc) in the child only.
void apply_preload(const AllocatorSpec& a, ChildSpec& spec);

// Layouts (harness run --layouts K). The copy of `a` that layout index j uses: j mod the
// number of its layout copies (0 when it has one: peers, custom, -stats twins).
int layout_copy(const AllocatorSpec& a, int layout_index);
// `a` as that copy: library = layout_libraries[copy] (the preload check then expects that
// file and still the variant's name).
AllocatorSpec with_layout_copy(const AllocatorSpec& a, int copy);
// The runner's --alloclab-stack-shift for layout index j: j * 1040 mod 4096 bytes. 1040 =
// 65 * 16 is a multiple of the ABI's 16-byte stack alignment, so the shift is exact; it moves
// the stack by 16 bytes within a cache line and by a different ~1 KiB step within the page
// for each index, and as 65 is odd the shifts of j = 0..255 are all distinct page offsets.
int stack_shift_bytes(int layout_index);

ChildSpec verify_spec(const std::string& runner, const AllocatorSpec& a, const WorkloadSpec& w, double timeout_s);
// stack_shift >= 0 adds --alloclab-stack-shift=<bytes> as 4 digits (0000, 1040, ...): the same
// argv length for every layout, so the strings at the top of the child's stack do not move it
// and its stack moves by exactly the shift. -1 (--layouts 1, verify, warm-up): no flag.
ChildSpec measure_spec(const std::string& runner, const AllocatorSpec& a, const WorkloadSpec& w, double min_time,
                       double timeout_s, const std::string& stats_out = {}, int stack_shift = -1);

// ^name$ with regex metacharacters escaped.
std::string exact_filter(const std::string& name);

struct Outcome {
  Status status = Status::ok;
  std::string error;
  bool ok() const { return status == Status::ok; }
};

// Start failure, timeout, signal, non-zero exit — in that order. ok() if it exited 0.
Outcome classify_exit(const ChildResult& r, double timeout_s);
Outcome interpret_verify(const ChildResult& r, double timeout_s);

// The preload check: the library whose malloc the runner really calls (context
// "malloc_provider") and the alloclab_variant() JSON ("" when no alloclab library is loaded)
// must be those of `a`. Returns "" when they are, else the reason.
std::string check_provider(const AllocatorSpec& a, const std::string& provider, const std::string& variant_json);

// The runner's context "address_layout" (a JSON object encoded as a string, or an object):
// nullopt when absent or not an object.
std::optional<json> parse_address_layout(const json& context);

// Fills status/error and the measurements (not allocator/workload/round/order). stats_text
// is the content of the --alloclab-stats-out file when one was requested (nullopt if the file
// was not written).
Sample interpret_measurement(const AllocatorSpec& a, const ChildResult& r, double timeout_s, bool stats_requested,
                             const std::optional<std::string>& stats_text);

// Last `max_chars` of a child's stderr on one line, for error messages.
std::string tail(const std::string& text, std::size_t max_chars = 300);

}  // namespace alloclab::harness
