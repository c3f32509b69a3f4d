#pragma once
// Line plots drawn with ImGui's draw list (1.86 has no plotting beyond
// PlotLines): several series on shared axes with nice ticks, horizontal
// reference lines (the teacher's accuracy), a legend, and a hover read-out.
#include <string>
#include <vector>

#include "imgui.h"

namespace distillery::ui {

struct PlotSeries {
  std::string label;
  std::vector<float> x, y;
  ImU32 color = IM_COL32_WHITE;
  float thickness = 2.0f;
  bool markers = false;  // a dot on every point (per-epoch values)
};

struct ReferenceLine {
  std::string label;
  float y = 0;
  ImU32 color = IM_COL32_WHITE;
};

struct PlotOptions {
  std::string title;
  std::string x_label;
  float x_min = 0, x_max = 0;  // equal: from the data
  float y_min = 0, y_max = 0;  // equal: from the data
  bool y_percent = false;      // tick labels as percentages of 1
  std::vector<ReferenceLine> references;
  std::string empty_text = "no data yet";
};

// Draws into a box of `size` (x <= 0: the available width).
void line_plot(const char* id, const std::vector<PlotSeries>& series, const PlotOptions& options, ImVec2 size);

// Exponential moving average (what training dashboards draw over noisy batch losses).
std::vector<float> smooth(const std::vector<float>& values, float weight);

// "Nice" tick step for a range (1, 2 or 5 times a power of ten).
double nice_step(double range, int target_ticks);

}  // namespace distillery::ui
