// run/allocators.cc — variant, peer and custom allocator selection.
#include "run/allocators.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace alloclab::harness {
namespace fs = std::filesystem;

namespace {

struct PeerDef {
  const char* name;
  std::vector<std::string> sonames;  // preferred first
};

const std::vector<PeerDef>& peer_defs() {
  static const std::vector<PeerDef> defs = {
      {"glibc", {"libc.so.6"}},
      {"mimalloc", {"libmimalloc.so.2", "libmimalloc.so"}},
      {"jemalloc", {"libjemalloc.so.2", "libjemalloc.so"}},
      {"tcmalloc", {"libtcmalloc_minimal.so.4", "libtcmalloc.so.4", "libtcmalloc_minimal.so"}},
  };
  return defs;
}

const char* multiarch_triplet() {
#if defined(__x86_64__)
  return "x86_64-linux-gnu";
#elif defined(__aarch64__)
  return "aarch64-linux-gnu";
#elif defined(__i386__)
  return "i386-linux-gnu";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64-linux-gnu";
#else
  return "";
#endif
}

// `ldconfig -p` lines look like "\tlibjemalloc.so.2 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libjemalloc.so.2".
std::string ldconfig_lookup(const std::string& soname) {
  static const std::string cache = [] {
    std::string out;
    for (const char* cmd : {"/sbin/ldconfig -p 2>/dev/null", "ldconfig -p 2>/dev/null"}) {
      std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd, "r"), pclose);
      if (!p) continue;
      char buf[4096];
      std::size_t n;
      while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
      if (!out.empty()) break;
    }
    return out;
  }();
  std::istringstream in(cache);
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    if (line.compare(start, soname.size(), soname) != 0) continue;
    if (line.size() > start + soname.size() && line[start + soname.size()] != ' ') continue;
    auto arrow = line.find("=> ");
    if (arrow == std::string::npos) continue;
    std::string path = line.substr(arrow + 3);
    std::error_code ec;
    if (fs::exists(path, ec)) return path;
  }
  return {};
}

}  // namespace

PeerSearch default_peer_search() {
  PeerSearch s;
  std::string t = multiarch_triplet();
  if (!t.empty()) {
    s.dirs.push_back("/usr/lib/" + t);
    s.dirs.push_back("/lib/" + t);
    s.dirs.push_back("/usr/local/lib/" + t);
  }
  for (const char* d : {"/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"}) s.dirs.push_back(d);
  return s;
}

std::vector<std::string> peer_names() {
  std::vector<std::string> names;
  for (const auto& d : peer_defs()) names.push_back(d.name);
  return names;
}

std::string find_shared_library(const std::vector<std::string>& sonames, const PeerSearch& search) {
  for (const auto& so : sonames)
    for (const auto& dir : search.dirs) {
      std::error_code ec;
      fs::path p = fs::path(dir) / so;
      if (fs::is_regular_file(p, ec)) return p.string();  // follows symlinks
    }
  if (search.use_ldconfig)
    for (const auto& so : sonames)
      if (auto p = ldconfig_lookup(so); !p.empty()) return p;
  return {};
}

