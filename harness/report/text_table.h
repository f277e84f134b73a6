// report/text_table.h — the one text renderer every terminal table uses (report/tables.h builds
// the verbs' tables on it): TextTable (columns padded to their widest cell, UTF-8 aware,
// multi-line cells), the terminal width, the ratio format, and the output Style.
#pragma once

#include <string>
#include <vector>

namespace alloclab::harness {

struct Style {
  bool plain = false;  // ASCII only, no progress redraws (CI logs)
  int width = 0;       // terminal width; 0 = $COLUMNS or the terminal's, else 160
};

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // Cells may hold several lines ('\n'); the first column is left-aligned, others right.
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(bool plain = false) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

std::size_t display_width(const std::string& s);
int terminal_width(const Style& style);

// "1.12× [1.08,1.15]*" (plain: "1.12x [1.08,1.15]*").
std::string format_ratio(double ratio, double lo, double hi, bool significant, bool plain);

}  // namespace alloclab::harness
