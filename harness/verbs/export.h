// verbs/export.h — `harness export FILE --format gbench [--out F]`: Google Benchmark JSON
// (io/gbench_export.h), readable by compare.py.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace alloclab::harness {

enum class ExportFormat { gbench };

struct ExportArgs {
  std::string file;
  ExportFormat format = ExportFormat::gbench;
  std::string out;  // "" = stdout
};

CLI::App* add_export_verb(CLI::App& app, ExportArgs& args);
int export_verb(const ExportArgs& args);

}  // namespace alloclab::harness
