// verbs/ab.cc — the `ab` verb: build the base, measure both sides in one run, gate, render.
#include "verbs/ab.h"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "analysis/ab.h"
#include "core/error.h"
#include "io/gate_verdict_json.h"
#include "report/ab_tables.h"
#include "report/gate_markdown.h"
#include "run/allocators.h"
#include "run/manifest.h"
#include "run/revision_build.h"
#include "verbs/flags.h"
#include "verbs/gate.h"

#ifndef ALLOCLAB_SOURCE_DIR
#define ALLOCLAB_SOURCE_DIR "."
#endif
#ifndef ALLOCLAB_DEFAULT_AB_CACHE
#define ALLOCLAB_DEFAULT_AB_CACHE "build/ab"
#endif

namespace alloclab::harness {
namespace {

inline constexpr const char* kBasePrefix = "base:";

void note(const std::string& s) { std::fprintf(stderr, "harness: ab: %s\n", s.c_str()); }

// A --variants list naming exactly these variants (a lone `all` would select every variant).
std::string variant_list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out == "all" ? "all,all" : out;
}

// The variant names --variants selects, read from `manifest` (no file needs to exist yet).
std::vector<std::string> variant_names(const std::string& manifest, const std::string& variants) {
  Manifest m = load_manifest(manifest);
  SelectionRequest req;
  req.variants = variants;
  req.peers = "none";
  req.check_files = false;
  std::vector<std::string> names;
  for (const auto& a : select_allocators(&m, req, {}).allocators)
    if (a.kind == AllocatorKind::variant) names.push_back(a.name);
  if (names.empty()) throw HarnessError(fmt::format("--variants {} selects no variant", variants));
  return names;
}

// base:<v> for every head variant <v> the base declares: the base's library and layout copies;
// the preload check still expects alloclab_variant() to report <v>.
std::vector<AbPair> add_base_allocators(RunResults& res, const Manifest& base) {
  std::vector<AbPair> pairs;
  std::vector<AllocatorSpec> added;
  for (const auto& a : res.allocators) {
    const VariantInfo* info = base.find(a.name);
    if (!info) continue;
    AllocatorSpec b = a;
    b.name = kBasePrefix + a.name;
    b.library = info->library;
    b.layout_libraries.clear();
    for (const auto& c : info->layouts) b.layout_libraries.push_back(c.library);
    b.options = info->options;
    b.factors.clear();  // not a factorial cell of this run
    b.sets = {"base"};
    b.expected_variant = a.name;
    pairs.push_back({a.name, a.name, b.name});
    added.push_back(std::move(b));
  }
  res.allocators.insert(res.allocators.end(), added.begin(), added.end());
  return pairs;
}

}  // namespace

CLI::App* add_ab_verb(CLI::App& app, AbArgs& a) {
  auto* ab = app.add_subcommand(
      "ab",
      "CI gate without a committed reference: build the base revision's variants (cached by commit), measure them "
      "and the head's in the same shuffled rounds on this machine, gate head vs base per (variant, workload) on "
      "instructions per malloc (callgrind) and paired mallocs/sec ratios");
  a.run.variants = AbDefaults::kVariants;
  a.run.peers = "none";
  a.max_regression = fmt::format("{:g}%", AbDefaults::kMaxRegression * 100);
  a.max_instructions_regression = fmt::format("{:g}%", AbDefaults::kMaxInstructionsRegression * 100);
  a.max_instructions_regression_threaded = fmt::format("{:g}%", AbDefaults::kMaxInstructionsRegressionThreaded * 100);
  ab->add_option("--base", a.base, "Base revision (sha, branch, main~1, ...): the one the head is gated against")
      ->required();
  ab->add_option("--head", a.head,
                 "Head revision, or `worktree` = this build's own variant libraries (the runner is always this "
                 "build's)")
      ->capture_default_str();
  ab->add_option("--repo", a.repo, "Git repository the revisions are taken from (default: this build's source tree)");
  ab->add_option("--cache", a.cache_dir, "Where revisions are built, one directory per commit (default <build>/ab)");
  ab->add_option("--variants", a.run.variants, "Variants to gate, as in `run` (default, all, NAME,...)")
      ->capture_default_str();
  add_workloads_flag(*ab, a.run);
  add_round_flags(*ab, a.run, "Results file with both sides' samples (default results/ab-<UTC>.json)");
  add_alpha_flag(*ab, a.run.alpha);
  add_layout_flags(*ab, a.run);
  ab->add_option("--max-regression", a.max_regression, "Allowed mallocs/sec slowdown, e.g. 5% or 0.05")
      ->capture_default_str();
  ab->add_option("--max-instructions-regression", a.max_instructions_regression,
                 "Allowed increase of instructions per malloc, e.g. 1%")
      ->capture_default_str();
  ab->add_option("--max-instructions-regression-threaded", a.max_instructions_regression_threaded,
                 "The same for workloads with threads > 1 (callgrind's serialised interleaving moves their count "
                 "by ~1% between runs)")
      ->capture_default_str();
  ab->add_flag("!--no-instructions", a.instructions, "Skip the callgrind instruction counts (and their gate)");
  ab->add_option("--callgrind-iterations", a.run.callgrind_iterations, "Whole workload runs per callgrind child")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  add_enum_option(*ab, "--format", a.format, "text, or md: the verdict as Markdown (a job summary)",
                  {{"text", AbFormat::text}, {"md", AbFormat::md}});
  ab->add_option("--json", a.json_out, "Also write the verdict as JSON to this file");
  add_path_flags(*ab, a.run.manifest, a.run.runner);
  add_style_flag(*ab, a.run.style);
  return ab;
}

