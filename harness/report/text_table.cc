// report/text_table.cc — fixed-width text tables.
#include "report/text_table.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

namespace alloclab::harness {
namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string pad(const std::string& s, std::size_t width, bool left) {
  std::size_t w = display_width(s);
  std::string fill(width > w ? width - w : 0, ' ');
  return left ? s + fill : fill + s;
}

}  // namespace

std::size_t display_width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;  // count UTF-8 lead bytes only
  return w;
}

int terminal_width(const Style& style) {
  if (style.width > 0) return style.width;
  if (const char* c = std::getenv("COLUMNS"))
    if (int v = std::atoi(c); v > 20) return v;
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 160;
}

std::string TextTable::render(bool plain) const {
  std::size_t ncols = header_.size();
  for (const auto& r : rows_) ncols = std::max(ncols, r.size());
  std::vector<std::size_t> width(ncols, 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i)
      for (const auto& l : lines_of(row[i])) width[i] = std::max(width[i], display_width(l));
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  // Right-align columns whose cells all read as numbers (or FAIL / - / n/a); left otherwise.
  std::vector<bool> right(ncols, true);
  right[0] = false;
  for (const auto& r : rows_)
    for (std::size_t i = 1; i < ncols; ++i) {
      std::string first = i < r.size() ? lines_of(r[i])[0] : "";
      bool numeric = first.empty() || first == "FAIL" || first == "-" || first == "n/a" ||
                     std::string_view("0123456789+-.").find(first[0]) != std::string_view::npos;
      if (!numeric) right[i] = false;
    }

  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::vector<std::vector<std::string>> cells(ncols);
    std::size_t height = 1;
    for (std::size_t i = 0; i < ncols; ++i) {
      cells[i] = i < row.size() ? lines_of(row[i]) : std::vector<std::string>{""};
      height = std::max(height, cells[i].size());
    }
    for (std::size_t l = 0; l < height; ++l) {
      std::string line;
      for (std::size_t i = 0; i < ncols; ++i) {
        if (i) line += "  ";
        line += pad(l < cells[i].size() ? cells[i][l] : "", width[i], !right[i]);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  };
  emit(header_);
  std::size_t total = 0;
  for (auto w : width) total += w + 2;
  std::string rule;
  for (std::size_t i = 0; i + 2 < total; ++i) rule += plain ? "-" : "─";
  out += rule + "\n";
  for (const auto& r : rows_) emit(r);
  return out;
}

std::string format_ratio(double ratio, double lo, double hi, bool significant, bool plain) {
  return fmt::format("{:.2f}{} [{:.2f},{:.2f}]{}", ratio, plain ? "x" : "×", lo, hi, significant ? "*" : " ");
}

}  // namespace alloclab::harness
