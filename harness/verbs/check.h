// verbs/check.h — `harness check FILE…`: validate results files against the schema.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace alloclab::harness {

struct CheckArgs {
  std::vector<std::string> files;
};

CLI::App* add_check_verb(CLI::App& app, CheckArgs& args);
int check_verb(const CheckArgs& args);  // 0 when every file is valid, else 2

}  // namespace alloclab::harness
