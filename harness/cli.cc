// cli.cc — wiring only: build the CLI::App, register the verbs (each declares its own flags
// in verbs/<verb>.cc; shared flags are in verbs/flags.cc), parse, dispatch to the one that was
// given, and map errors to exit codes (0 ok, 1 failures / failed gate, 2 usage or bad input,
// 130 interrupted).
#include "cli.h"

#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/error.h"
#include "core/types.h"
#include "run/process_runner.h"
#include "verbs/ab.h"
#include "verbs/callgrind.h"
#include "verbs/check.h"
#include "verbs/compare.h"
#include "verbs/exec.h"
#include "verbs/export.h"
#include "verbs/gate.h"
#include "verbs/list.h"
#include "verbs/merge.h"
#include "verbs/report.h"
#include "verbs/run.h"
#include "verbs/validate.h"

namespace alloclab::harness {
namespace {

// One registered verb: its subcommand, what runs it, and whether Ctrl-C / SIGTERM should
// stop it gracefully (verbs that start children; the others just die).
struct Verb {
  CLI::App* command;
  std::function<int()> run;
  bool handles_interrupt = false;
};

}  // namespace

int cli_main(int argc, char** argv) {
  std::vector<std::string> command_line(argv, argv + argc);
  CLI::App app{
      "alloclab harness: measure allocator variants and peers with the same runner, one fresh process per "
      "(allocator, workload, round); compare, gate and report on the results.\n"
      "Exit codes: 0 ok, 1 failed cells or failed gate, 2 usage or input error, 130 interrupted."};
  app.require_subcommand(1);
  PosixProcessRunner pr;

  ListArgs list;
  RunArgs run;
  CompareArgs compare;
  GateArgs gate;
  ReportArgs report;
  ExportArgs exp;
  CheckArgs check;
  ExecArgs exec;
  CallgrindArgs callgrind;
  ValidateArgs validate;
  MergeArgs merge;
  AbArgs ab;
  const std::vector<Verb> verbs = {
      {add_list_verb(app, list), [&] { return list_verb(list); }},
      {add_run_verb(app, run), [&] { return run_verb(run, command_line, pr); }, true},
      {add_compare_verb(app, compare), [&] { return compare_verb(compare); }},
      {add_gate_verb(app, gate), [&] { return gate_verb(gate); }},
      {add_report_verb(app, report), [&] { return report_verb(report); }},
      {add_export_verb(app, exp), [&] { return export_verb(exp); }},
      {add_check_verb(app, check), [&] { return check_verb(check); }},
      {add_exec_verb(app, exec), [&] { return exec_verb(exec, command_line, pr); }, true},
      {add_callgrind_verb(app, callgrind), [&] { return callgrind_verb(callgrind, command_line, pr); }, true},
      {add_validate_verb(app, validate), [&] { return validate_verb(validate, command_line, pr); }, true},
      {add_merge_verb(app, merge), [&] { return merge_verb(merge, command_line); }},
      {add_ab_verb(app, ab), [&] { return ab_verb(ab, command_line, pr); }, true},
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  try {
    for (const Verb& v : verbs) {
      if (!*v.command) continue;
      if (v.handles_interrupt) install_interrupt_handlers();
      return v.run();
    }
  } catch (const HarnessError& e) {
    std::fprintf(stderr, "harness: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "harness: internal error: %s\n", e.what());
    return kExitUsage;
  }
  return kExitUsage;
}

}  // namespace alloclab::harness
