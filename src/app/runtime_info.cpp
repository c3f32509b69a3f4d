#include "app/runtime_info.h"

#include <algorithm>
#include <thread>

#include "engine/core/settings.h"

namespace distillery {

RuntimeInfo detect_runtime() {
  RuntimeInfo info;
#if defined(__EMSCRIPTEN__)
  info.web = true;
  info.build = DISTILLERY_HAS_THREADS ? "mt" : "st";
  info.reason = DISTILLERY_HAS_THREADS
                    ? "the page is cross-origin isolated, so training runs on a worker thread"
                    : "the page is not cross-origin isolated, so training runs in slices between frames";
#else
  info.reason = "native build: training runs on a worker thread";
#endif
#if defined(__wasm_simd128__) || !defined(__EMSCRIPTEN__)
  info.simd = true;
#endif
#if DISTILLERY_HAS_THREADS
  info.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  if (info.hardware_threads < 1) info.hardware_threads = 1;
#endif
  info.kernel_threads = thread_count();
  return info;
}

void share_cores_with_ui(RuntimeInfo& info) {
  set_thread_count(std::max(1, hardware_thread_count() - 1));
  info.kernel_threads = thread_count();
}

void set_kernel_threads(RuntimeInfo& info, int n) {
  if (n <= 0) {
    share_cores_with_ui(info);
    return;
  }
  set_thread_count(std::clamp(n, 1, max_kernel_threads()));
  info.kernel_threads = thread_count();
}

int max_kernel_threads() { return hardware_thread_count(); }

}  // namespace distillery
