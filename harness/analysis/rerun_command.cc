// analysis/rerun_command.cc — one cell's re-run command (see the header).
#include "analysis/rerun_command.h"

#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace alloclab::harness {

std::string shell_word(const std::string& s) {
  bool plain = !s.empty() && s.find_first_not_of(
                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                 "_-.,/:=+@%") == std::string::npos;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string rerun_cell_command(const RunResults& cand, const std::string& allocator, const std::string& workload,
                               const GateOptions& opt, const std::string& baseline) {
  const RunOptions& o = cand.options;
  bool ins = opt.metric == Metric::instructions;
  // A workload of `harness exec` is a command, not a name `run` knows: its recorded command line.
  if (workload.rfind("exec:", 0) == 0 && cand.context.contains("command_line")) {
    std::vector<std::string> words;
    for (const auto& w : cand.context["command_line"]) words.push_back(shell_word(w.get<std::string>()));
    return fmt::format("{}", fmt::join(words, " "));
  }
  std::vector<std::string> variants, peers, custom;
  for (const auto& name : {opt.reference, allocator}) {
    const AllocatorSpec* a = cand.find_allocator(name);
    if (!a) continue;
    if (a->kind == AllocatorKind::variant)
      variants.push_back(name);
    else if (a->kind == AllocatorKind::peer)
      peers.push_back(name);
    else
      custom.push_back(name + "=" + a->library);
  }
  std::string out = fmt::format("rerun-{}-{}.json", allocator, workload);
  for (char& c : out)
    if (c == ':' || c == '/') c = '_';
  std::vector<std::string> cmd = {"harness", ins ? "callgrind" : "run"};
  auto add = [&cmd](const std::string& flag, const std::string& value) {
    cmd.push_back(flag);
    cmd.push_back(shell_word(value));
  };
  add("--variants", variants.empty() ? "none" : fmt::format("{}", fmt::join(variants, ",")));
  add("--peers", peers.empty() ? "none" : fmt::format("{}", fmt::join(peers, ",")));
  for (const auto& c : custom) add("--allocator", c);
  add("--workloads", workload);
  if (opt.reference != "baseline") add("--reference", opt.reference);
  if (ins) {
    for (const auto& i : cand.instructions)
      if (i.allocator == allocator && i.workload == workload && i.iterations > 0) {
        add("--iterations", fmt::format("{}", i.iterations));
        break;
      }
  } else {
    if (o.quick) cmd.push_back("--quick");
    add("--rounds", fmt::format("{}", o.rounds));
    add("--min-time", fmt::format("{:g}", o.min_time));
    add("--layouts", fmt::format("{}", o.layouts));
    if (!o.aslr) add("--aslr", "off");
    if (!o.warmup) cmd.push_back("--no-warmup");
    if (o.stats) cmd.push_back("--stats");
    if (o.timeout_s != RunDefaults::kTimeout) add("--timeout", fmt::format("{:g}", o.timeout_s));
    add("--seed", fmt::format("{}", o.seed));
  }
  add("--out", out);
  std::string text = fmt::format("{}", fmt::join(cmd, " "));
  if (baseline.empty()) return text;
  std::vector<std::string> gate = {"harness",
                                   "gate",
                                   "--results",
                                   shell_word(out),
                                   "--baseline-results",
                                   shell_word(baseline),
                                   "--allocator",
                                   shell_word(allocator),
                                   "--workloads",
                                   shell_word(workload)};
  if (ins) gate.insert(gate.end(), {"--metric", "instructions"});
  if (opt.reference != "baseline") gate.insert(gate.end(), {"--reference", shell_word(opt.reference)});
  if (opt.max_regression != GateDefaults::kMaxRegression)
    gate.insert(gate.end(), {"--max-regression", fmt::format("{:g}%", opt.max_regression * 100)});
  return text + " && " + fmt::format("{}", fmt::join(gate, " "));
}

}  // namespace alloclab::harness
