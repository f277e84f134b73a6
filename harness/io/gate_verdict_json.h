// io/gate_verdict_json.h — the gate's machine-readable verdict (`harness gate --json FILE`), for
// CI steps that act on it. Any verb that fills a GateReport (gate, ab) writes it with these.
//
// {"schema": "alloclab-gate-verdict", "schema_version": 1, "title", "verdict": "pass"|"fail"|
//  "refused", "exit_code": 0|1|2, "verdict_line", "metric", "candidate", "baseline",
//  "options": {max_regression, reference, allocators, workloads, alpha, allow_mismatch,
//  allow_incomplete, allow_missing}, "counts": {reference_cells, gated, not_gated, regressions,
//  candidate_only}, "refusals": [str], "warnings": [str], "mismatch_allowed",
//  "mismatches": [{field, candidate, reference}], "family": {name, shape, m, alpha, raw, fdr}
//  (mallocs_per_sec), "cells": [{allocator, workload, candidate, baseline, rel, ci_low, ci_high,
//  p, q, significant, failed, rerun?}], "ungated": [{allocator, workload, why, detail}],
//  "candidate_only": [...same...], "instructions": [{allocator, workload, candidate, baseline,
//  change?}]}. Instructions per malloc of 0 are written as null (no count on that side). A cell
//  also has the fields of GateOutputContext::cell_json (`ab`: n_pairs, placement_band,
//  inside_placement).
//
// A verdict with several sections (`ab`): `context`'s fields, then {"schema":
// "alloclab-gate-verdicts", "schema_version": 1, "verdict" (the worst section's), "passed",
// "sections": [one object as above per section, in order]}.
#pragma once

#include <string>
#include <vector>

#include "analysis/gate.h"
#include "core/types.h"

namespace alloclab::harness {

json gate_verdict_to_json(const GateReport& report, const GateOptions& opt, const GateOutputContext& ctx);
// Written atomically (io/atomic_file.h); throws HarnessError (exit 2) when it cannot be.
void write_gate_verdict(const std::string& path, const GateReport& report, const GateOptions& opt,
                        const GateOutputContext& ctx);
json gate_verdicts_to_json(const std::vector<GateSection>& sections, const json& context);
void write_gate_verdicts(const std::string& path, const std::vector<GateSection>& sections, const json& context);

}  // namespace alloclab::harness
