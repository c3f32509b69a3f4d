#pragma once
// How this build runs: training on a worker thread or in time slices between
// frames, with or without WebAssembly SIMD, and why. The header bar shows it
// and status() reports it.
#include <string>

namespace distillery {

// True when the build can start threads: native builds and the pthreads web
// build. The single-thread web build trains in slices of the frame loop.
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#define DISTILLERY_HAS_THREADS 1
#else
#define DISTILLERY_HAS_THREADS 0
#endif

struct RuntimeInfo {
  bool threaded = DISTILLERY_HAS_THREADS;  // training runs on a worker thread
  bool simd = false;                       // WebAssembly SIMD (native: the CPU's own vector units)
  bool web = false;
  std::string build = "native";            // "native", "mt" (pthreads) or "st" (single thread)
  std::string reason;                      // one sentence: why this mode is active
  int hardware_threads = 1;
  int kernel_threads = 1;                  // threads the engine's kernels use (training thread included)
};

// The facts known at compile time; the web front end fills in the reason
// from the page (crossOriginIsolated).
RuntimeInfo detect_runtime();

// Leaves one hardware thread for drawing: the kernels get the remaining ones
// (at least one), so the UI keeps its frame rate while a model trains.
// Sets the engine's thread count and records it in info.
void share_cores_with_ui(RuntimeInfo& info);

// The user's choice of kernel threads (Settings, or the JS API's setThreads):
// n <= 0 goes back to the default above; otherwise n is clamped to
// [1, max_kernel_threads()]. Takes effect at the kernels' next parallel call,
// even while a model trains. Records the count in info.
void set_kernel_threads(RuntimeInfo& info, int n);
// The most kernel threads this build offers: the hardware threads (in the
// browser at most the prewarmed worker pool), 1 without threads.
int max_kernel_threads();

}  // namespace distillery
