// run/context.h — the "context" block of a results file: where and how it was measured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"

namespace alloclab::harness {

// host, cpu_model, cores, kernel, compiler, compiler_flags, build_type, git_commit, git_dirty,
// date_utc, command_line, seed, runner, manifest.
json collect_context(const std::vector<std::string>& command_line, std::uint64_t seed, const std::string& runner,
                     const std::string& manifest);

std::string utc_iso8601_now();  // 2025-01-31T12:34:56Z
std::string utc_compact_now();  // 20250131T123456Z (for file names)

// Output of a shell command (stdout, trailing newline removed); "" on failure.
std::string capture_command(const std::string& cmd);

}  // namespace alloclab::harness
