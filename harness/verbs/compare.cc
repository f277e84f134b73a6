// verbs/compare.cc — the `compare` verb.
#include "verbs/compare.h"

#include <cstdio>

#include <fmt/format.h>

#include "analysis/compare.h"
#include "core/error.h"
#include "io/results_json.h"
#include "report/tables.h"
#include "verbs/flags.h"

namespace alloclab::harness {

CLI::App* add_compare_verb(CLI::App& app, CompareArgs& a) {
  auto* compare = app.add_subcommand("compare",
                                     "Compare two results files (unpaired: Mann–Whitney U and a bootstrap "
                                     "CI of the ratio of medians), or one file against --reference");
  compare->add_option("files", a.files, "A.json [B.json]")->required()->expected(1, 2)->check(CLI::ExistingFile);
  add_alpha_flag(*compare, a.alpha);
  compare->add_option("--reference", a.reference, "With one file: the allocator to compare the others with");
  add_style_flag(*compare, a.style);
  return compare;
}

int compare_verb(const CompareArgs& a) {
  RunResults first = load_results(a.files[0]);
  if (a.files.size() == 2) {
    RunResults second = load_results(a.files[1]);
    TestFamily family;
    auto rows = compare_files(first, second, a.alpha, &family);
    if (rows.empty())
      throw HarnessError("compare: the two files have no (allocator, workload) cell with successful samples in common");
    std::fputs(render_compare(rows, "A", "B", a.alpha, a.style, &family).c_str(), stdout);
    std::printf("A = %s\nB = %s\n", a.files[0].c_str(), a.files[1].c_str());
    return kExitOk;
  }
  std::string ref = a.reference.empty() ? first.options.reference : a.reference;
  if (!first.find_allocator(ref)) throw HarnessError(fmt::format("compare --reference {}: not in {}", ref, a.files[0]));
  TestFamily family;
  auto rows = compare_within(first, ref, a.alpha, &family);
  std::fputs(render_compare(rows, ref, "allocator", a.alpha, a.style, &family).c_str(), stdout);
  std::printf("Within %s, paired by round: ratio = allocator / %s.\n", a.files[0].c_str(), ref.c_str());
  return kExitOk;
}

}  // namespace alloclab::harness
