#pragma once
// Small helpers every panel uses: tooltips (every control gets one line for a
// student seeing distillation for the first time), section titles, the
// palette, and number formatting.
#include <string>

#include "imgui.h"

namespace distillery::ui {

// Shows text as a tooltip when the last item is hovered.
void tip(const char* text);
// A dimmed "(?)" that explains the text on hover.
void help_marker(const char* text);
// A title line with a separator under it.
void section(const char* title);
// Text in the dim colour / the accent / red / green.
void dim_text(const char* text);
void error_text(const char* text);
void success_text(const char* text);
// Label on the left, value right after, e.g. "Parameters  25,450".
void key_value(const char* key, const std::string& value, float key_width = 0);

// The palette (dark theme).
namespace color {
constexpr ImU32 kAccent = IM_COL32(64, 196, 180, 255);      // teal: the student
constexpr ImU32 kTeacher = IM_COL32(236, 160, 64, 255);     // orange: the teacher
constexpr ImU32 kValidation = IM_COL32(122, 162, 247, 255); // blue: validation curves
constexpr ImU32 kQuantized = IM_COL32(170, 214, 96, 255);  // lime: the quantized model
constexpr ImU32 kBaseline = IM_COL32(214, 122, 214, 255);   // magenta: the same student trained alone
constexpr ImU32 kBaselineValidation = IM_COL32(246, 186, 236, 255);
constexpr ImU32 kError = IM_COL32(240, 96, 96, 255);
constexpr ImU32 kSuccess = IM_COL32(120, 210, 120, 255);
constexpr ImU32 kDim = IM_COL32(150, 156, 168, 255);
constexpr ImU32 kGrid = IM_COL32(255, 255, 255, 22);
constexpr ImU32 kAxis = IM_COL32(255, 255, 255, 70);
constexpr ImU32 kPlotBg = IM_COL32(20, 22, 28, 255);
}  // namespace color

// Applies the app's style (colours, rounding, spacing) scaled by `scale`.
void apply_theme(float scale);

// 25450 -> "25,450"; 1.23e6 -> "1,230,000".
std::string thousands(long long value);
// 2.5e6 -> "2.5 M", 25450 -> "25.4 k".
std::string short_count(double value);
// 0.8531 -> "85.3 %".
std::string percent(double fraction, int decimals = 1);
// 93.2 -> "1 min 33 s".
std::string duration(double seconds);
std::string bytes(double count);
std::string format(const char* fmt, ...) IM_FMTARGS(1);

}  // namespace distillery::ui
