// analysis/gate_conditions.cc — the conditions two gated files must share (see the header).
#include "analysis/gate_conditions.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace alloclab::harness {
namespace {

constexpr const char* kNotRecorded = "(not recorded)";

std::string context_field(const RunResults& r, const char* key) {
  auto it = r.context.find(key);
  if (it == r.context.end() || it->is_null()) return kNotRecorded;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string yes_no(bool b) { return b ? "true" : "false"; }

// The callgrind iterations of the file's counts ("2", or "2,5" when they differ).
std::string callgrind_iterations(const RunResults& r) {
  std::set<std::int64_t> its;
  for (const auto& i : r.instructions)
    if (i.status == Status::ok) its.insert(i.iterations);
  if (its.empty()) return kNotRecorded;
  return fmt::format("{}", fmt::join(its, ","));
}

class Collector {
 public:
  explicit Collector(GateConditions& out) : out_(out) {}
  void same(const std::string& field, const std::string& cand, const std::string& ref) {
    if (cand != ref) out_.mismatches.push_back({field, cand, ref});
  }
  void context(const RunResults& c, const RunResults& r, const char* key) {
    same(key, context_field(c, key), context_field(r, key));
  }

 private:
  GateConditions& out_;
};

}  // namespace

std::string GateMismatch::describe() const {
  return fmt::format("{}: candidate '{}' vs reference '{}'", field, candidate, reference);
}

GateConditions compare_conditions(const RunResults& cand, const RunResults& ref, bool instructions) {
  GateConditions out;
  Collector m(out);
  for (const char* key : {"compiler", "compiler_flags", "build_type"}) m.context(cand, ref, key);
  if (instructions) {
    m.same("callgrind_iterations", callgrind_iterations(cand), callgrind_iterations(ref));
    // Only files from `harness callgrind` record it; one side without it proves nothing.
    std::string cv = context_field(cand, "valgrind"), rv = context_field(ref, "valgrind");
    if (cv != kNotRecorded && rv != kNotRecorded) m.same("valgrind", cv, rv);
    if (std::string cc = context_field(cand, "cpu_model"), rc = context_field(ref, "cpu_model"); cc != rc)
      out.notes.push_back(fmt::format(
          "cpu_model: candidate '{}' vs reference '{}' — instruction counts do not depend on the CPU's speed, but "
          "glibc picks memcpy/memset by CPU features: counts of paths that copy or zero may differ",
          cc, rc));
    return out;
  }
  for (const char* key : {"cpu_model", "cores"}) m.context(cand, ref, key);
  const RunOptions &c = cand.options, &r = ref.options;
  m.same("quick", yes_no(c.quick), yes_no(r.quick));
  m.same("rounds", fmt::format("{}", c.rounds), fmt::format("{}", r.rounds));
  m.same("min_time", fmt::format("{:g}", c.min_time), fmt::format("{:g}", r.min_time));
  m.same("warmup", yes_no(c.warmup), yes_no(r.warmup));
  if (c.warmup && r.warmup)
    m.same("warmup_min_time", fmt::format("{:g}", c.warmup_min_time), fmt::format("{:g}", r.warmup_min_time));
  m.same("layouts", fmt::format("{}", c.layouts), fmt::format("{}", r.layouts));
  m.same("aslr", c.aslr ? "on" : "off", r.aslr ? "on" : "off");
  m.same("stats", yes_no(c.stats), yes_no(r.stats));
  return out;
}

}  // namespace alloclab::harness
