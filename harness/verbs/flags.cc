// verbs/flags.cc — the shared flag declarations.
#include "verbs/flags.h"

#include <fmt/format.h>

#include "core/defaults.h"
#include "run/real_programs.h"

#ifndef ALLOCLAB_DEFAULT_MANIFEST
#define ALLOCLAB_DEFAULT_MANIFEST "build/variants/manifest.json"
#endif
#ifndef ALLOCLAB_DEFAULT_RUNNER
#define ALLOCLAB_DEFAULT_RUNNER "build/bin/alloclab-runner"
#endif

namespace alloclab::harness {

const char* default_manifest_path() { return ALLOCLAB_DEFAULT_MANIFEST; }
const char* default_runner_path() { return ALLOCLAB_DEFAULT_RUNNER; }

void add_workloads_flag(CLI::App& app, RunArgs& a) {
  app.add_option("--workloads", a.workloads, "default | all | NAME,... (see `harness list`)")->capture_default_str();
}

void add_allocator_flag(CLI::App& app, std::vector<std::string>& custom, const std::string& help) {
  app.add_option("--allocator", custom, help);
}

void add_selection_flags(CLI::App& app, RunArgs& a) {
  app.add_option(
         "--variants", a.variants,
         "all | default | factorial | none | NAME,... (a lone `all` = every variant in the manifest except "
         "test-only ones; in a list, `all` is the variant named all; mimalloc:default | mimalloc:factorial = the "
         "patched real-mimalloc family)")
      ->capture_default_str();
  add_workloads_flag(app, a);
  app.add_option("--peers", a.peers,
                 "all | none | NAME,... of glibc, mimalloc, jemalloc, tcmalloc (missing ones are skipped with a "
                 "warning)")
      ->capture_default_str();
  add_allocator_flag(app, a.custom);
}

void add_round_flags(CLI::App& app, RunArgs& a, const std::string& out_help) {
  app.add_option("--rounds", a.rounds,
                 fmt::format("Rounds: samples per cell (default {}, --quick {})", RunDefaults::kRounds,
                             RunDefaults::kQuickRounds))
      ->check(CLI::Range(1, RunDefaults::kMaxRounds));
  app.add_flag("--quick", a.quick, "Fewer rounds and a shorter --min-time, for a first look");
  app.add_option("--out,-o", a.out, out_help);
  add_seed_flag(app, a);
  app.add_option("--timeout", a.timeout,
                 fmt::format("Per-child limit in seconds (default {:g})", RunDefaults::kTimeout))
      ->check(CLI::PositiveNumber);
  app.add_option("--min-time", a.min_time,
                 fmt::format("--benchmark_min_time per child, seconds (default {:g}, --quick {:g})",
                             RunDefaults::kMinTime, RunDefaults::kQuickMinTime))
      ->check(CLI::PositiveNumber);
}

void add_seed_flag(CLI::App& app, RunArgs& a) {
  // Typed unsigned, and checked first: "-1" is refused with a message, never wrapped to 2^64-1.
  const CLI::Validator non_negative(
      [](std::string& v) {
        return v.find('-') == std::string::npos ? std::string{}
                                                : "must be a non-negative integer (0 to 2^64-1), got " + v;
      },
      "UINT", "non-negative");
  app.add_option("--seed", a.seed, "Seed of the shuffled order and the bootstraps (default: fresh, recorded)")
      ->check(non_negative);
}

void add_real_flags(CLI::App& app, RunArgs& a) {
  const RealPaths d = default_real_paths();
  a.real_programs = d.programs;
  a.real_bin = d.bin_dir;
  a.probe = default_probe_path();
  app.add_option("--real-programs", a.real_programs, "The real-program suite (--workloads real, real:NAME)")
      ->capture_default_str();
  app.add_option("--real-bin", a.real_bin, "{bin} of the suite: binaries built here (redis-server)")
      ->capture_default_str();
  app.add_option("--probe", a.probe, "Exit probe preloaded after the allocator in real programs")
      ->capture_default_str();
}

void add_alpha_flag(CLI::App& app, double& alpha, const std::string& help) {
  app.add_option("--alpha", alpha, help)->capture_default_str()->check(CLI::Range(0.0, 1.0));
}

void add_layout_flags(CLI::App& app, RunArgs& a, const std::string& layouts_note) {
  app.add_option(
         "--layouts", a.layouts,
         fmt::format("Layouts rotated over the rounds: round r uses layout L(r) (blocks of K rounds, each a seeded "
                     "permutation of 0..K-1) for every allocator: a variant preloads its layout copy L(r) mod "
                     "its copies (the same code linked at other addresses), and L(r) > 0 moves every child's "
                     "stack by L(r)*1040 mod 4096 bytes. 1 = no rotation (default {}){}",
                     RunDefaults::kLayouts, layouts_note))
      ->check(CLI::Range(1, RunDefaults::kMaxLayouts));
  add_enum_option<bool>(app, "--aslr", a.aslr,
                        "off: start every child with address-space randomization disabled (personality "
                        "ADDR_NO_RANDOMIZE on the harness, inherited by the children, as `setarch -R` does), so "
                        "each layout is the same in every round; on: the kernel's default",
                        {{"on", true}, {"off", false}});
}

void add_path_flags(CLI::App& app, std::string& manifest, std::string& runner) {
  manifest = default_manifest_path();
  runner = default_runner_path();
  app.add_option("--manifest", manifest, "Variant manifest written by the build")->capture_default_str();
  app.add_option("--runner", runner, "alloclab-runner binary")->capture_default_str();
}

void add_style_flag(CLI::App& app, Style& style) {
  add_enum_option<bool>(app, "--style", style.plain,
                        "auto: live progress line on a terminal; plain: ASCII, one line per pass (CI logs)",
                        {{"auto", false}, {"plain", true}});
}

}  // namespace alloclab::harness
