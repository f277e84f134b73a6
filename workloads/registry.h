// registry.h — the list of workloads, built once.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "workloads/workload.h"

namespace alloclab::workloads {

// Every workload, in a fixed order (the order of registry.cc).
const std::vector<Workload>& all_workloads();

// The workload with this exact name, or nullptr.
const Workload* find_workload(std::string_view name);

// [{"name","family","description","default","threads","params"}...]: what --list prints.
nlohmann::json workloads_json();

}  // namespace alloclab::workloads
