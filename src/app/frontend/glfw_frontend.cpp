// GlfwFrontend: init/shutdown, fonts, the frame, textures and read-back.
#include "app/frontend/glfw_frontend.h"

#include <cmath>
#include <cstdio>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#define GL_SILENCE_DEPRECATION
#include <GL/gl.h>
#endif
#include <GLFW/glfw3.h>

#include "app/app.h"
#include "app/widgets/ui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"

namespace distillery {

namespace {
constexpr float kBaseFontSize = 15.0f;
constexpr float kTitleFontSize = 22.0f;

void glfw_error(int code, const char* description) { std::fprintf(stderr, "GLFW error %d: %s\n", code, description); }
}  // namespace

// --- init and shutdown ------------------------------------------------------------------------------

bool GlfwFrontend::init(const char* title, int width, int height) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) return false;
#ifdef __EMSCRIPTEN__
  const char* glsl = "#version 300 es";
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // An opaque canvas without depth or stencil buffers: ImGui needs neither,
  // and under software GL (SwiftShader) every extra buffer is cleared and
  // every transparent canvas blended with the page on each frame.
  glfwWindowHint(GLFW_ALPHA_BITS, 0);
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
#else
  const char* glsl = "#version 130";
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
#endif
  window_ = glfwCreateWindow(width, height, title, nullptr, nullptr);
  if (!window_) {
    std::fprintf(stderr, "distillery: could not open a %dx%d OpenGL window\n", width, height);
    return false;
  }
  glfwMakeContextCurrent(window_);
#ifndef __EMSCRIPTEN__
  glfwSwapInterval(1);
#endif
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini: the layout is fixed
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init(glsl);
  ui::apply_theme(ui_scale_);
  return true;
}

void GlfwFrontend::shutdown() {
  if (!window_) return;
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window_);
  glfwTerminate();
  window_ = nullptr;
}

bool GlfwFrontend::should_close() const { return !window_ || glfwWindowShouldClose(window_); }

// --- fonts ----------------------------------------------------------------------------------------

void GlfwFrontend::set_font(std::vector<uint8_t> ttf) {
  font_ttf_ = std::move(ttf);
  fonts_dirty_ = true;
}

void GlfwFrontend::set_scales(float ui_scale, float pixel_ratio) {
  if (!(pixel_ratio > 0.25f && pixel_ratio < 8.0f)) pixel_ratio = 1.0f;
  if (!(ui_scale > 0.25f && ui_scale < 8.0f)) ui_scale = 1.0f;
  if (std::fabs(ui_scale - ui_scale_) < 1e-3f && std::fabs(pixel_ratio - pixel_ratio_) < 1e-3f) return;
  if (std::fabs(ui_scale - ui_scale_) >= 1e-3f) ui::apply_theme(ui_scale);
  ui_scale_ = ui_scale;
  pixel_ratio_ = pixel_ratio;
  fonts_dirty_ = true;
}

void GlfwFrontend::rebuild_fonts() {
  fonts_dirty_ = false;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // Rasterise at the real pixel size, draw at 1/pixel_ratio: crisp text on
  // high-DPI screens at the same layout size.
  const float raster = ui_scale_ * pixel_ratio_;
  if (!font_ttf_.empty()) {
    ImFontConfig config;
    config.FontDataOwnedByAtlas = false;  // font_ttf_ keeps the bytes
    config.OversampleH = 2;
    io.Fonts->AddFontFromMemoryTTF(font_ttf_.data(), static_cast<int>(font_ttf_.size()), kBaseFontSize * raster, &config);
    io.Fonts->AddFontFromMemoryTTF(font_ttf_.data(), static_cast<int>(font_ttf_.size()), kTitleFontSize * raster, &config);
  } else {
    ImFontConfig config;
    config.SizePixels = std::round(13.0f * raster);
    io.Fonts->AddFontDefault(&config);
  }
  io.FontGlobalScale = 1.0f / pixel_ratio_;
  io.Fonts->Build();
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

// --- the frame ----------------------------------------------------------------------------------

void GlfwFrontend::frame(App& app) {
  glfwPollEvents();
  if (before_frame) before_frame();
  if (fonts_dirty_) rebuild_fonts();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (pixel_ratio_ != 1.0f) {
    // The GLFW backend measures in framebuffer pixels (the browser's canvas
    // pixels); ImGui lays out in logical pixels.
    ImGuiIO& io = ImGui::GetIO();
    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window_, &fb_w, &fb_h);
    io.DisplaySize = ImVec2(fb_w / pixel_ratio_, fb_h / pixel_ratio_);
    io.DisplayFramebufferScale = ImVec2(pixel_ratio_, pixel_ratio_);
    if (io.MousePos.x > -FLT_MAX / 2) io.MousePos = ImVec2(io.MousePos.x / pixel_ratio_, io.MousePos.y / pixel_ratio_);
  }
  ImGui::NewFrame();
  app.frame();
  ImGui::Render();
  int fb_w = 0, fb_h = 0;
  glfwGetFramebufferSize(window_, &fb_w, &fb_h);
  glViewport(0, 0, fb_w, fb_h);
  glClearColor(0.086f, 0.094f, 0.118f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (after_render) after_render();
#ifndef __EMSCRIPTEN__
  glfwSwapBuffers(window_);
#endif
}

// --- textures and read-back ---------------------------------------------------------------------

ImTextureID GlfwFrontend::create_texture(const uint8_t* rgba, int width, int height) {
  GLuint texture = 0;
  glGenTextures(1, &texture);
  glBindTexture(GL_TEXTURE_2D, texture);
  // Nearest when magnified: small images (28x28) stay sharp pixels, not blur.
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture));
}

void GlfwFrontend::destroy_texture(ImTextureID id) {
  const GLuint texture = static_cast<GLuint>(reinterpret_cast<intptr_t>(id));
  glDeleteTextures(1, &texture);
}

bool GlfwFrontend::read_pixels(std::vector<uint8_t>& rgba, int& width, int& height) const {
  glfwGetFramebufferSize(window_, &width, &height);
  if (width <= 0 || height <= 0) return false;
  std::vector<uint8_t> flipped(static_cast<size_t>(width) * height * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
#ifndef __EMSCRIPTEN__
  glReadBuffer(GL_BACK);
#endif
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, flipped.data());
  rgba.resize(flipped.size());
  const size_t row = static_cast<size_t>(width) * 4;
  for (int y = 0; y < height; ++y) std::copy_n(flipped.data() + (height - 1 - y) * row, row, rgba.data() + y * row);
  return true;
}

}  // namespace distillery