int ab_verb(const AbArgs& a, const std::vector<std::string>& command_line, ProcessRunner& pr) {
  AbOptions opt;
  opt.alpha = a.run.alpha;
  opt.max_regression = parse_fraction(a.max_regression);
  opt.max_instructions_regression = parse_fraction(a.max_instructions_regression);
  opt.max_instructions_regression_threaded = parse_fraction(a.max_instructions_regression_threaded);
  if (std::error_code ec; !std::filesystem::is_regular_file(a.run.runner, ec))
    throw HarnessError(fmt::format(
        "the runner {} is not there; build it with `cmake --build build --target alloclab-runner` or pass --runner",
        a.run.runner));
  const std::string repo = a.repo.empty() ? ALLOCLAB_SOURCE_DIR : a.repo;
  const std::string cache = a.cache_dir.empty() ? ALLOCLAB_DEFAULT_AB_CACHE : a.cache_dir;
  std::vector<std::string> names = variant_names(a.run.manifest, a.run.variants);

  // Both sides' libraries: the base always from its cached build; the head from this build,
  // or from its own cached build when a revision is given.
  RevisionBuildRequest req;
  req.repo = repo;
  req.cache_dir = cache;
  req.variants = names;
  req.git = a.git;
  req.cmake = a.cmake;
  req.timeout_s = AbDefaults::kBuildTimeout;
  AbContext ctx;
  ctx.base_rev = a.base;
  ctx.head_rev = a.head;
  ctx.repo = a.repo;
  ctx.options = opt;
  ctx.harness = command_line.empty() ? "harness" : command_line[0];
  std::string head_manifest = a.run.manifest;
  if (a.head != "worktree") {
    req.rev = a.head;
    RevisionBuild h = build_revision(req, pr, note);
    for (const auto& v : h.missing_variants)
      throw HarnessError(fmt::format("variant {} is not declared at --head {} ({})", v, a.head, h.sha));
    head_manifest = h.manifest;
    ctx.head_sha = h.sha;
  }
  req.rev = a.base;
  RevisionBuild base = build_revision(req, pr, note);
  ctx.base_sha = base.sha;
  for (const auto& v : base.missing_variants)
    std::fprintf(stderr, "harness: warning: variant %s is not declared at --base %s; it is not gated\n", v.c_str(),
                 a.base.c_str());

  RunArgs r = a.run;
  r.variants = variant_list(names);
  r.peers = "none";
  r.custom.clear();
  r.stats = false;
  r.manifest = head_manifest;
  r.reference = names.front();
  r.reference_given = true;
  r.callgrind = a.instructions;
  r.out_prefix = "ab";
  r.print_tables = false;
  PreparedRun run = prepare_run(r, command_line, pr);
  std::vector<AbPair> pairs = add_base_allocators(run.results, load_manifest(base.manifest));
  if (pairs.empty())
    throw HarnessError(
        fmt::format("none of the variants {} is declared at --base {}; nothing to compare", r.variants, a.base));
  if (a.head == "worktree") {
    ctx.head_sha = run.results.context.value("git_commit", "unknown");
    ctx.head_dirty = run.results.context.value("git_dirty", false);
  }
  note(fmt::format("head {} vs base {} ({}), variants {}", a.head == "worktree" ? "worktree" : ctx.head_sha, a.base,
                   base.sha.substr(0, 12), r.variants));

  int rc = execute_run(run, r, pr);
  if (rc == kExitInterrupted) return rc;
  const RunResults& res = run.results;
  ctx.results_path = run.out_path;
  ctx.rounds = res.options.rounds;
  ctx.layouts = res.options.layouts;
  ctx.min_time = res.options.min_time;
  ctx.seed = res.options.seed;
  ctx.complete = res.complete;
  AbReport rep = evaluate_ab(res, pairs, opt);
  std::vector<GateSection> sections = ab_sections(rep, ctx);
  if (a.format == AbFormat::md)
    std::fputs(render_gate_markdown("Performance gate", sections, ab_provenance(rep, ctx)).c_str(), stdout);
  else
    std::fputs(render_ab(rep, ctx, r.style).c_str(), stdout);
  std::fflush(stdout);
  if (!a.json_out.empty()) write_gate_verdicts(a.json_out, sections, ab_verdict_context(rep, ctx));
  std::fprintf(stderr, "harness: %s\n", ab_verdict_line(rep, ctx).c_str());
  return rep.passed() && rc == kExitOk ? kExitOk : kExitFailures;
}

}  // namespace alloclab::harness
