#pragma once
// Bar charts and the confusion heat map, drawn with ImGui's draw list.
#include <string>
#include <vector>

#include "imgui.h"

namespace distillery::ui {

struct BarSeries {
  std::string label;           // legend; empty for none
  std::vector<float> values;   // one per category
  ImU32 color = IM_COL32_WHITE;
};

// One row per category, a horizontal bar per series (values in [0, max_value]),
// the value printed after the bar with value_format (e.g. "%.0f", "%.1f%%" with percent=true).
void horizontal_bars(const char* id, const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                     float max_value, const char* value_format, bool percent = false);

// Categories along x, the series' bars side by side in each slot (the
// temperature explainer), with a y axis from 0 to max_value and a legend.
void column_bars(const char* id, const std::vector<std::string>& categories, const std::vector<BarSeries>& series,
                 float max_value, ImVec2 size, bool percent = true);

// Confusion matrix [true][predicted] as a heat map: each cell coloured by its
// share of the true class (row), with the count written in it. Hover shows
// the class names.
void confusion_heatmap(const char* id, const std::vector<std::vector<int>>& confusion,
                       const std::vector<std::string>& class_names, float max_size);

// A thin bar from 0 to 1 with text on it (sparsity per layer).
void fraction_bar(float fraction, ImU32 color, const char* overlay, float width);

}  // namespace distillery::ui
