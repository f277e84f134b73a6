// report/svg.cc — a minimal SVG bar chart writer.
#include "report/svg.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace alloclab::harness {

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string bar_chart_svg(const std::string& title, const std::string& axis_label, const std::vector<Bar>& bars,
                          double reference, bool higher_is_better) {
  // Log scale (ratios are multiplicative). The domain covers the bar values and the reference
  // line; CI whiskers that reach beyond it are clipped and end in an arrow, so one very noisy
  // cell does not squash every other bar.
  const double label_w = 260, plot_w = 360, row_h = 14, top = 36, bottom = 40;
  double lo = std::min(reference / 1.1, reference), hi = std::max(reference * 1.1, reference);
  for (const auto& b : bars)
    if (std::isfinite(b.value) && b.value > 0) {
      lo = std::min(lo, b.value);
      hi = std::max(hi, b.value);
    }
  double llo = std::log(lo), lhi = std::log(hi);
  double pad = (lhi - llo) * 0.15;
  llo -= pad;
  lhi += pad;
  auto x = [&](double v) {
    double lv = v > 0 && std::isfinite(v) ? std::log(v) : llo;
    lv = std::clamp(lv, llo, lhi);
    return label_w + (lv - llo) / (lhi - llo) * plot_w;
  };
  double height = top + bottom + row_h * static_cast<double>(bars.size());
  double width = label_w + plot_w + 90;

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      width, height, xml_escape(title));
  std::string prev_group;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double y = top + row_h * static_cast<double>(i);
    if (b.group != prev_group && i > 0)
      s += fmt::format("<line x1=\"10\" x2=\"{:.0f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", width - 10, y,
                       y);
    prev_group = b.group;
    double x0 = x(reference), x1 = x(b.value);
    std::string colour =
        !b.significant ? "#b0b0b0" : ((b.value >= reference) == higher_is_better ? "#2b8a3e" : "#c92a2a");
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", label_w - 6, y + 11,
                     xml_escape(b.label));
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
                     std::min(x0, x1), y + 3, std::max(1.0, std::abs(x1 - x0)), row_h - 6, colour);
    if (b.lo != b.hi) {
      double xl = x(b.lo), xh = x(b.hi), ym = y + row_h / 2;
      s += fmt::format("<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"black\"/>\n", xl, xh, ym,
                       ym);
      auto cap = [&](double xv, bool clipped, int dir) {
        if (clipped)
          s += fmt::format("<path d=\"M{:.1f},{:.1f} l{},-4 l0,8 z\" fill=\"black\"/>\n", xv, ym, -5 * dir);
        else
          s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"black\"/>\n", xv,
                           y + 5, y + row_h - 5);
      };
      cap(xl, b.lo > 0 && std::log(b.lo) < llo, -1);
      cap(xh, std::log(b.hi) > lhi, 1);
    }
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{:.3f}{}</text>\n", label_w + plot_w + 8, y + 11, b.value,
                     b.significant ? "*" : "");
  }
  double axis_y = top + row_h * static_cast<double>(bars.size());
  s += fmt::format(
      "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.0f}\" y2=\"{2:.1f}\" stroke=\"black\" "
      "stroke-dasharray=\"4,3\"/>\n",
      x(reference), top - 4, axis_y);
  s += fmt::format("<line x1=\"{:.0f}\" x2=\"{:.0f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"black\"/>\n", label_w,
                   label_w + plot_w, axis_y, axis_y);
  for (int t = 0; t <= 4; ++t) {
    double v = std::exp(llo + (lhi - llo) * t / 4);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.3g}</text>\n", x(v), axis_y + 14, v);
  }
  s += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{} (log scale; * significant; "
      "whiskers: CI, arrows where clipped)</text>\n",
      label_w + plot_w / 2, axis_y + 30, xml_escape(axis_label));
  s += "</svg>\n";
  return s;
}

