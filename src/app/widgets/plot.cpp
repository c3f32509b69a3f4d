// line_plot: frame and title, axes and ticks, series, reference lines,
// legend, hover read-out.
#include "app/widgets/plot.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "app/widgets/ui.h"

namespace distillery::ui {

double nice_step(double range, int target_ticks) {
  if (!(range > 0)) return 1;
  const double raw = range / std::max(1, target_ticks);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double m = raw / power;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}

std::vector<float> smooth(const std::vector<float>& values, float weight) {
  std::vector<float> out(values.size());
  float last = values.empty() ? 0 : values[0];
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) last = weight * last + (1 - weight) * values[i];
    out[i] = last;
  }
  return out;
}

namespace {

std::string tick_label(double v, double step, bool percent) {
  if (std::fabs(v) < step * 1e-6) v = 0;  // no "-0"
  if (percent) return format(step * 100 >= 1 ? "%.0f%%" : "%.1f%%", v * 100);
  if (step >= 1) return format("%.0f", v);
  if (step >= 0.1) return format("%.1f", v);
  if (step >= 0.01) return format("%.2f", v);
  return format("%.3g", v);
}

void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 color, float thickness, float dash) {
  const float length = std::hypot(b.x - a.x, b.y - a.y);
  if (length <= 0) return;
  const ImVec2 d((b.x - a.x) / length, (b.y - a.y) / length);
  for (float t = 0; t < length; t += dash * 2) {
    const float e = std::min(length, t + dash);
    dl->AddLine(ImVec2(a.x + d.x * t, a.y + d.y * t), ImVec2(a.x + d.x * e, a.y + d.y * e), color, thickness);
  }
}

struct LegendItem {
  std::string label;
  ImU32 color;
  bool dashed;  // a reference line
};

// Where the data goes on screen: the plot rectangle p0..p1 and the ranges it shows.
struct PlotArea {
  ImVec2 p0, p1;
  float x_min = FLT_MAX, x_max = -FLT_MAX, y_min = FLT_MAX, y_max = -FLT_MAX;
  ImVec2 to_screen(float x, float y) const {
    return ImVec2(p0.x + (x - x_min) / (x_max - x_min) * (p1.x - p0.x),
                  p1.y - (y - y_min) / (y_max - y_min) * (p1.y - p0.y));
  }
};

std::vector<LegendItem> legend_items(const std::vector<PlotSeries>& series, const PlotOptions& o) {
  std::vector<LegendItem> legend;
  for (const auto& s : series)
    if (!s.label.empty()) legend.push_back({s.label, s.color, false});
  for (const auto& r : o.references) legend.push_back({r.label, r.color, true});
  return legend;
}

// Legend rows go between the title and the plot area, so they never cover a curve.
int legend_rows(const std::vector<LegendItem>& legend, float width, float font, float pad) {
  int rows = legend.empty() ? 0 : 1;
  float x = 0;
  for (const auto& item : legend) {
    const float w = ImGui::CalcTextSize(item.label.c_str()).x + font * 2.8f;
    if (x > 0 && x + w > width - font * 4 - pad) {
      ++rows;
      x = 0;
    }
    x += w;
  }
  return rows;
}

// The ranges from the data, the references and the options; the number of finite points.
size_t fit_ranges(const std::vector<PlotSeries>& series, const PlotOptions& o, PlotArea& a) {
  size_t points = 0;
  for (const auto& s : series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      a.x_min = std::min(a.x_min, s.x[i]);
      a.x_max = std::max(a.x_max, s.x[i]);
      a.y_min = std::min(a.y_min, s.y[i]);
      a.y_max = std::max(a.y_max, s.y[i]);
      ++points;
    }
  }
  for (const auto& r : o.references) {
    a.y_min = std::min(a.y_min, r.y);
    a.y_max = std::max(a.y_max, r.y);
  }
  if (o.x_max > o.x_min) {
    a.x_min = o.x_min;
    a.x_max = o.x_max;
  }
  if (o.y_max > o.y_min) {
    a.y_min = o.y_min;
    a.y_max = o.y_max;
  }
  return points;
}

