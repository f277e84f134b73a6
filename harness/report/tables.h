// report/tables.h — the verbs' terminal tables, all built on report/text_table.h:
//   run table      workloads × allocators: median Mmallocs/s and the ratio to the reference
//                  with its CI, `*` when significant, FAIL for failed cells
//   compare, gate, exec, instructions (callgrind), and the verdicts of `harness validate`.
#pragma once

#include <string>
#include <vector>

#include "analysis/compare.h"
#include "analysis/gate.h"
#include "analysis/summary.h"
#include "core/types.h"
#include "report/text_table.h"
#include "run/exec.h"

namespace alloclab::harness {

std::string render_run_table(const RunResults& r, const std::vector<CellSummary>& cells, const Style& style);
std::string render_compare(const std::vector<CompareRow>& rows, const std::string& a_label,
                           const std::string& b_label, double alpha, const Style& style);
std::string render_gate(const GateReport& report, const GateOptions& opt, const Style& style);
std::string render_exec(const std::vector<ExecResult>& results, bool plain);
std::string render_instructions(const std::vector<InstructionCount>& counts, const std::string& reference,
                                bool plain);

}  // namespace alloclab::harness
