#pragma once
// An ImGui context without a window or GL, for tests that draw frames: its
// font atlas is built and given a dummy texture, so widgets lay out and draw.
#include <cstdint>

#include "imgui.h"

namespace distillery::testing {

struct HeadlessImGuiContext {
  explicit HeadlessImGuiContext(ImVec2 display = ImVec2(1280, 800)) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = display;
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
  }
  ~HeadlessImGuiContext() { ImGui::DestroyContext(); }
  HeadlessImGuiContext(const HeadlessImGuiContext&) = delete;
  HeadlessImGuiContext& operator=(const HeadlessImGuiContext&) = delete;
};

}  // namespace distillery::testing
