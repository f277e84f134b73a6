// io/ab_verdict_json.h — `harness ab --json FILE`: the verdict as JSON for CI tooling (a bot
// comment, a dashboard): passed, what was compared, every gated cell of both metrics with its
// numbers and verdict, and the failing cells with the command that re-runs each.
#pragma once

#include <string>

#include "analysis/ab.h"
#include "core/types.h"

namespace alloclab::harness {

json ab_verdict_json(const AbReport& rep, const AbContext& ctx);
// Written atomically (temp file + rename).
void write_ab_verdict(const std::string& path, const AbReport& rep, const AbContext& ctx);

}  // namespace alloclab::harness
