// Bar charts and the confusion heat map. Sections: horizontal bars, column
// bars, heat map, fraction bar.
#include "app/widgets/charts.h"

#include <algorithm>
#include <cmath>

#include "app/widgets/plot.h"
#include "app/widgets/ui.h"

namespace distillery::ui {

namespace {
ImU32 with_alpha(ImU32 color, float alpha) {
  ImVec4 c = ImGui::ColorConvertU32ToFloat4(color);
  c.w *= alpha;
  return ImGui::ColorConvertFloat4ToU32(c);
}
}  // namespace

// --- horizontal bars ---------------------------------------------------------------------

void horizontal_bars(const char* id, const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                     float max_value, const char* value_format, bool percent) {
  if (categories.empty() || series.empty()) return;
  const float font = ImGui::GetFontSize();
  float label_w = 0;
  for (const auto& c : categories) label_w = std::max(label_w, ImGui::CalcTextSize(c.c_str()).x);
  label_w = std::min(label_w + font * 0.8f, font * 10);
  const float value_w = font * 4.5f;
  const float width = ImGui::GetContentRegionAvail().x;
  const float bar_h = font * (series.size() > 1 ? 0.72f : 0.85f);
  const float row_h = bar_h * static_cast<float>(series.size()) + font * 0.45f;
  ImGui::PushID(id);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(width, row_h * static_cast<float>(categories.size()));
  ImGui::Dummy(size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float bar_x0 = origin.x + label_w;
  const float bar_w = std::max(10.0f, width - label_w - value_w);
  if (!(max_value > 0)) max_value = 1;
  for (size_t c = 0; c < categories.size(); ++c) {
    const float y = origin.y + row_h * static_cast<float>(c);
    const ImVec2 ts = ImGui::CalcTextSize(categories[c].c_str());
    dl->PushClipRect(ImVec2(origin.x, y), ImVec2(bar_x0 - font * 0.3f, y + row_h), true);
    dl->AddText(ImVec2(bar_x0 - font * 0.5f - std::min(ts.x, label_w - font * 0.5f), y + (row_h - ts.y) / 2 - font * 0.2f),
                IM_COL32(210, 214, 222, 255), categories[c].c_str());
    dl->PopClipRect();
    dl->AddRectFilled(ImVec2(bar_x0, y), ImVec2(bar_x0 + bar_w, y + row_h - font * 0.45f), IM_COL32(255, 255, 255, 10), 2);
    for (size_t s = 0; s < series.size(); ++s) {
      if (c >= series[s].values.size()) continue;
      const float v = series[s].values[c];
      const float by = y + bar_h * static_cast<float>(s);
      if (std::isfinite(v)) {
        const float w = bar_w * std::clamp(v / max_value, 0.0f, 1.0f);
        dl->AddRectFilled(ImVec2(bar_x0, by), ImVec2(bar_x0 + std::max(1.0f, w), by + bar_h - 1), series[s].color, 2);
      }
      const std::string text = !std::isfinite(v) ? "n/a" : format(value_format, percent ? v * 100 : v);
      const float text_scale = series.size() > 1 ? 0.72f : 1.0f;
      dl->AddText(ImGui::GetFont(), font * text_scale, ImVec2(bar_x0 + bar_w + font * 0.4f, by + (bar_h - font * text_scale) / 2),
                  with_alpha(series[s].color, 1.0f), text.c_str());
    }
  }
  ImGui::PopID();
}

// --- column bars -------------------------------------------------------------------------

void column_bars(const char* id, const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 float max_value, ImVec2 size, bool percent) {
  if (categories.empty() || series.empty()) return;
  const float font = ImGui::GetFontSize();
  if (size.x <= 0) size.x = ImGui::GetContentRegionAvail().x;
  ImGui::PushID(id);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("bars", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), color::kPlotBg, 6);
  const ImVec2 p0(origin.x + font * 3.0f, origin.y + font * 1.8f);
  const ImVec2 p1(origin.x + size.x - font * 0.6f, origin.y + size.y - font * 1.7f);
  if (!(max_value > 0)) max_value = 1;
  const double step = nice_step(max_value, 4);
  for (double v = 0; v <= max_value + 1e-9; v += step) {
    const float y = p1.y - static_cast<float>(v / max_value) * (p1.y - p0.y);
    dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), color::kGrid);
    const std::string label = percent ? format("%.0f%%", v * 100) : format("%.2g", v);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(p0.x - ts.x - font * 0.3f, y - ts.y / 2), color::kDim, label.c_str());
  }
  const float slot = (p1.x - p0.x) / static_cast<float>(categories.size());
  const float bar_w = slot * 0.8f / static_cast<float>(series.size());
  int hovered_slot = -1;
  for (size_t c = 0; c < categories.size(); ++c) {
    const float x = p0.x + slot * static_cast<float>(c) + slot * 0.1f;
    for (size_t s = 0; s < series.size(); ++s) {
      const float v = c < series[s].values.size() ? series[s].values[c] : 0;
      const float h = std::clamp(v / max_value, 0.0f, 1.0f) * (p1.y - p0.y);
      dl->AddRectFilled(ImVec2(x + bar_w * s, p1.y - h), ImVec2(x + bar_w * (s + 1) - 1, p1.y), series[s].color, 2);
    }
    // Category names under the slot, shortened to fit.
    std::string name = categories[c];
    while (name.size() > 1 && ImGui::CalcTextSize(name.c_str()).x > slot - 2) name.pop_back();
    const ImVec2 ts = ImGui::CalcTextSize(name.c_str());
    dl->AddText(ImVec2(x - slot * 0.1f + (slot - ts.x) / 2, p1.y + font * 0.25f), color::kDim, name.c_str());
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (hovered && mouse.x >= x - slot * 0.1f && mouse.x < x + slot * 0.9f) hovered_slot = static_cast<int>(c);
  }
  dl->AddLine(ImVec2(p0.x, p1.y), ImVec2(p1.x, p1.y), color::kAxis);
  float lx = p0.x;
  for (const auto& s : series) {
    if (s.label.empty()) continue;
    dl->AddRectFilled(ImVec2(lx, origin.y + font * 0.45f), ImVec2(lx + font * 0.8f, origin.y + font * 1.25f), s.color, 2);
    dl->AddText(ImVec2(lx + font * 1.1f, origin.y + font * 0.3f), IM_COL32(215, 218, 226, 255), s.label.c_str());
    lx += ImGui::CalcTextSize(s.label.c_str()).x + font * 2.5f;
  }
  if (hovered_slot >= 0) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(categories[hovered_slot].c_str());
    for (const auto& s : series)
      if (hovered_slot < static_cast<int>(s.values.size()))
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), percent ? "%s: %.1f%%" : "%s: %.3f",
                           s.label.c_str(), percent ? s.values[hovered_slot] * 100 : s.values[hovered_slot]);
    ImGui::EndTooltip();
  }
  ImGui::PopID();
}

