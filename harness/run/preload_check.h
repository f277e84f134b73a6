// run/preload_check.h — is a library given with --allocator NAME=PATH usable as an allocator?
// Asked of the dynamic loader itself, before anything is measured: a tiny program (/bin/true)
// runs with LD_PRELOAD="<library> <exit probe>". ld.so's own complaint ("cannot be preloaded
// (invalid ELF header)", "(cannot dynamically load position-independent executable)") is the
// reason when it refuses; when it loads, the probe's record says whose malloc the program
// bound — a library that does not export malloc (libz) leaves it at libc.
#pragma once

#include <string>

#include "run/process_runner.h"

namespace alloclab::harness {

// "" when `library` preloads and answers malloc; else why not, in the loader's words.
std::string check_preloadable(const std::string& library, const std::string& probe, ProcessRunner& pr);

}  // namespace alloclab::harness
