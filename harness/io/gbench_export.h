// io/gbench_export.h — results in Google Benchmark's JSON format, so tools/compare.py and CI
// dashboards read them: benchmarks named "<allocator>/<workload>", one "iteration" entry per
// ok sample (repetition_index = round - 1) plus median/mean/stddev/cv aggregates.
#pragma once

#include "analysis/summary.h"
#include "core/types.h"

namespace alloclab::harness {

json to_gbench(const RunResults& r);

}  // namespace alloclab::harness
