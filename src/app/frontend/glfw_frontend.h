#pragma once
// GlfwFrontend: the frame loop shared by the desktop window and the web page.
// It owns the GLFW window, the ImGui context and its GLFW + OpenGL3 backends,
// the fonts (rebuilt crisp whenever the pixel ratio changes), and GL textures.
//   desktop: while (!frontend.should_close()) frontend.frame(app);
//   web:     emscripten_set_main_loop_arg(..., frontend.frame(app) ...)
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "imgui.h"

struct GLFWwindow;

namespace distillery {

class App;

class GlfwFrontend {
 public:
  // Creates the window, GL context and ImGui. Returns false (with a message
  // on stderr) when no window or context can be made.
  bool init(const char* title, int width, int height);
  void shutdown();
  bool should_close() const;

  // One frame: events, new frame, App::frame(), render, swap.
  void frame(App& app);

  // A TrueType font for the UI (the built-in bitmap font otherwise).
  void set_font(std::vector<uint8_t> ttf);
  // ui_scale: logical size of everything (desktop monitor scaling);
  // pixel_ratio: framebuffer pixels per logical pixel (the browser's
  // devicePixelRatio). Fonts are rasterised at ui_scale * pixel_ratio.
  void set_scales(float ui_scale, float pixel_ratio);
  float pixel_ratio() const { return pixel_ratio_; }

  // Web: runs before each frame to size the canvas.
  std::function<void()> before_frame;
  // Runs after rendering, before the buffers swap (desktop screenshots).
  std::function<void()> after_render;

  // RGBA8 textures for PlatformServices.
  static ImTextureID create_texture(const uint8_t* rgba, int width, int height);
  static void destroy_texture(ImTextureID texture);

  // The frame just rendered as RGBA rows, top row first (for screenshots);
  // call it from after_render.
  bool read_pixels(std::vector<uint8_t>& rgba, int& width, int& height) const;
  GLFWwindow* window() const { return window_; }

 private:
  void rebuild_fonts();

  GLFWwindow* window_ = nullptr;
  std::vector<uint8_t> font_ttf_;
  float ui_scale_ = 1.0f;
  float pixel_ratio_ = 1.0f;
  bool fonts_dirty_ = true;
};

}  // namespace distillery
