// The gate's honesty rules (analysis/gate.h) and its outputs, on the fixtures in fixtures/
// (make_fixtures.py) and on copies of them changed in one respect each.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "analysis/gate.h"
#include "analysis/gate_conditions.h"
#include "analysis/rerun_command.h"
#include "io/gate_verdict_json.h"
#include "io/results_json.h"
#include "report/gate_markdown.h"
#include "report/tables.h"
#include "run/context.h"
#include "test_util.h"
#include "verbs/gate.h"

#ifndef ALLOCLAB_HARNESS_FIXTURES
#error "ALLOCLAB_HARNESS_FIXTURES must point at tests/harness/fixtures"
#endif

namespace alloclab::harness {
namespace {

using testing::read_text;
using testing::TempDir;

std::string fixture(const std::string& name) { return std::string(ALLOCLAB_HARNESS_FIXTURES) + "/" + name; }

using testing::CliRun;

// The CLI with stdout and stderr captured (the messages are part of what is tested).
CliRun cli(std::vector<std::string> args) { return testing::cli(std::move(args), testing::Capture::out_and_err); }

std::string save(const TempDir& dir, const std::string& name, const RunResults& r) {
  std::string path = dir.file(name);
  testing::write_text(path, results_to_json(r).dump(1));
  return path;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// candidate-pass.json measured on another CPU, with another compiler, min-time, rounds and
// quick mode.
RunResults other_conditions() {
  RunResults r = load_results(fixture("candidate-pass.json"));
  r.context["cpu_model"] = "Other CPU @ 3.0GHz";
  r.context["compiler"] = "GNU 13.1.0";
  r.options.min_time = 0.2;
  r.options.rounds = 7;
  r.options.quick = true;
  return r;
}

// ---- Refuses files measured under different conditions ----

TEST(GateConditions, RefusesWithExitTwoNamingEveryDifference) {
  TempDir dir;
  CliRun r =
      cli({"gate", "--results", save(dir, "c.json", other_conditions()), "--baseline", fixture("reference.json")});
  EXPECT_EQ(r.code, kExitUsage);
  for (const char* m :
       {"cpu_model: candidate 'Other CPU @ 3.0GHz' vs reference 'fixture'",
        "compiler: candidate 'GNU 13.1.0' vs reference 'GNU 12'", "quick: candidate 'true' vs reference 'false'",
        "rounds: candidate '7' vs reference '6'", "min_time: candidate '0.2' vs reference '0.05'"})
    EXPECT_TRUE(has(r.err, m)) << "stderr lacks \"" << m << "\":\n" << r.err;
  EXPECT_TRUE(has(r.err, "--allow-mismatch")) << r.err;
  EXPECT_TRUE(has(r.out, "gate REFUSED")) << r.out;
  GateReport rep = evaluate_gate(other_conditions(), load_results(fixture("reference.json")), {});
  EXPECT_EQ(rep.verdict(), GateVerdict::refused);
  EXPECT_EQ(rep.mismatches.size(), 5u);
  EXPECT_TRUE(rep.cells.empty());  // nothing is gated
}

TEST(GateConditions, AllowMismatchGatesWithAWarningInEveryFormat) {
  TempDir dir;
  std::string cand = save(dir, "c.json", other_conditions());
  std::string verdict = dir.file("verdict.json");
  CliRun text =
      cli({"gate", "--results", cand, "--baseline", fixture("reference.json"), "--allow-mismatch", "--json", verdict});
  EXPECT_EQ(text.code, kExitOk) << text.out << text.err;  // the ratios still agree
  EXPECT_TRUE(has(text.err, "WARNING: gating files measured under different conditions")) << text.err;
  EXPECT_TRUE(has(text.out, "WARNING: gating files measured under different conditions")) << text.out;
  EXPECT_TRUE(has(text.out, "cpu_model: candidate 'Other CPU @ 3.0GHz' vs reference 'fixture'")) << text.out;
  EXPECT_TRUE(has(text.out, "WARNING: 5 measurement conditions differ (--allow-mismatch)")) << text.out;
  CliRun md =
      cli({"gate", "--results", cand, "--baseline", fixture("reference.json"), "--allow-mismatch", "--format", "md"});
  EXPECT_TRUE(has(md.out, "> **Warning:** gating files measured under different conditions")) << md.out;
  EXPECT_TRUE(has(md.out, "### Measurement conditions differ (5)")) << md.out;
  json j = json::parse(read_text(verdict));
  EXPECT_TRUE(j["mismatch_allowed"].get<bool>());
  ASSERT_EQ(j["mismatches"].size(), 5u);
  EXPECT_EQ(j["mismatches"][0]["field"], "compiler");
  EXPECT_FALSE(j["warnings"].empty());
  EXPECT_EQ(j["verdict"], "pass");
}

TEST(GateConditions, EachProtocolConditionCounts) {
  RunResults ref = load_results(fixture("reference.json"));
  auto differs = [&ref](const std::function<void(RunResults&)>& change, const std::string& field) {
    RunResults c = ref;
    change(c);
    GateConditions cond = compare_conditions(c, ref, false);
    return cond.mismatches.size() == 1 && cond.mismatches[0].field == field;
  };
  EXPECT_TRUE(differs([](RunResults& r) { r.options.layouts = 4; }, "layouts"));
  EXPECT_TRUE(differs([](RunResults& r) { r.options.aslr = false; }, "aslr"));
  EXPECT_TRUE(differs([](RunResults& r) { r.options.warmup = false; }, "warmup"));
  EXPECT_TRUE(differs([](RunResults& r) { r.options.warmup_min_time = 0.5; }, "warmup_min_time"));
  EXPECT_TRUE(differs([](RunResults& r) { r.options.stats = true; }, "stats"));
  EXPECT_TRUE(differs([](RunResults& r) { r.context["cores"] = 8; }, "cores"));
  EXPECT_TRUE(differs([](RunResults& r) { r.context["compiler_flags"] = "-O0"; }, "compiler_flags"));
  EXPECT_TRUE(differs([](RunResults& r) { r.context.erase("compiler"); }, "compiler"));  // not recorded != recorded
  // What does not change a ratio is not compared.
  RunResults c = ref;
  c.context["host"] = "elsewhere";
  c.context["kernel"] = "Linux 7";
  c.context["git_commit"] = "abc";
  c.options.seed = 99;
  c.options.timeout_s = 5;
  EXPECT_TRUE(compare_conditions(c, ref, false).mismatches.empty());
}

TEST(GateConditions, InstructionsNeedOnlyWhatChangesTheCounts) {
  TempDir dir;
  RunResults ref = load_results(fixture("gate-reference.json"));
  RunResults c = ref;  // another, slower machine with another protocol: the counts still compare
  c.context["cpu_model"] = "Other CPU";
  c.options.rounds = 3;
  c.options.min_time = 1;
  c.options.layouts = 4;
  CliRun ok = cli({"gate", "--results", save(dir, "c.json", c), "--baseline", fixture("gate-reference.json"),
                   "--metric", "instructions"});
  EXPECT_EQ(ok.code, kExitOk) << ok.out << ok.err;
  EXPECT_TRUE(has(ok.err, "WARNING: cpu_model: candidate 'Other CPU'")) << ok.err;  // a note, not a refusal
  c = ref;
  c.context["compiler"] = "Clang 16";
  for (auto& i : c.instructions) i.iterations = 5;
  c.context["valgrind"] = "valgrind-3.22.0";  // only one side records it: not compared
  CliRun bad = cli({"gate", "--results", save(dir, "d.json", c), "--baseline", fixture("gate-reference.json"),
                    "--metric", "instructions"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_TRUE(has(bad.err, "compiler: candidate 'Clang 16' vs reference 'GNU 12'")) << bad.err;
  EXPECT_TRUE(has(bad.err, "callgrind_iterations: candidate '5' vs reference '2'")) << bad.err;
  EXPECT_FALSE(has(bad.err, "valgrind:")) << bad.err;
  RunResults v = ref, w = ref;
  v.context["valgrind"] = "valgrind-3.19.0";
  w.context["valgrind"] = "valgrind-3.22.0";
  ASSERT_EQ(compare_conditions(v, w, true).mismatches.size(), 1u);
  EXPECT_EQ(compare_conditions(v, w, true).mismatches[0].describe(),
            "valgrind: candidate 'valgrind-3.19.0' vs reference 'valgrind-3.22.0'");
}

// ---- Names every reference cell it could not gate ----

TEST(GateUngated, MissingCellsAreNamedCountedAndFailUnlessAllowed) {
  TempDir dir;
  RunResults c = load_results(fixture("candidate-pass.json"));
  std::erase_if(c.samples, [](const Sample& s) { return s.workload == "w2"; });
  std::erase_if(c.workloads, [](const WorkloadSpec& w) { return w.name == "w2"; });
  GateReport rep = evaluate_gate(c, load_results(fixture("reference.json")), {});
  ASSERT_EQ(rep.cells.size(), 1u);
  ASSERT_EQ(rep.ungated.size(), 1u);
  EXPECT_EQ(rep.ungated[0].allocator, "all");
  EXPECT_EQ(rep.ungated[0].workload, "w2");
  EXPECT_EQ(rep.ungated[0].why, "missing from the candidate");
  EXPECT_EQ(rep.regressions(), 0);
  EXPECT_EQ(rep.verdict(), GateVerdict::fail);
  EXPECT_TRUE(has(rep.verdict_line({}), "gated 1 of 2 cells; 1 not gated: 1 missing from the candidate"))
      << rep.verdict_line({});
  std::string cand = save(dir, "c.json", c);
  CliRun r = cli({"gate", "--results", cand, "--baseline", fixture("reference.json")});
  EXPECT_EQ(r.code, kExitFailures);
  EXPECT_TRUE(has(r.out, "all on w2: missing from the candidate (workload not measured)")) << r.out;
  EXPECT_TRUE(has(r.out, "gate FAILED: 0 regressions")) << r.out;
  CliRun allowed = cli({"gate", "--results", cand, "--baseline", fixture("reference.json"), "--allow-missing"});
  EXPECT_EQ(allowed.code, kExitOk);
  EXPECT_TRUE(has(allowed.out, "1 not gated: 1 missing from the candidate (allowed by --allow-missing)"))
      << allowed.out;
  // --workloads narrows the reference's cells to what the candidate measured.
  EXPECT_EQ(cli({"gate", "--results", cand, "--baseline", fixture("reference.json"), "--workloads", "w1"}).code,
            kExitOk);
  EXPECT_EQ(cli({"gate", "--results", cand, "--baseline", fixture("reference.json"), "--workloads", "w7"}).code,
            kExitUsage);
}

TEST(GateUngated, AnAllocatorMissingFromTheCandidateLeavesNothingToGate) {
  TempDir dir;
  RunResults c = load_results(fixture("candidate-pass.json"));
  std::erase_if(c.samples, [](const Sample& s) { return s.allocator == "all"; });
  std::erase_if(c.allocators, [](const AllocatorSpec& a) { return a.name == "all"; });
  GateReport rep = evaluate_gate(c, load_results(fixture("reference.json")), {});
  EXPECT_EQ(rep.verdict(), GateVerdict::refused);
  EXPECT_EQ(rep.ungated.size(), 2u);  // all × w1, w2: named even though nothing was gated
  CliRun r =
      cli({"gate", "--results", save(dir, "c.json", c), "--baseline", fixture("reference.json"), "--allow-missing"});
  EXPECT_EQ(r.code, kExitUsage);  // --allow-missing does not make zero gated cells a pass
  EXPECT_TRUE(has(r.err, "no (allocator, workload) cell could be gated")) << r.err;
}

TEST(GateUngated, FailedCellsInEitherFileAndCandidateOnlyCells) {
  RunResults cand = load_results(fixture("gate-candidate.json"));
  RunResults ref = load_results(fixture("gate-reference.json"));
  GateReport rep = evaluate_gate(cand, ref, {});
  ASSERT_EQ(rep.ungated.size(), 1u);
  EXPECT_EQ(rep.ungated[0].workload, "w2");
  EXPECT_EQ(rep.ungated[0].why, "failed in the candidate");
  EXPECT_TRUE(has(rep.ungated[0].detail, "all crashed (measure): signal 11")) << rep.ungated[0].detail;
  ASSERT_EQ(rep.candidate_only.size(), 1u);  // w3: nothing to gate it against, not counted
  EXPECT_EQ(rep.candidate_only[0].workload, "w3");
  EXPECT_EQ(rep.reference_cells(), 2u);
  // The other way round the crash is in the reference, and w3 is a reference cell the
  // candidate lacks.
  GateReport back = evaluate_gate(ref, cand, {});
  std::vector<std::string> whys;
  for (const auto& u : back.ungated) whys.push_back(u.allocator + "/" + u.workload + ": " + u.why);
  EXPECT_EQ(whys, (std::vector<std::string>{"all/w2: failed in the reference", "all/w3: missing from the candidate"}));
  // Instructions: all has no count on w2 in the candidate.
  GateOptions ins;
  ins.metric = Metric::instructions;
  GateReport irep = evaluate_gate(cand, ref, ins);
  ASSERT_EQ(irep.ungated.size(), 1u);
  EXPECT_EQ(irep.ungated[0].why, "no instruction count in the candidate");
  EXPECT_EQ(irep.ungated[0].detail, "no count of all");
  ASSERT_EQ(irep.cells.size(), 1u);
  EXPECT_NEAR(irep.cells[0].rel, 86.4 / 80, 1e-12);
  EXPECT_TRUE(irep.cells[0].failed);
}

// ---- Refuses incomplete files ----

TEST(GateIncomplete, RefusedUnlessAllowed) {
  TempDir dir;
  RunResults c = load_results(fixture("candidate-pass.json"));
  c.complete = false;
  c.rounds_completed = 3;
  std::string cand = save(dir, "c.json", c);
  CliRun r = cli({"gate", "--results", cand, "--baseline", fixture("reference.json")});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_TRUE(has(r.err, "the candidate file is incomplete (\"complete\": false, 3 of 6 rounds completed)")) << r.err;
  EXPECT_TRUE(has(r.err, "--allow-incomplete")) << r.err;
  CliRun ok = cli({"gate", "--results", cand, "--baseline", fixture("reference.json"), "--allow-incomplete"});
  EXPECT_EQ(ok.code, kExitOk) << ok.out << ok.err;
  EXPECT_TRUE(has(ok.err, "WARNING: gating an incomplete file (--allow-incomplete)")) << ok.err;
  EXPECT_TRUE(has(ok.out, "WARNING: gating an incomplete file")) << ok.out;
  // An incomplete reference is no better.
  EXPECT_EQ(cli({"gate", "--results", fixture("reference.json"), "--baseline", cand}).code, kExitUsage);
}

// ---- Outputs ----

std::string gate_md(const std::string& cand, const std::string& ref, const GateOptions& opt) {
  RunResults c = load_results(fixture(cand));
  GateReport rep = evaluate_gate(c, load_results(fixture(ref)), opt);
  return render_gate_markdown(rep, opt, gate_output_context(rep, c, opt, cand, ref));
}

// Compares with a golden file; on a difference, shows `diff -u` and how to regenerate.
void expect_golden(const std::string& golden, const std::string& actual) {
  if (std::getenv("ALLOCLAB_UPDATE_GOLDEN")) {
    testing::write_text(fixture(golden), actual);
    GTEST_SKIP() << "rewrote " << fixture(golden);
  }
  std::string expected = read_text(fixture(golden));
  if (expected == actual) return;
  TempDir dir;
  testing::write_text(dir.file("actual"), actual);
  std::string diff = capture_command("diff -u " + fixture(golden) + " " + dir.file("actual") + "; true");
  ADD_FAILURE() << "the output differs from the golden file " << fixture(golden)
                << " (if the change is intended, regenerate it: ALLOCLAB_UPDATE_GOLDEN=1 build/tests/harness/"
                   "harness_tests --gtest_filter='GateOutputs.*'):\n"
                << diff;
}

TEST(GateOutputs, MarkdownEqualsTheGoldenFile) {
  expect_golden("gate-candidate.md", gate_md("gate-candidate.json", "gate-reference.json", {}));
}

TEST(GateOutputs, MarkdownPutsTheVerdictFirst) {
  std::string md = gate_md("gate-candidate.json", "gate-reference.json", {});
  EXPECT_EQ(md.rfind("## harness gate: FAIL\n\n**gate FAILED: 1 regression beyond 5% relative to baseline; gated 1 of "
                     "2 cells; 1 not gated: 1 failed in the candidate",
                     0),
            0u)
      << md;
  auto at = [&md](const std::string& s) { return md.find(s); };
  EXPECT_LT(at("### Failing cells (1)"), at("### Instructions per malloc"));
  EXPECT_LT(at("### Instructions per malloc"), at("### Not gated (1)"));
  EXPECT_NE(at("harness run --variants baseline,all --peers none --workloads w1 --rounds 6 --min-time 0.05"),
            std::string::npos);
  std::string pass = gate_md("candidate-pass.json", "reference.json", {});
  EXPECT_EQ(pass.rfind("## harness gate: PASS\n", 0), 0u) << pass;
  EXPECT_EQ(pass.find("### Failing cells"), std::string::npos);
}

TEST(GateOutputs, LongUngatedListsAreCollapsed) {
  GateReport rep =
      evaluate_gate(load_results(fixture("candidate-pass.json")), load_results(fixture("reference.json")), {});
  for (int i = 0; i < 20; ++i) rep.ungated.push_back({"all", fmt::format("x{}", i), "missing from the candidate", ""});
  std::string md = render_gate_markdown(rep, {}, {});
  EXPECT_TRUE(has(md, "### Not gated (20)\n")) << md;
  EXPECT_TRUE(has(md, "<details><summary>20 cells</summary>")) << md;
}

TEST(GateOutputs, JsonVerdictHoldsTheFields) {
  TempDir dir;
  std::string path = dir.file("out/verdict.json");  // the directory is created
  CliRun r = cli({"gate", "--results", fixture("gate-candidate.json"), "--baseline", fixture("gate-reference.json"),
                  "--json", path});
  EXPECT_EQ(r.code, kExitFailures);
  json j = json::parse(read_text(path));
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["metric"], "mallocs_per_sec");
  EXPECT_DOUBLE_EQ(j["options"]["max_regression"].get<double>(), 0.05);
  EXPECT_EQ(j["options"]["reference"], "baseline");
  EXPECT_FALSE(j["options"]["allow_missing"].get<bool>());
  EXPECT_TRUE(j["mismatches"].empty());
  EXPECT_EQ(j["counts"]["reference_cells"], 2);
  EXPECT_EQ(j["counts"]["gated"], 1);
  EXPECT_EQ(j["counts"]["regressions"], 1);
  ASSERT_EQ(j["cells"].size(), 1u);
  const json& c = j["cells"][0];
  for (const char* k :
       {"allocator", "workload", "candidate", "baseline", "rel", "ci_low", "ci_high", "p", "q", "failed"})
    EXPECT_TRUE(c.contains(k)) << k;
  EXPECT_EQ(c["allocator"], "all");
  EXPECT_EQ(c["workload"], "w1");
  EXPECT_TRUE(c["failed"].get<bool>());
  EXPECT_LT(c["ci_high"].get<double>(), 0.95);
  EXPECT_TRUE(has(c["rerun"].get<std::string>(), "harness gate --results rerun-all-w1.json"));
  ASSERT_EQ(j["ungated"].size(), 1u);
  EXPECT_EQ(j["ungated"][0]["why"], "failed in the candidate");
  EXPECT_EQ(j["candidate_only"].size(), 1u);
  EXPECT_FALSE(j["instructions"].empty());
  EXPECT_EQ(j["verdict_line"], r.out.substr(r.out.rfind("gate FAILED"), j["verdict_line"].get<std::string>().size()));
  // Refused before anything could be compared: the file says so too.
  CliRun bad = cli({"gate", "--results", fixture("gate-candidate.json"), "--baseline", fixture("gate-reference.json"),
                    "--reference", "hoard", "--json", path});
  EXPECT_EQ(bad.code, kExitUsage);
  json b = json::parse(read_text(path));
  EXPECT_EQ(b["verdict"], "refused");
  EXPECT_EQ(b["exit_code"], 2);
  EXPECT_TRUE(has(b["refusals"][0].get<std::string>(), "hoard")) << b.dump();
}

TEST(GateOutputs, ExitCodes) {
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-pass.json"), "--baseline", fixture("reference.json")}).code,
            kExitOk);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-fail.json"), "--baseline", fixture("reference.json")}).code,
            kExitFailures);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-fail.json"), "--baseline", fixture("reference.json"),
                 "--format", "md"})
                .code,
            kExitFailures);
  EXPECT_EQ(cli({"gate", "--results", fixture("candidate-pass.json"), "--baseline", fixture("reference.json"),
                 "--format", "html"})
                .code,
            kExitUsage);
  // A timing reference is machine-bound: no default for it.
  CliRun none = cli({"gate", "--results", fixture("candidate-pass.json")});
  EXPECT_EQ(none.code, kExitUsage);
  EXPECT_TRUE(has(none.err, "--baseline-results FILE is required for --metric mallocs_per_sec")) << none.err;
}