// Non-empty ranges, with breathing room above and below unless the options fix y.
void widen_ranges(const PlotOptions& o, PlotArea& a) {
  if (!(a.x_max > a.x_min)) {
    a.x_min = std::min(a.x_min, 0.0f);
    a.x_max = a.x_min + 1;
  }
  if (!(a.y_max > a.y_min)) {
    a.y_min -= 0.5f;
    a.y_max += 0.5f;
  }
  if (!(o.y_max > o.y_min)) {
    const float margin = (a.y_max - a.y_min) * 0.06f;
    a.y_min -= margin;
    a.y_max += margin;
  }
}

void draw_axes(ImDrawList* dl, const PlotArea& a, const PlotOptions& o, float font) {
  const ImVec2 p0 = a.p0, p1 = a.p1;
  const double y_step = nice_step(a.y_max - a.y_min, std::max(2, static_cast<int>((p1.y - p0.y) / (font * 2.2f))));
  for (double v = std::ceil(a.y_min / y_step) * y_step; v <= a.y_max + 1e-9; v += y_step) {
    const float y = a.to_screen(a.x_min, static_cast<float>(v)).y;
    dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), color::kGrid);
    const std::string label = tick_label(v, y_step, o.y_percent);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(p0.x - ts.x - font * 0.35f, y - ts.y / 2), color::kDim, label.c_str());
  }
  const double x_step = nice_step(a.x_max - a.x_min, std::max(2, static_cast<int>((p1.x - p0.x) / (font * 5))));
  for (double v = std::ceil(a.x_min / x_step) * x_step; v <= a.x_max + 1e-9; v += x_step) {
    const float x = a.to_screen(static_cast<float>(v), a.y_min).x;
    dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p1.y), color::kGrid);
    const std::string label = tick_label(v, x_step, false);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(x - ts.x / 2, p1.y + font * 0.2f), color::kDim, label.c_str());
  }
  dl->AddLine(ImVec2(p0.x, p1.y), ImVec2(p1.x, p1.y), color::kAxis);
  dl->AddLine(ImVec2(p0.x, p0.y), ImVec2(p0.x, p1.y), color::kAxis);
  if (!o.x_label.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(o.x_label.c_str());
    dl->AddText(ImVec2((p0.x + p1.x - ts.x) / 2, p1.y + font * 1.25f), color::kDim, o.x_label.c_str());
  }
}

// The series and the reference lines, clipped to the plot area.
void draw_series(ImDrawList* dl, const PlotArea& a, const std::vector<PlotSeries>& series, const PlotOptions& o,
                 float font) {
  const ImVec2 p0 = a.p0, p1 = a.p1;
  dl->PushClipRect(ImVec2(p0.x, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), true);
  std::vector<ImVec2> line;
  for (const auto& s : series) {
    line.clear();
    const size_t n = std::min(s.x.size(), s.y.size());
    // Many more points than pixels: keep about two per pixel column.
    const size_t stride = std::max<size_t>(1, n / static_cast<size_t>(std::max(1.0f, (p1.x - p0.x) * 2)));
    for (size_t i = 0; i < n; i += stride)
      if (std::isfinite(s.y[i])) line.push_back(a.to_screen(s.x[i], s.y[i]));
    if (n && (n - 1) % stride && std::isfinite(s.y[n - 1])) line.push_back(a.to_screen(s.x[n - 1], s.y[n - 1]));
    if (line.size() >= 2) dl->AddPolyline(line.data(), static_cast<int>(line.size()), s.color, 0, s.thickness);
    if (s.markers || line.size() == 1)
      for (const ImVec2& p : line) dl->AddCircleFilled(p, s.thickness + 1.5f, s.color);
  }
  for (const auto& r : o.references) {
    const float y = a.to_screen(a.x_min, r.y).y;
    dashed_line(dl, ImVec2(p0.x, y), ImVec2(p1.x, y), r.color, 1.5f, font * 0.4f);
  }
  dl->PopClipRect();
}

