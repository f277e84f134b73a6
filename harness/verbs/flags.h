// verbs/flags.h — the flags several verbs share, declared once: selection (--variants,
// --workloads, --peers, --allocator), the measurement flags of `run` that `validate` reuses
// (--rounds, --quick, --out, --seed, --timeout, --min-time, --alpha), the paths (--manifest,
// --runner) and --style. Also the helper that maps a flag's strings to an enum at parse time,
// so the verbs never see the strings.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "report/text_table.h"
#include "verbs/run.h"

namespace alloclab::harness {

// The build's variants/manifest.json and bin/alloclab-runner (compiled in).
const char* default_manifest_path();
const char* default_runner_path();

// --variants, --workloads, --peers, --allocator (the last with `allocator_help`, e.g. validate's
// planted-N=PATH).
void add_selection_flags(CLI::App& app, RunArgs& a);
void add_workloads_flag(CLI::App& app, RunArgs& a);
void add_allocator_flag(CLI::App& app, std::vector<std::string>& custom,
                        const std::string& help = "NAME=PATH: also measure this library (repeatable)");
// --rounds, --quick, --out/-o, --seed, --timeout, --min-time, in this order.
void add_round_flags(CLI::App& app, RunArgs& a,
                     const std::string& out_help = "Results file (default results/run-<UTC>.json)");
// --seed (unsigned; a negative number is refused, not wrapped).
void add_seed_flag(CLI::App& app, RunArgs& a);
// --alpha (default RunDefaults::kAlpha).
void add_alpha_flag(CLI::App& app, double& alpha, const std::string& help = "Significance level");
// --layouts K, --aslr on|off.
void add_layout_flags(CLI::App& app, RunArgs& a, const std::string& layouts_note = "");
// --manifest, --runner, with the build's paths as defaults.
void add_path_flags(CLI::App& app, std::string& manifest, std::string& runner);
// --real-programs, --real-bin, --probe (the real-program suite and `exec`), the build's
// defaults.
void add_real_flags(CLI::App& app, RunArgs& a);
// --style auto|plain.
void add_style_flag(CLI::App& app, Style& style);

// An option whose accepted strings map to enum values: the same help (":{a,b}") and error
// ("x not in {a,b}") as CLI::IsMember, the default shown by its name; `value` is set during
// parsing.
template <typename E>
CLI::Option* add_enum_option(CLI::App& app, const std::string& name, E& value, const std::string& help,
                             std::vector<std::pair<std::string, E>> names) {
  std::vector<std::string> keys;
  std::string shown;
  for (const auto& [k, e] : names) {
    keys.push_back(k);
    if (e == value) shown = k;
  }
  auto* opt = app.add_option_function<std::string>(
      name,
      [&value, names](const std::string& s) {
        for (const auto& [k, e] : names)
          if (k == s) value = e;
      },
      help);
  opt->check(CLI::IsMember(keys));
  opt->default_str(shown);
  return opt;
}

}  // namespace alloclab::harness