std::vector<PeerInfo> discover_peers(const PeerSearch& search) {
  std::vector<PeerInfo> out;
  for (const auto& d : peer_defs()) {
    PeerInfo p;
    p.name = d.name;
    p.searched = fmt::format("{}", fmt::join(d.sonames, " or "));
    p.library = find_shared_library(d.sonames, search);
    // glibc is always there: the runner itself links it; its path is only informative.
    p.found = !p.library.empty() || p.name == "glibc";
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> split_list(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

namespace {

bool in_set(const VariantInfo& v, const std::string& set) {
  return std::find(v.sets.begin(), v.sets.end(), set) != v.sets.end();
}

// "<family>:default" / "<family>:factorial" select an external family's set (e.g.
// mimalloc:default); sets "" for other names.
std::string family_of_set_keyword(const std::string& name) {
  for (const char* set : {":default", ":factorial"}) {
    const std::string suffix = set;
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return name.substr(0, name.size() - suffix.size());
  }
  return {};
}

std::vector<const VariantInfo*> resolve_variants(const Manifest* m, const std::string& arg,
                                                 std::vector<std::string>& warnings) {
  std::vector<const VariantInfo*> out;
  auto add = [&](const VariantInfo* v) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  if (arg == "none" || arg.empty()) return out;
  if (!m) throw HarnessError("variants requested but no manifest was read; pass --manifest FILE");
  auto add_set = [&](const std::string& set) {
    for (const auto& v : m->variants)
      if (in_set(v, set)) add(&v);
  };
  // A lone keyword selects a set; inside a list, `default` / `factorial` still expand but
  // `all` names the variant called "all" (so `--variants baseline,all` is two variants).
  // `all` leaves out test-only variants (set "test", e.g. the planted regressions): name
  // them to run them. `all`, `default` and `factorial` are alloclab's own variants; an
  // external family's are selected with <family>:default, <family>:factorial or by name.
  if (arg == "all") {
    for (const auto& v : m->variants)
      if (v.family == kAlloclabFamily && !in_set(v, "test")) add(&v);
    return out;
  }
  // Warns when fewer than the 2^k combinations of `set` (factorial or <family>:factorial) exist.
  // k is the length of the set's factor strings: families may have different factor counts
  // (ours 6, mimalloc's 5); the manifest's "factors" names ours.
  auto check_factorial = [&](const std::string& set) {
    std::size_t k = 0, have = 0;
    for (const auto& v : m->variants)
      if (in_set(v, set)) {
        ++have;
        k = std::max(k, v.factors.size());
      }
    if (k == 0) k = m->factor_names.size();
    std::size_t want = std::size_t{1} << k;
    if (have < want)
      warnings.push_back(
          fmt::format("only {} of the {} {} variants are built; configure with "
                      "-DALLOCLAB_FACTORIAL=ON for the full 2^{} design",
                      have, want, set, k));
  };
  std::vector<std::string> unknown;
  for (const auto& name : split_list(arg)) {
    if (name == "default" || name == "factorial") {
      add_set(name);
      if (name == "factorial") check_factorial(name);
    } else if (const VariantInfo* v = m->find(name)) {
      add(v);
    } else if (std::string family = family_of_set_keyword(name); !family.empty()) {
      bool known =
          std::any_of(m->variants.begin(), m->variants.end(), [&](const VariantInfo& x) { return x.family == family; });
      if (!known)
        throw HarnessError(
            fmt::format("--variants {}: the manifest {} has no {} family (its builds are listed under \"external\"; "
                        "configuring warns when their source is missing: run scripts/setup.sh online, or pass "
                        "-DALLOCLAB_MIMALLOC_SOURCE=DIR)",
                        name, m->path, family));
      add_set(name);
      if (name == family + ":factorial") check_factorial(name);
    } else {
      unknown.push_back(name);
    }
  }
  if (!unknown.empty()) {
    std::vector<std::string> valid;
    for (const auto& v : m->variants) valid.push_back(v.name);
    std::vector<std::string> families;
    for (const auto& v : m->variants)
      if (v.family != kAlloclabFamily && std::find(families.begin(), families.end(), v.family) == families.end())
        families.push_back(v.family);
    std::string family_sets;
    for (const auto& f : families) family_sets += fmt::format(", {0}:default, {0}:factorial", f);
    throw HarnessError(fmt::format("unknown variant{} {}; valid: all, default, factorial{}, none, or names from {}: {}",
                                   unknown.size() > 1 ? "s" : "", fmt::join(unknown, ", "), family_sets, m->path,
                                   fmt::join(valid, ", ")));
  }
  return out;
}

void require_file(const std::string& path, const std::string& what, const std::string& fix) {
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec))
    throw HarnessError(fmt::format("{}: library file {} not found; {}", what, path.empty() ? "(none)" : path, fix));
}

}  // namespace

AllocatorSelection select_allocators(const Manifest* manifest, const SelectionRequest& req,
                                     const std::vector<PeerInfo>& peers) {
  AllocatorSelection sel;
  auto taken = [&](const std::string& n) {
    return std::any_of(sel.allocators.begin(), sel.allocators.end(),
                       [&](const AllocatorSpec& a) { return a.name == n; });
  };

  bool warned_external_stats = false;
  for (const VariantInfo* v : resolve_variants(manifest, req.variants, sel.warnings)) {
    AllocatorSpec a;
    a.name = v->name;
    a.kind = AllocatorKind::variant;
    const bool external = v->family != kAlloclabFamily;
    // An external build has no -stats twin: under --stats it runs its plain library.
    a.stats_twin = req.stats && !external;
    a.library = a.stats_twin ? v->stats_library : v->library;
    if (req.stats && external && !warned_external_stats) {
      sel.warnings.push_back("--stats: the " + v->family +
                             ":* builds have no -stats twin; they run their plain library");
      warned_external_stats = true;
    }
    a.options = v->options;
    a.factors = v->factors;
    a.sets = v->sets;
    // The preload check: an alloclab variant must report its name through alloclab_variant();
    // an external build must be the library that answers malloc with no alloclab library
    // answering (the check peers get).
    a.expected_variant = external ? std::string{} : v->name;
    if (!a.stats_twin)  // the -stats twins have no layout copies
      for (const auto& c : v->layouts) a.layout_libraries.push_back(c.library);
    if (req.check_files)
      require_file(a.library, "variant " + a.name,
                   external ? "build it with `cmake --build build --target " + v->family +
                                  "-variants` or pass --manifest for another build"
                            : "build it with `cmake --build build --target alloclab-variants` or pass "
                              "--manifest for another build");
    sel.allocators.push_back(std::move(a));
  }

  // Peers.
  std::vector<std::string> want;
  if (req.peers == "all") {
    want = peer_names();
  } else if (req.peers != "none" && !req.peers.empty()) {
    want = split_list(req.peers);
    std::vector<std::string> unknown;
    auto valid = peer_names();
    for (const auto& n : want)
      if (std::find(valid.begin(), valid.end(), n) == valid.end()) unknown.push_back(n);
    if (!unknown.empty())
      throw HarnessError(fmt::format("unknown peer{} {}; valid: all, none, {}", unknown.size() > 1 ? "s" : "",
                                     fmt::join(unknown, ", "), fmt::join(valid, ", ")));
  }
  for (const auto& name : want) {
    auto it = std::find_if(peers.begin(), peers.end(), [&](const PeerInfo& p) { return p.name == name; });
    if (it == peers.end() || !it->found) {
      std::string reason = fmt::format("{} is not installed here (looked for {})", name,
                                       it == peers.end() ? std::string("?") : it->searched);
      sel.warnings.push_back(reason + "; skipped (install it, or pass --allocator " + name + "=PATH)");
      sel.skipped.push_back({name, AllocatorKind::peer, reason});
      continue;
    }
    if (taken(name)) continue;
    AllocatorSpec a;
    a.name = name;
    a.kind = AllocatorKind::peer;
    a.library = name == "glibc" ? std::string{} : it->library;
    sel.allocators.push_back(std::move(a));
  }

  // Custom NAME=PATH.
  for (const auto& kv : req.custom) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
      throw HarnessError(
          fmt::format("--allocator {}: expected NAME=PATH, e.g. --allocator "
                      "mine=/path/to/libmine.so",
                      kv));
    AllocatorSpec a;
    a.name = kv.substr(0, eq);
    a.kind = AllocatorKind::custom;
    a.library = kv.substr(eq + 1);
    if (taken(a.name))
      throw HarnessError(
          fmt::format("--allocator {}: the name {} is already taken by a selected "
                      "allocator; pick another name",
                      kv, a.name));
    if (req.check_files) require_file(a.library, "--allocator " + a.name, "check the path");
    std::error_code ec;
    auto abs = fs::absolute(a.library, ec);
    if (!ec) a.library = abs.string();
    sel.allocators.push_back(std::move(a));
  }
  return sel;
}

}  // namespace alloclab::harness
