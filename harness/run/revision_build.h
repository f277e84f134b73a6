// run/revision_build.h — another revision's variant libraries, built beside this build for
// `harness ab`: a git worktree of the repository at the commit (`git worktree add --detach`,
// nothing downloaded), configured with only what the variants need (Release, no tests, no
// mimalloc family, no redis, -DALLOCLAB_ONLY_VARIANTS=<the variants>), and only the targets of
// those variants' libraries and layout copies built. Cached by commit sha under
// <cache>/<sha>/{src,build,build.log,complete.json}: complete.json is written last, after the
// build succeeded and every library file exists, so a half-built cache (interrupted, failed)
// has none and is built again (ninja then rebuilds what is missing), never trusted.
#pragma once

#include <string>
#include <vector>

#include "core/types.h"
#include "run/process_runner.h"

namespace alloclab::harness {

struct RevisionBuildRequest {
  std::string repo;                   // a git checkout of the project (the source of the revision)
  std::string rev;                    // as the user gave it (sha, branch, main~1, ...)
  std::string cache_dir;              // <build>/ab
  std::vector<std::string> variants;  // the variants whose libraries are needed
  std::string git = "git", cmake = "cmake";
  double timeout_s = 3600;  // per step (configure, build)
};

struct RevisionBuild {
  std::string sha;
  std::string dir, src, build_dir, manifest, log;
  bool reused = false;                        // the cache was complete: nothing was built
  std::vector<std::string> missing_variants;  // asked for but not declared at this revision
  double seconds = 0;                         // spent configuring and building
};

// The full sha of `rev` in `repo`. Throws HarnessError (exit 2) when git does not know it.
std::string resolve_revision(const std::string& repo, const std::string& rev, const std::string& git,
                             ProcessRunner& pr);

// Builds (or reuses) the revision's libraries. Progress notes ("building ...") go to `note`.
// Throws HarnessError: exit 2 when a step fails (the message names the step and the log),
// kExitInterrupted when interrupted (the running step is killed; the cache stays incomplete).
RevisionBuild build_revision(const RevisionBuildRequest& req, ProcessRunner& pr, void (*note)(const std::string&));

// The CMake target of a library file: ".../liballoclab-baseline-layout1.so" ->
// "alloclab-baseline-layout1".
std::string library_target(const std::string& library_path);

}  // namespace alloclab::harness
