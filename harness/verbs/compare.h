// verbs/compare.h — `harness compare A.json [B.json]`: two results files (unpaired), or one
// file against --reference (paired by round). The evaluation is analysis/compare.h.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/defaults.h"
#include "report/text_table.h"

namespace alloclab::harness {

struct CompareArgs {
  std::vector<std::string> files;  // A.json [B.json]
  double alpha = RunDefaults::kAlpha;
  std::string reference;  // one file: "" = the file's own reference
  Style style;
};

CLI::App* add_compare_verb(CLI::App& app, CompareArgs& args);
int compare_verb(const CompareArgs& args);

}  // namespace alloclab::harness
