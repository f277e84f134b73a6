// The fidelity section (analysis/fidelity.h, report/fidelity_md.h) on fixtures/fidelity.json
// (make_fixtures.py: fidelity_fixture), where the answer is known: a agrees (both faster), b
// disagrees (opposite on w1, alloclab-only gain on w2), c is null in both, d is ours only.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "analysis/ablation.h"
#include "analysis/fidelity.h"
#include "io/results_json.h"
#include "report/markdown.h"
#include "test_util.h"

namespace alloclab::harness {
namespace {

using testing::read_text;

std::string fixture(const std::string& name) { return std::string(ALLOCLAB_HARNESS_FIXTURES) + "/" + name; }

// The report verb's Markdown (stdout form: no charts) for a results file.
std::string report_md(const std::string& file) {
  RunResults r = load_results(file);
  AblationOptions opt;
  AblationReport rep = build_ablation(r, opt);
  std::vector<FidelityReport> fid;
  for (const auto& family : external_families(r))
    if (auto f = build_fidelity(r, rep, opt, family)) fid.push_back(*f);
  return render_report_md(r, rep, {}, fid);
}

const FidelityCell& cell(const FidelityReport& f, const std::string& factor, const std::string& w) {
  for (const auto& c : f.cells)
    if (c.factor == factor && c.workload == w) return c;
  throw std::runtime_error("no cell " + factor + " " + w);
}

TEST(Fidelity, FamiliesAreReadBackFromNames) {
  RunResults r = load_results(fixture("fidelity.json"));
  const AllocatorSpec* ours = r.find_allocator("all");
  const AllocatorSpec* theirs = r.find_allocator("mimalloc:all");
  ASSERT_TRUE(ours && theirs);
  EXPECT_EQ(variant_family(*ours), kAlloclabFamily);
  EXPECT_EQ(ours->expected_variant, "all");
  EXPECT_EQ(variant_family(*theirs), "mimalloc");
  EXPECT_EQ(theirs->expected_variant, "");  // as run/allocators.cc sets it: no alloclab_variant()
  EXPECT_EQ(variant_family(*r.find_allocator("glibc")), "");
  EXPECT_EQ(external_families(r), std::vector<std::string>{"mimalloc"});
  EXPECT_EQ(family_factor_names(r, "mimalloc"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(family_factor_names(r, kAlloclabFamily), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Fidelity, KnownAgreements) {
  RunResults r = load_results(fixture("fidelity.json"));
  AblationOptions opt;
  AblationReport rep = build_ablation(r, opt);
  auto f = build_fidelity(r, rep, opt, "mimalloc");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->factors, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(f->ours_only, std::vector<std::string>{"d"});
  EXPECT_EQ(cell(*f, "a", "w1").agreement, Agreement::same_direction);
  EXPECT_EQ(cell(*f, "a", "w2").agreement, Agreement::same_direction);
  EXPECT_EQ(cell(*f, "b", "w1").agreement, Agreement::opposite);
  EXPECT_EQ(cell(*f, "b", "w2").agreement, Agreement::one_sided);
  EXPECT_EQ(cell(*f, "c", "w1").agreement, Agreement::both_null);
  EXPECT_EQ(cell(*f, "c", "w2").agreement, Agreement::both_null);
  const FidelityComparison& b_add = cell(*f, "b", "w1").comparisons.at(0);
  EXPECT_EQ(b_add.kind, "add-one");
  EXPECT_EQ(b_add.ours.candidate, "b");
  EXPECT_EQ(b_add.theirs.candidate, "mimalloc:b");
  EXPECT_EQ(b_add.theirs.reference, "mimalloc:baseline");
  EXPECT_NEAR(*b_add.ours.ins_candidate, 98.0, 1e-9);
  EXPECT_NEAR(*b_add.theirs.ins_candidate, 113.0, 1e-9);
  EXPECT_NEAR(*b_add.theirs.ins_reference, 110.0, 1e-9);
  const FidelityComparison& b_rm = cell(*f, "b", "w1").comparisons.at(1);
  EXPECT_EQ(b_rm.theirs.candidate, "mimalloc:all");
  EXPECT_EQ(b_rm.theirs.reference, "mimalloc:all-but-b");
  ASSERT_EQ(f->per_factor.size(), 3u);
  EXPECT_EQ(f->per_factor[0].summary, "a: agrees on 2 of 2 workloads (2 same direction, 0 both null).");
  EXPECT_EQ(f->per_factor[1].summary,
            "b: agrees on 0 of 2 workloads (0 same direction, 0 both null); alloclab-only gain on w2 (add-one, "
            "remove-one); opposite on w1 (add-one, remove-one: alloclab faster, mimalloc slower).");
  EXPECT_EQ(f->per_factor[2].summary, "c: agrees on 2 of 2 workloads (0 same direction, 2 both null).");
  // The mimalloc family has its own BH families: our q-values are those of the run without it.
  ASSERT_EQ(f->families.size(), 2u);
  EXPECT_EQ(f->families[0].name, "mimalloc add-one");
  EXPECT_EQ(f->families[0].m, 6u);
}

TEST(Fidelity, OursIsNotMixedWithTheirsWhenTheBitsAreAlike) {
  // Both families with 3-bit strings, mimalloc's listed first: ours must still be ours.
  RunResults r = load_results(fixture("fidelity.json"));
  r.factor_names = {"a", "b", "c"};
  std::vector<AllocatorSpec> theirs, ours;
  for (auto a : r.allocators) {
    if (variant_family(a) == "mimalloc") {
      theirs.push_back(a);
      continue;
    }
    if (a.name == "d" || a.name == "all-but-d") continue;
    if (a.kind == AllocatorKind::variant) a.factors = a.factors.substr(0, 3);
    ours.push_back(a);
  }
  r.allocators = theirs;
  r.allocators.insert(r.allocators.end(), ours.begin(), ours.end());
  AblationReport rep = build_ablation(r, 200);
  EXPECT_EQ(rep.baseline_name, "baseline");
  EXPECT_EQ(rep.all_name, "all");
  for (const auto& wa : rep.workloads) {
    for (const auto* list : {&wa.add_one, &wa.remove_one, &wa.memory})
      for (const auto& e : *list) {
        EXPECT_EQ(e.candidate.find("mimalloc:"), std::string::npos) << e.candidate;
        EXPECT_EQ(e.reference.find("mimalloc:"), std::string::npos) << e.reference;
      }
  }
  for (const auto& v : rep.variants) EXPECT_EQ(v.variant.find("mimalloc:"), std::string::npos) << v.variant;
  AblationOptions opt;
  opt.family = "mimalloc";
  AblationReport mi = build_ablation(r, opt);
  EXPECT_EQ(mi.baseline_name, "mimalloc:baseline");
  EXPECT_EQ(mi.all_name, "mimalloc:all");
  EXPECT_TRUE(mi.workloads.at(0).peers.empty());
}

TEST(Fidelity, TheirEffectIsHeldToOurPlacementBand) {
  // A band of exp(2 * 0.03) = 1.062 on a's add-one on w1: ours (1.05) and mimalloc's (1.04)
  // both fall inside it, so neither counts and they agree as both null.
  RunResults r = load_results(fixture("fidelity.json"));
  AblationOptions opt;
  opt.placements[{"a", "baseline", "w1"}] = Placement{5, 1.2, 0.03};
  AblationReport rep = build_ablation(r, opt);
  auto f = build_fidelity(r, rep, opt, "mimalloc");
  ASSERT_TRUE(f);
  const FidelityComparison& c = cell(*f, "a", "w1").comparisons.at(0);
  EXPECT_TRUE(c.ours.significant && c.ours.below_spread);
  EXPECT_TRUE(c.theirs.significant && c.theirs.below_spread);
  ASSERT_TRUE(c.theirs.placement);
  EXPECT_DOUBLE_EQ(c.theirs.placement->sd_log, 0.03);
  EXPECT_EQ(c.agreement, Agreement::both_null);
  EXPECT_EQ(cell(*f, "a", "w1").comparisons.at(1).agreement, Agreement::same_direction);  // no band there
  EXPECT_EQ(cell(*f, "a", "w1").agreement, Agreement::same_direction);
}

TEST(Fidelity, ReportGolden) {
  // fixtures/fidelity-report.md was written by `harness report fixtures/fidelity.json` and read
  // against the fixture's known answer (make_fixtures.py).
  EXPECT_EQ(report_md(fixture("fidelity.json")), read_text(fixture("fidelity-report.md")));
}

TEST(Fidelity, ReportWithoutTheFamilyIsUnchanged) {
  // fixtures/fidelity-ours-only-report.md: the report of the run without mimalloc:*, written by
  // `harness report` at 268459a, before the fidelity section existed.
  const std::string ours = report_md(fixture("fidelity-ours-only.json"));
  EXPECT_EQ(ours, read_text(fixture("fidelity-ours-only-report.md")));
  EXPECT_EQ(ours.find("Fidelity"), std::string::npos);
  // With the family, the report is the same plus its fidelity section, nothing else.
  const std::string both = report_md(fixture("fidelity.json"));
  auto begin = both.find("## Fidelity: alloclab vs mimalloc");
  auto end = both.find("## Per workload");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(both.substr(0, begin) + both.substr(end), ours);
}

}  // namespace
}  // namespace alloclab::harness