TEST(GateRerun, CommandRepeatsTheCandidatesConditions) {
  RunResults c = load_results(fixture("candidate-fail.json"));
  GateOptions opt;
  EXPECT_EQ(rerun_cell_command(c, "all", "w1", opt, "ref.json"),
            "harness run --variants baseline,all --peers none --workloads w1 --rounds 6 --min-time 0.05 --layouts 1 "
            "--seed 7 --out rerun-all-w1.json && harness gate --results rerun-all-w1.json --baseline-results ref.json "
            "--allocator all --workloads w1");
  c.options.aslr = false;
  c.options.quick = true;
  opt.reference = "glibc";
  opt.max_regression = 0.1;
  EXPECT_EQ(rerun_cell_command(c, "all", "w1", opt),
            "harness run --variants all --peers glibc --workloads w1 --reference glibc --quick --rounds 6 --min-time "
            "0.05 --layouts 1 --aslr off --seed 7 --out rerun-all-w1.json");
  RunResults g = load_results(fixture("gate-candidate.json"));
  GateOptions ins;
  ins.metric = Metric::instructions;
  EXPECT_EQ(rerun_cell_command(g, "all", "w1", ins, "my ref.json"),
            "harness callgrind --variants baseline,all --peers none --workloads w1 --iterations 2 --out "
            "rerun-all-w1.json && harness gate --results rerun-all-w1.json --baseline-results 'my ref.json' "
            "--allocator all --workloads w1 --metric instructions");
}

// ---- The committed instruction-count reference ----

TEST(GateInstructionsReference, IsTheDefaultBaselineOfTheInstructionsMetric) {
  std::string ref = default_instructions_reference();
  EXPECT_TRUE(has(ref, "results/instructions-reference.json")) << ref;
  RunResults r = load_results(ref);  // there, valid, complete, with counts
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.instructions.empty());
  for (const auto& i : r.instructions) EXPECT_EQ(i.status, Status::ok) << i.allocator << "/" << i.workload;
  // Out of the box: the file gated against itself passes, every reference cell gated.
  CliRun self = cli({"gate", "--results", ref, "--metric", "instructions"});
  EXPECT_EQ(self.code, kExitOk) << self.out << self.err;
  EXPECT_FALSE(has(self.out, "not gated")) << self.out;
}

}  // namespace
}  // namespace alloclab::harness
