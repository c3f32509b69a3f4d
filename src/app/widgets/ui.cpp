#include "app/widgets/ui.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace distillery::ui {

void tip(const char* text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  tip(text);
}

void section(const char* title) {
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(color::kAccent));
  ImGui::TextUnformatted(title);
  ImGui::PopStyleColor();
  ImGui::Separator();
}

void dim_text(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(color::kDim));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void error_text(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(color::kError));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void success_text(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(color::kSuccess));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void key_value(const char* key, const std::string& value, float key_width) {
  if (key_width <= 0) key_width = ImGui::GetFontSize() * 9.0f;
  const float x = ImGui::GetCursorPosX();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(color::kDim));
  ImGui::TextUnformatted(key);
  ImGui::PopStyleColor();
  ImGui::SameLine(x + key_width);
  ImGui::TextUnformatted(value.c_str());
}

void apply_theme(float scale) {
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 6;
  style.ChildRounding = 6;
  style.FrameRounding = 4;
  style.PopupRounding = 4;
  style.GrabRounding = 4;
  style.TabRounding = 4;
  style.ScrollbarRounding = 6;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 1;
  style.FramePadding = ImVec2(8, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.WindowPadding = ImVec2(12, 10);
  style.ScrollbarSize = 12;
  ImVec4* c = style.Colors;
  const ImVec4 accent = ImGui::ColorConvertU32ToFloat4(color::kAccent);
  c[ImGuiCol_WindowBg] = ImVec4(0.086f, 0.094f, 0.118f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(0.110f, 0.118f, 0.145f, 1.0f);
  c[ImGuiCol_PopupBg] = ImVec4(0.10f, 0.11f, 0.14f, 0.98f);
  c[ImGuiCol_Border] = ImVec4(1, 1, 1, 0.08f);
  c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.17f, 0.21f, 1.0f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.20f, 0.22f, 0.27f, 1.0f);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.24f, 0.26f, 0.32f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(accent.x * 0.45f, accent.y * 0.45f, accent.z * 0.45f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(accent.x * 0.6f, accent.y * 0.6f, accent.z * 0.6f, 1.0f);
  c[ImGuiCol_ButtonActive] = ImVec4(accent.x * 0.75f, accent.y * 0.75f, accent.z * 0.75f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(accent.x * 0.30f, accent.y * 0.30f, accent.z * 0.30f, 1.0f);
  c[ImGuiCol_HeaderHovered] = ImVec4(accent.x * 0.42f, accent.y * 0.42f, accent.z * 0.42f, 1.0f);
  c[ImGuiCol_HeaderActive] = ImVec4(accent.x * 0.55f, accent.y * 0.55f, accent.z * 0.55f, 1.0f);
  c[ImGuiCol_CheckMark] = accent;
  c[ImGuiCol_SliderGrab] = accent;
  c[ImGuiCol_SliderGrabActive] = ImVec4(accent.x * 1.1f, accent.y * 1.1f, accent.z * 1.1f, 1.0f);
  c[ImGuiCol_PlotHistogram] = accent;
  c[ImGuiCol_TableHeaderBg] = ImVec4(0.14f, 0.15f, 0.19f, 1.0f);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(1, 1, 1, 0.025f);
  c[ImGuiCol_Separator] = ImVec4(1, 1, 1, 0.10f);
  c[ImGuiCol_Tab] = ImVec4(0.14f, 0.15f, 0.19f, 1.0f);
  c[ImGuiCol_TabHovered] = c[ImGuiCol_ButtonHovered];
  c[ImGuiCol_TabActive] = c[ImGuiCol_Button];
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

std::string thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string short_count(double value) {
  if (std::fabs(value) >= 1e6) return format("%.2f M", value / 1e6);
  if (std::fabs(value) >= 1e4) return format("%.1f k", value / 1e3);
  return thousands(static_cast<long long>(std::llround(value)));
}

std::string percent(double fraction, int decimals) { return format("%.*f %%", decimals, fraction * 100.0); }

std::string duration(double seconds) {
  if (!(seconds >= 0)) return "?";
  if (seconds < 60) return format("%.0f s", seconds);
  if (seconds < 3600) return format("%d min %02d s", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  return format("%d h %02d min", static_cast<int>(seconds) / 3600, (static_cast<int>(seconds) / 60) % 60);
}

std::string bytes(double count) {
  if (count >= 1 << 20) return format("%.2f MB", count / (1 << 20));
  if (count >= 1 << 10) return format("%.1f kB", count / (1 << 10));
  return format("%.0f B", count);
}

std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

}  // namespace distillery::ui
