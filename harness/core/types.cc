// core/types.cc — enum <-> string for the harness records.
#include "core/types.h"

#include <array>
#include <utility>

namespace alloclab::harness {
namespace {

template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table)
    if (v == e) return name;
  return "?";
}

constexpr std::array<std::pair<AllocatorKind, std::string_view>, 3> kKinds{{
    {AllocatorKind::variant, "variant"},
    {AllocatorKind::peer, "peer"},
    {AllocatorKind::custom, "custom"},
}};
constexpr std::array<std::pair<Status, std::string_view>, 5> kStatuses{{
    {Status::ok, "ok"},
    {Status::failed, "failed"},
    {Status::timeout, "timeout"},
    {Status::crashed, "crashed"},
    {Status::skipped, "skipped"},
}};
constexpr std::array<std::pair<Phase, std::string_view>, 5> kPhases{{
    {Phase::setup, "setup"},
    {Phase::verify, "verify"},
    {Phase::warmup, "warmup"},
    {Phase::measure, "measure"},
    {Phase::callgrind, "callgrind"},
}};

}  // namespace

std::string_view to_string(AllocatorKind k) { return name_of(kKinds, k); }
std::optional<AllocatorKind> allocator_kind_from_string(std::string_view s) { return lookup(kKinds, s); }
std::string_view to_string(Status s) { return name_of(kStatuses, s); }
std::optional<Status> status_from_string(std::string_view s) { return lookup(kStatuses, s); }
std::string_view to_string(Phase p) { return name_of(kPhases, p); }
std::optional<Phase> phase_from_string(std::string_view s) { return lookup(kPhases, s); }

std::string variant_family(const AllocatorSpec& a) {
  if (a.kind != AllocatorKind::variant) return "";
  auto colon = a.name.find(':');
  return colon == std::string::npos || colon == 0 ? std::string(kAlloclabFamily) : a.name.substr(0, colon);
}

const AllocatorSpec* RunResults::find_allocator(std::string_view name) const {
  for (const auto& a : allocators)
    if (a.name == name) return &a;
  return nullptr;
}

const WorkloadSpec* RunResults::find_workload(std::string_view name) const {
  for (const auto& w : workloads)
    if (w.name == name) return &w;
  return nullptr;
}

}  // namespace alloclab::harness
