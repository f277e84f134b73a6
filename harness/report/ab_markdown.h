// report/ab_markdown.h — `harness ab --format md`: the pull-request comment / job summary. The
// verdict first; then the failing cells with their ratios and CIs and the command that
// re-runs each; the instruction deltas of every cell; the wall-time table; how it was measured.
#pragma once

#include <string>

#include "analysis/ab.h"

namespace alloclab::harness {

std::string render_ab_markdown(const AbReport& rep, const AbContext& ctx);

}  // namespace alloclab::harness
