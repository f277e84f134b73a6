// report/fidelity_md.h — the report's fidelity section (analysis/fidelity.h) as Markdown: how to
// read it, one summary line per optimization, the external family's tests, then one table per
// optimization (workloads × add-one / remove-one, both families side by side).
#pragma once

#include <string>

#include "analysis/fidelity.h"

namespace alloclab::harness {

std::string render_fidelity_md(const FidelityReport& f, double alpha);

}  // namespace alloclab::harness
