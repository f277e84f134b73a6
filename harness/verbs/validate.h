// verbs/validate.h — `harness validate`: checks of the harness itself (judged by
// analysis/validation.h).
//   --aa       baseline and an identical copy under another name (baseline-copy, same
//              library): the number of significant cells should be about alpha × cells.
//   --planted  baseline vs test-only slowed libraries given as --allocator planted-N=PATH
//              (N = the planted slowdown in %): per cell, was the slowdown detected?
//   --layout   A/A': baseline vs its layout copies 1..K-1 of the manifest (baseline@L1, ...,
//              the same code linked at other addresses), each copy fixed: how far placement
//              alone moves the ratio, and how many cells it makes significant (after FDR).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "run/process_runner.h"
#include "verbs/run.h"

namespace alloclab::harness {

struct ValidateArgs {
  bool aa = false, planted = false, layout = false;
  RunArgs run;  // --workloads, --allocator, the round flags, --alpha, paths, --style
};

CLI::App* add_validate_verb(CLI::App& app, ValidateArgs& args);
int validate_verb(const ValidateArgs& args, const std::vector<std::string>& command_line, ProcessRunner& pr);

}  // namespace alloclab::harness
