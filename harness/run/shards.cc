// run/shards.cc — the --shard K/N parser, the dealing rule, the manifest digest.
#include "run/shards.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>

#include <fmt/format.h>

#include "core/error.h"

namespace alloclab::harness {

ShardInfo parse_shard(const std::string& text) {
  static const std::regex form("([0-9]{1,6})/([0-9]{1,6})");
  std::smatch m;
  const std::string usage = fmt::format("--shard {}: expected K/N with 1 <= K <= N, e.g. 2/3", text);
  if (!std::regex_match(text, m, form)) throw HarnessError(usage);
  ShardInfo s;
  s.index = std::stoi(m[1].str());
  s.count = std::stoi(m[2].str());
  if (s.count < 1 || s.index < 1 || s.index > s.count) throw HarnessError(usage);
  return s;
}

int shard_of_workload(std::size_t index, int count) {
  return static_cast<int>(index % static_cast<std::size_t>(count)) + 1;
}

std::vector<std::string> shard_workloads(const std::vector<std::string>& selection, int index, int count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < selection.size(); ++i)
    if (shard_of_workload(i, count) == index) out.push_back(selection[i]);
  return out;
}

void restrict_to_shard(RunResults& res, ShardInfo shard, const std::string& manifest_path) {
  if (static_cast<std::size_t>(shard.count) > res.workloads.size())
    throw HarnessError(fmt::format(
        "--shard {}/{}: {} shards for {} selected workload{}: shards are dealt whole workloads, so at most {} "
        "shard{} (shard {} would get none)",
        shard.index, shard.count, shard.count, res.workloads.size(), res.workloads.size() == 1 ? "" : "s",
        res.workloads.size(), res.workloads.size() == 1 ? "" : "s", res.workloads.size() + 1));
  shard.selection.clear();
  for (const auto& w : res.workloads) shard.selection.push_back(w.name);
  std::vector<WorkloadSpec> mine;
  for (std::size_t i = 0; i < res.workloads.size(); ++i)
    if (shard_of_workload(i, shard.count) == shard.index) mine.push_back(res.workloads[i]);
  res.workloads = std::move(mine);
  shard.manifest_digest = file_digest(manifest_path);
  res.shard = std::move(shard);
}

std::string file_digest(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw HarnessError(fmt::format("{} cannot be read (for its digest)", path));
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) {
    h ^= static_cast<unsigned char>(*it);
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace alloclab::harness