// The legend rows from (x0, y), wrapping before right_edge.
void draw_legend(ImDrawList* dl, const std::vector<LegendItem>& legend, float x0, float y, float right_edge,
                 float font) {
  float lx = x0, ly = y;
  for (const auto& item : legend) {
    const ImVec2 ts = ImGui::CalcTextSize(item.label.c_str());
    if (lx > x0 && lx + ts.x + font * 2.8f > right_edge) {
      lx = x0;
      ly += font * 1.25f;
    }
    const float my = ly + ts.y / 2;
    if (item.dashed) dashed_line(dl, ImVec2(lx, my), ImVec2(lx + font * 1.2f, my), item.color, 1.5f, font * 0.25f);
    else dl->AddLine(ImVec2(lx, my), ImVec2(lx + font * 1.2f, my), item.color, 2.5f);
    dl->AddText(ImVec2(lx + font * 1.5f, ly), IM_COL32(215, 218, 226, 255), item.label.c_str());
    lx += ts.x + font * 2.8f;
  }
}

// The hover read-out: a line at the mouse and the nearest point of each series.
void draw_hover(ImDrawList* dl, const PlotArea& a, const std::vector<PlotSeries>& series, const PlotOptions& o) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (mouse.x < a.p0.x || mouse.x > a.p1.x) return;
  const float x = a.x_min + (mouse.x - a.p0.x) / (a.p1.x - a.p0.x) * (a.x_max - a.x_min);
  dl->AddLine(ImVec2(mouse.x, a.p0.y), ImVec2(mouse.x, a.p1.y), color::kAxis);
  ImGui::BeginTooltip();
  ImGui::Text("%s %.2f", o.x_label.empty() ? "x" : o.x_label.c_str(), x);
  for (const auto& s : series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    if (!n) continue;
    const size_t i = static_cast<size_t>(std::lower_bound(s.x.begin(), s.x.begin() + n, x) - s.x.begin());
    size_t best = std::min(i, n - 1);
    if (i > 0 && (i >= n || std::fabs(s.x[i - 1] - x) < std::fabs(s.x[i] - x))) best = i - 1;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), o.y_percent ? "%s: %.1f%%" : "%s: %.4f",
                       s.label.c_str(), o.y_percent ? s.y[best] * 100 : s.y[best]);
  }
  for (const auto& r : o.references)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(r.color), o.y_percent ? "%s: %.1f%%" : "%s: %.4f",
                       r.label.c_str(), o.y_percent ? r.y * 100 : r.y);
  ImGui::EndTooltip();
}

}  // namespace

void line_plot(const char* id, const std::vector<PlotSeries>& series, const PlotOptions& o, ImVec2 size) {
  const float font = ImGui::GetFontSize();
  if (size.x <= 0) size.x = ImGui::GetContentRegionAvail().x;
  ImGui::PushID(id);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("plot", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), color::kPlotBg, 6.0f);

  // Frame and title, the legend's rows below it, then the plot area.
  const float pad = font * 0.6f;
  const float title_h = o.title.empty() ? 0 : font * 1.4f;
  if (!o.title.empty()) dl->AddText(ImVec2(origin.x + pad, origin.y + pad * 0.6f), IM_COL32(225, 228, 235, 255), o.title.c_str());
  const std::vector<LegendItem> legend = legend_items(series, o);
  const float legend_h = legend_rows(legend, size.x, font, pad) * font * 1.25f;
  PlotArea area;
  area.p0 = ImVec2(origin.x + font * 3.4f, origin.y + pad + title_h + legend_h);
  area.p1 = ImVec2(origin.x + size.x - pad, origin.y + size.y - font * (o.x_label.empty() ? 1.6f : 2.6f));
  if (area.p1.x - area.p0.x < 20 || area.p1.y - area.p0.y < 20) {
    ImGui::PopID();
    return;
  }
  if (fit_ranges(series, o, area) == 0 && o.references.empty()) {
    const ImVec2 ts = ImGui::CalcTextSize(o.empty_text.c_str());
    dl->AddText(ImVec2((area.p0.x + area.p1.x - ts.x) / 2, (area.p0.y + area.p1.y - ts.y) / 2), color::kDim,
                o.empty_text.c_str());
    ImGui::PopID();
    return;
  }
  widen_ranges(o, area);
  draw_axes(dl, area, o, font);
  draw_series(dl, area, series, o, font);
  draw_legend(dl, legend, origin.x + pad, area.p0.y - legend_h - font * 0.15f, origin.x + size.x - font * 4, font);
  if (hovered) draw_hover(dl, area, series, o);
  ImGui::PopID();
}

}  // namespace distillery::ui
