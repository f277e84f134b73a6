// report/tables.h — the verbs' terminal tables, all built on report/text_table.h:
//   run table      workloads × allocators: median Mmallocs/s and the ratio to the reference
//                  with its CI, `*` when significant, FAIL for failed cells
//   compare, gate, instructions (callgrind), the verdicts of `harness validate`, and
//   `harness list`.
#pragma once

#include <string>
#include <vector>

#include "analysis/compare.h"
#include "analysis/gate.h"
#include "analysis/summary.h"
#include "analysis/validation.h"
#include "core/types.h"
#include "report/text_table.h"

namespace alloclab::harness {

std::string render_run_table(const RunResults& r, const std::vector<CellSummary>& cells, const Style& style);
// `family`: the rows' family of tests (analysis/compare.h), named under the table when given.
std::string render_compare(const std::vector<CompareRow>& rows, const std::string& a_label, const std::string& b_label,
                           double alpha, const Style& style, const TestFamily* family = nullptr);
// `harness gate`: warnings first, the gated cells, what was not gated, the failing cells (with
// their re-run commands from `ctx`), and the verdict line last.
std::string render_gate(const GateReport& report, const GateOptions& opt, const Style& style,
                        const GateOutputContext* ctx = nullptr);
std::string render_instructions(const std::vector<InstructionCount>& counts, const std::string& reference, bool plain);
// `harness validate --aa`: one line; `--planted`: a table of the cells and a count.
std::string render_aa(const AaVerdict& v, const std::string& copy, double alpha);
std::string render_planted(const std::vector<PlantedRow>& rows, bool plain);
// `--layout`: per workload each copy's ratio to baseline [CI], the placement spread; then the
// significant cells raw and after Benjamini-Hochberg, and what chance alone gives.
std::string render_layout(const LayoutVerdict& v, double alpha, bool plain);
// `harness list`: the variants, peers and workloads tables of its JSON document.
std::string render_list(const json& list, const std::string& manifest, const std::string& runner, bool plain);

}  // namespace alloclab::harness
