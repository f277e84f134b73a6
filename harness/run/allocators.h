// run/allocators.h — which allocators a run measures: alloclab variants from the manifest,
// peers found on this machine (glibc always; Debian's mimalloc, jemalloc, tcmalloc when
// installed) and custom libraries (--allocator NAME=PATH).
#pragma once

#include <string>
#include <vector>

#include "core/types.h"
#include "run/manifest.h"

namespace alloclab::harness {

struct PeerInfo {
  std::string name;
  std::string library;  // resolved path; for glibc the libc it found (never preloaded)
  bool found = false;
  std::string searched;  // what was looked for, for the "not installed" warning
};

struct PeerSearch {
  std::vector<std::string> dirs;  // searched in order
  bool use_ldconfig = true;       // fall back to `ldconfig -p`
};

// The multiarch library directories of this machine (e.g. /usr/lib/x86_64-linux-gnu).
PeerSearch default_peer_search();
// The peer names in their fixed order: glibc, mimalloc, jemalloc, tcmalloc.
std::vector<std::string> peer_names();
std::vector<PeerInfo> discover_peers(const PeerSearch& search);
// First of `sonames` found in `dirs`, then via ldconfig; "" if none.
std::string find_shared_library(const std::vector<std::string>& sonames, const PeerSearch& search);

// `variants` also takes <family>:default and <family>:factorial for an external family
// (mimalloc:default), alone or in a list (default,mimalloc:default).
struct SelectionRequest {
  std::string variants = "default";  // all | default | factorial | none | NAME,NAME,...
  std::string peers = "all";         // all | none | NAME,NAME,...
  std::vector<std::string> custom;   // NAME=PATH
  bool stats = false;                // use the -stats twins
  bool check_files = true;           // every library file must exist
};

struct AllocatorSelection {
  std::vector<AllocatorSpec> allocators;
  std::vector<SkippedAllocator> skipped;
  std::vector<std::string> warnings;
};

// Throws HarnessError (exit 2) on unknown names (listing the valid ones) and missing files.
// `manifest` may be null when no variant is requested.
AllocatorSelection select_allocators(const Manifest* manifest, const SelectionRequest& req,
                                     const std::vector<PeerInfo>& peers);

std::vector<std::string> split_list(const std::string& s, char sep = ',');

}  // namespace alloclab::harness
