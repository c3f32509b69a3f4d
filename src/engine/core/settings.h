#pragma once
// Process-wide engine settings. Today: how many threads the kernels may use.
//
//   set_thread_count(1);   // force single-threaded execution (e.g. a browser main thread)
//   set_thread_count(0);   // back to the hardware default
//   int t = thread_count();
//
// The thread pool reads thread_count() at every parallel call and resizes
// itself when it changed, so the setting may change between training steps.
#include <algorithm>
#include <atomic>
#include <thread>

namespace distillery {

// True when this build can run threads at all. A WebAssembly build without
// -pthread (a page without cross-origin isolation) cannot: everything runs inline.
constexpr bool threads_supported() {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return false;
#else
  return true;
#endif
}

// Upper bound on the pool size: more threads than this never pays for these
// kernel sizes, and a typo like --threads 10000 must not create 10000 threads.
constexpr int kMaxThreads = 64;

// The default: one thread per hardware thread. Under Emscripten the browser's
// pthread pool is prewarmed with 4 workers (emsdk-config.cmake) and the training
// thread is one of them, so the default is capped at 4 to use only ready workers.
// Asked once: std::thread::hardware_concurrency() reads /sys on every call
// (2-7 us here), and every GEMM call asks for the thread count.
inline int hardware_thread_count() {
  if (!threads_supported()) return 1;
  static const int cached = [] {
    int hw = static_cast<int>(std::thread::hardware_concurrency());
    if (hw <= 0) hw = 1;
#ifdef __EMSCRIPTEN__
    hw = std::min(hw, 4);
#endif
    return std::min(hw, kMaxThreads);
  }();
  return cached;
}

namespace settings_detail {
inline std::atomic<int> requested_threads{0};  // 0: hardware default
}

// Threads the kernels may use, counting the calling thread. n <= 0 restores
// the hardware default; n is clamped to [1, kMaxThreads] and to 1 when the
// build has no threads.
inline void set_thread_count(int n) {
  settings_detail::requested_threads.store(n <= 0 ? 0 : std::min(n, kMaxThreads), std::memory_order_relaxed);
}

inline int thread_count() {
  if (!threads_supported()) return 1;
  const int requested = settings_detail::requested_threads.load(std::memory_order_relaxed);
  return requested > 0 ? requested : hardware_thread_count();
}

}  // namespace distillery
