// The web page's module: the App on the browser's main thread, drawn by the
// shared GLFW front end (Emscripten's GLFW on a WebGL2 canvas) from
// emscripten_set_main_loop. Training runs on a std::thread in the pthreads
// build and in frame slices in the single-thread build (TrainingWorker).
// The JS API enters through web_exports.cpp.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cmath>

#include "app/app.h"
#include "app/frontend/glfw_frontend.h"
#include "platform/web/web_platform.h"
#include "platform/web/web_state.h"

// The canvas's CSS size and the device pixel ratio, as the page lays it out.
EM_JS(double, js_css_width, (), { return Module.canvas.getBoundingClientRect().width || window.innerWidth; });
EM_JS(double, js_css_height, (), { return Module.canvas.getBoundingClientRect().height || window.innerHeight; });
EM_JS(double, js_pixel_ratio, (), { return window.devicePixelRatio || 1; });
EM_JS(void, js_module_ready, (), { if (Module.distilleryHooks) Module.distilleryHooks.moduleReady(); });
EM_JS(void, js_mark_first_frame, (), { performance.mark('distillery-first-frame'); });
// Sizes the canvas's backing store and tells Emscripten's GLFW. (glfwSetWindowSize
// would ask for fullscreen whenever the size equals the screen's, as a
// full-window canvas often does.)
EM_JS(void, js_set_canvas_size, (int width, int height), {
  const canvas = Module.canvas;
  if (canvas.width != width) canvas.width = width;
  if (canvas.height != height) canvas.height = height;
  if (GLFW.active) {
    GLFW.active.width = width;
    GLFW.active.height = height;
  }
});

namespace distillery {

WebState& web_state() {
  static WebState* state = new WebState();  // lives as long as the page
  return *state;
}

namespace {

// Keeps the canvas's backing store at CSS size x devicePixelRatio.
void fit_canvas() {
  WebState& s = web_state();
  const double ratio = js_pixel_ratio();
  const int want_w = std::max(1, static_cast<int>(std::lround(js_css_width() * ratio)));
  const int want_h = std::max(1, static_cast<int>(std::lround(js_css_height() * ratio)));
  js_set_canvas_size(want_w, want_h);
  s.frontend.set_scales(1.0f, static_cast<float>(ratio));
}

void frame(void*) {
  WebState& s = web_state();
  s.frontend.frame(*s.app);
  // For the load-time measurement (docs/BENCHMARKS.md): navigation to first frame.
  if (s.app->frames_drawn() == 1) js_mark_first_frame();
}

}  // namespace
}  // namespace distillery

int main() {
  using namespace distillery;
  WebState& s = web_state();
  if (!s.frontend.init("Distillery", 1280, 800)) return 1;
  RuntimeInfo runtime = detect_runtime();
  share_cores_with_ui(runtime);
  s.app = std::make_unique<App>(runtime, s.platform);
  s.api = std::make_unique<AppApi>(*s.app);
  s.frontend.before_frame = fit_canvas;
  js_module_ready();
  // 0 fps: requestAnimationFrame pacing. Not simulating an infinite loop:
  // main returns and the runtime stays alive for the JS API.
  emscripten_set_main_loop_arg(frame, nullptr, 0, false);
  return 0;
}