// --- heat map ------------------------------------------------------------------------------

void confusion_heatmap(const char* id, const std::vector<std::vector<int>>& confusion,
                       const std::vector<std::string>& class_names, float max_size) {
  const int n = static_cast<int>(confusion.size());
  if (n == 0) return;
  const float font = ImGui::GetFontSize();
  float label_w = 0;
  for (const auto& c : class_names) label_w = std::min(font * 7, std::max(label_w, ImGui::CalcTextSize(c.c_str()).x));
  label_w += font * 0.6f;
  const float cell = std::max(font * 1.4f, std::min(font * 3.2f, (max_size - label_w) / static_cast<float>(n)));
  ImGui::PushID(id);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 grid0(origin.x + label_w, origin.y + font * 1.4f);
  const ImVec2 size(label_w + cell * n, font * 1.4f + cell * n + font * 1.6f);
  ImGui::InvisibleButton("heatmap", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddText(ImVec2(grid0.x, origin.y), color::kDim, "predicted ->");
  const ImVec4 hot = ImGui::ColorConvertU32ToFloat4(color::kAccent);
  for (int t = 0; t < n; ++t) {
    int row_total = 0;
    for (int v : confusion[t]) row_total += v;
    std::string name = t < static_cast<int>(class_names.size()) ? class_names[t] : std::to_string(t);
    while (name.size() > 1 && ImGui::CalcTextSize(name.c_str()).x > label_w - font * 0.5f) name.pop_back();
    const ImVec2 ts = ImGui::CalcTextSize(name.c_str());
    dl->AddText(ImVec2(grid0.x - ts.x - font * 0.4f, grid0.y + cell * t + (cell - ts.y) / 2), color::kDim, name.c_str());
    for (int p = 0; p < n; ++p) {
      const int count = p < static_cast<int>(confusion[t].size()) ? confusion[t][p] : 0;
      const float share = row_total ? static_cast<float>(count) / static_cast<float>(row_total) : 0;
      const float k = std::sqrt(share);  // lifts the small off-diagonal counts into view
      const ImVec4 c(0.12f + (hot.x - 0.12f) * k, 0.13f + (hot.y - 0.13f) * k, 0.17f + (hot.z - 0.17f) * k, 1.0f);
      const ImVec2 a(grid0.x + cell * p, grid0.y + cell * t);
      dl->AddRectFilled(a, ImVec2(a.x + cell - 1, a.y + cell - 1), ImGui::ColorConvertFloat4ToU32(c));
      if (t == p) dl->AddRect(a, ImVec2(a.x + cell - 1, a.y + cell - 1), IM_COL32(255, 255, 255, 60));
      if (count && cell >= font * 1.6f) {
        const std::string text = std::to_string(count);
        const float scale = cell < font * 2.2f ? 0.75f : 0.9f;
        const ImVec2 cs = ImGui::CalcTextSize(text.c_str());
        dl->AddText(ImGui::GetFont(), font * scale,
                    ImVec2(a.x + (cell - cs.x * scale) / 2, a.y + (cell - font * scale) / 2),
                    k > 0.6f ? IM_COL32(10, 20, 20, 255) : IM_COL32(220, 224, 230, 255), text.c_str());
      }
    }
  }
  // Column labels: class indices under the grid (names are on the rows).
  for (int p = 0; p < n; ++p) {
    const std::string text = std::to_string(p);
    const ImVec2 ts = ImGui::CalcTextSize(text.c_str());
    dl->AddText(ImVec2(grid0.x + cell * p + (cell - ts.x) / 2, grid0.y + cell * n + font * 0.2f), color::kDim, text.c_str());
  }
  if (hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int p = static_cast<int>(std::floor((m.x - grid0.x) / cell));
    const int t = static_cast<int>(std::floor((m.y - grid0.y) / cell));
    if (p >= 0 && p < n && t >= 0 && t < n) {
      auto name = [&](int i) { return i < static_cast<int>(class_names.size()) ? class_names[i] : std::to_string(i); };
      ImGui::SetTooltip("true %s, predicted %s: %d", name(t).c_str(), name(p).c_str(), confusion[t][p]);
    }
  }
  ImGui::PopID();
}

// --- fraction bar ---------------------------------------------------------------------------

void fraction_bar(float fraction, ImU32 color, const char* overlay, float width) {
  const float font = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(width > 0 ? width : ImGui::GetContentRegionAvail().x, font * 1.1f);
  ImGui::Dummy(size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(255, 255, 255, 18), 3);
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x * std::clamp(fraction, 0.0f, 1.0f), origin.y + size.y), color, 3);
  if (overlay) {
    const ImVec2 ts = ImGui::CalcTextSize(overlay);
    dl->AddText(ImVec2(origin.x + (size.x - ts.x) / 2, origin.y + (size.y - ts.y) / 2), IM_COL32(235, 238, 242, 255), overlay);
  }
}

}  // namespace distillery::ui
