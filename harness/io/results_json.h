// io/results_json.h — the results file (schema_version 1, harness/results.schema.json and
// harness/README.md document every field): RunResults <-> JSON, load with validation, save
// atomically.
#pragma once

#include <string>
#include <vector>

#include "analysis/summary.h"
#include "core/types.h"

namespace alloclab::harness {

inline constexpr int kSchemaVersion = 1;

json sample_to_json(const Sample& s);
json summary_to_json(const RunResults& r, const std::vector<CellSummary>& cells);
json results_to_json(const RunResults& r, const std::vector<CellSummary>& cells);
json results_to_json(const RunResults& r);  // computes the summary

// Throws HarnessError (exit 2) for a document that does not validate.
RunResults results_from_json(const json& j, const std::string& origin = "results");
// Reads, parses, validates: a missing, malformed or invalid file throws HarnessError (exit 2)
// that names the file and the first problems.
RunResults load_results(const std::string& path);
json load_json_file(const std::string& path, const std::string& what);

void save_results(const std::string& path, const RunResults& r, const std::vector<CellSummary>& cells);

}  // namespace alloclab::harness
