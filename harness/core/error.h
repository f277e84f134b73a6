// core/error.h — the one exception type verbs throw for "stop and tell the user": it carries the
// exit code (kExitUsage for bad flags, unknown names, missing or malformed files).
#pragma once

#include <stdexcept>
#include <string>

#include "core/types.h"

namespace alloclab::harness {

class HarnessError : public std::runtime_error {
 public:
  explicit HarnessError(const std::string& what, int exit_code = kExitUsage)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace alloclab::harness
