// report/effect_cells.h — how the Markdown report writes one effect (analysis/ablation.h): its
// mark and its "ratio [CI] mark" cell, shared by the ablation tables and the fidelity section.
#pragma once

#include <string>

#include "analysis/ablation.h"

namespace alloclab::harness {

// ✔ counts (significant after FDR, not placement); † significant after FDR but placement
// suspect or within the placement spread; · significant uncorrected only; "" otherwise.
std::string effect_mark(const Effect& e);
// "1.051× [1.046, 1.055] ✔", "n/a" without pairs.
std::string effect_ratio_cell(const Effect& e);

}  // namespace alloclab::harness