std::string heat_map_svg(const std::string& title, const std::vector<std::string>& rows,
                         const std::vector<std::string>& columns, const std::vector<std::vector<HeatCell>>& cells,
                         const std::string& legend) {
  const double label_w = 170, cell_w = 104, cell_h = 22, top = 58, bottom = 44;
  const double width = label_w + cell_w * static_cast<double>(columns.size()) + 20;
  const double height = top + cell_h * static_cast<double>(rows.size()) + bottom;
  const double sat = std::log(1.3);  // ±30 % is full colour
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      width, height, xml_escape(title));
  for (std::size_t j = 0; j < columns.size(); ++j)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
                     label_w + cell_w * (static_cast<double>(j) + 0.5), top - 8, xml_escape(columns[j]));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    double y = top + cell_h * static_cast<double>(i);
    s += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", label_w - 6, y + 15,
                     xml_escape(rows[i]));
    for (std::size_t j = 0; j < columns.size() && i < cells.size() && j < cells[i].size(); ++j) {
      const HeatCell& c = cells[i][j];
      double x = label_w + cell_w * static_cast<double>(j);
      std::string fill = "#f1f3f5", text = "–";
      if (c.present && c.value > 0 && std::isfinite(c.value)) {
        double t = std::clamp(std::log(c.value) / sat, -1.0, 1.0);
        // white -> green (43,138,62) for t > 0, white -> red (201,42,42) for t < 0
        int r0 = t >= 0 ? 43 : 201, g0 = t >= 0 ? 138 : 42, b0 = t >= 0 ? 62 : 42;
        double a = std::abs(t);
        auto mix = [&](int v) { return static_cast<int>(std::lround(255 + (v - 255) * a)); };
        fill = fmt::format("#{:02x}{:02x}{:02x}", mix(r0), mix(g0), mix(b0));
        text = fmt::format("{:+.1f}%{}", (c.value - 1) * 100, c.mark.empty() ? "" : " " + c.mark);
      }
      s += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" stroke=\"{}\" "
          "stroke-width=\"{}\"/>\n",
          x + 1, y + 1, cell_w - 2, cell_h - 2, fill, c.framed ? "black" : "white", c.framed ? 2 : 1);
      s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x + cell_w / 2, y + 15,
                       xml_escape(text));
    }
  }
  s += fmt::format("<text x=\"10\" y=\"{:.1f}\">{}</text>\n", top + cell_h * static_cast<double>(rows.size()) + 24,
                   xml_escape(legend));
  s += "</svg>\n";
  return s;
}

std::map<std::string, std::string> charts_for(const AblationReport& rep) {
  std::map<std::string, std::vector<Bar>> bars;
  for (const auto& wa : rep.workloads) {
    auto add = [&](const std::string& kind, const std::vector<Effect>& effects, bool significant_only) {
      for (const auto& e : effects)
        if (e.n && (!significant_only || e.significant))
          bars[kind].push_back(
              {wa.workload + ": " + e.label, e.ratio, e.ci_low, e.ci_high, e.significant, wa.workload});
    };
    add("add_one", wa.add_one, false);
    add("remove_one", wa.remove_one, false);
    add("memory", wa.memory, true);
    add("main_effects", wa.main_effects, false);
  }
  std::map<std::string, std::string> out;
  const std::map<std::string, std::pair<std::string, std::string>> titles = {
      {"add_one", {"Add-one: each optimization alone vs " + rep.baseline_name, "mallocs/sec ratio (>1 faster)"}},
      {"remove_one", {"Remove-one: " + rep.all_name + " vs all-but-X", "mallocs/sec ratio (>1: X helps)"}},
      {"memory",
       {"Memory: significant changes of peak RSS vs " + rep.baseline_name, "peak RSS ratio (green: less memory)"}},
      {"main_effects", {"2^k main effects (geometric mean over the other factors)", "mallocs/sec factor"}},
  };
  for (const auto& [kind, b] : bars)
    if (!b.empty()) out[kind] = bar_chart_svg(titles.at(kind).first, titles.at(kind).second, b, 1.0, kind != "memory");

  // The heat map: workloads × factors, the add-one effect (the main effect with the factorial).
  if (!rep.factors.empty()) {
    std::vector<std::string> rows;
    std::vector<std::vector<HeatCell>> cells;
    bool any = false;
    for (const auto& wa : rep.workloads) {
      rows.push_back(wa.workload);
      std::vector<HeatCell> row;
      for (const auto& f : rep.factors) {
        HeatCell c;
        for (const auto& e : rep.factorial ? wa.main_effects : wa.add_one)
          if (e.label == f && e.n) {
            c.present = any = true;
            c.value = e.ratio;
            c.framed = e.counted();
            c.mark = e.counted() ? "✔" : e.significant ? "†" : e.raw_significant ? "·" : "";
          }
        row.push_back(c);
      }
      cells.push_back(std::move(row));
    }
    if (any)
      out["heatmap"] = heat_map_svg(
          rep.factorial ? "Main effects on mallocs/sec (full factorial)"
                        : "Add-one: each optimization alone vs " + rep.baseline_name,
          rows, rep.factors, cells,
          "green faster, red slower (full colour at ±30 %); framed ✔ = counts (BH-significant, not placement); "
          "† = BH-significant, placement; · = uncorrected only");
  }
  return out;
}

}  // namespace alloclab::harness
