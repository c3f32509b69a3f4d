#pragma once
// Small helpers shared by the speed benchmarks: clocks, medians of repeated
// measurements, number formatting. Benchmarks print figures; they never
// assert timings.
//
// Two clocks. Wall time is what a user waits, and the only honest clock for
// multi-threaded runs. CPU time of the measuring thread (natively) or of the
// Node process (WebAssembly) is what a single-threaded kernel costs, and it
// does not count the time another process had our core: on a shared 2-core
// machine it turns single-thread figures from +-50% noise into +-3%.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/rng.h"
#include "engine/data/dataset.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
// Node's process CPU time (all threads: measure single-threaded work only);
// falls back to wall time in a browser.
EM_JS(double, distillery_bench_cpu_seconds, (), {
  if (typeof process !== 'undefined' && process.cpuUsage) {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1e-6;
  }
  return performance.now() * 1e-3;
});
#endif

namespace distillery::bench {

inline double now_seconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

inline double cpu_seconds() {
#ifdef __EMSCRIPTEN__
  return distillery_bench_cpu_seconds();
#else
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
#endif
}

// What cpu_seconds() measures here (a browser has no CPU clock: wall time).
inline const char* cpu_clock_name() {
#ifdef __EMSCRIPTEN__
  return EM_ASM_INT({ return typeof process !== 'undefined' && !!process.cpuUsage; }) ? "CPU (Node process)"
                                                                                      : "wall (browser)";
#else
  return "CPU (thread)";
#endif
}

enum class Clock { kWall, kCpu };
inline double seconds(Clock clock) { return clock == Clock::kWall ? now_seconds() : cpu_seconds(); }

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

// Calls fn until at least min_seconds passed on `clock` (at least once);
// returns calls per second.
inline double rate(const std::function<void()>& fn, double min_seconds, Clock clock = Clock::kWall) {
  int calls = 0;
  const double start = seconds(clock);
  double elapsed = 0;
  do {
    fn();
    ++calls;
    elapsed = seconds(clock) - start;
  } while (elapsed < min_seconds);
  return calls / elapsed;
}

// Where the program runs, for the reports.
inline const char* platform_name() {
#ifdef __EMSCRIPTEN__
#ifdef __EMSCRIPTEN_PTHREADS__
  return "wasm-pthreads";
#else
  return "wasm";
#endif
#else
  return "native";
#endif
}

inline std::string fixed(double v, int digits = 3) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

// `samples` 28x28 gray images of uniform noise, labels cycling through `classes`:
// speed does not depend on what the images show.
inline Dataset synthetic_images(int samples, int classes, uint64_t seed) {
  Dataset d;
  d.height = d.width = 28;
  d.channels = 1;
  for (int c = 0; c < classes; ++c) d.class_names.push_back("class" + std::to_string(c));
  Rng rng(seed);
  d.pixels.resize(static_cast<size_t>(samples) * 28 * 28);
  for (uint8_t& p : d.pixels) p = static_cast<uint8_t>(rng.below(256));
  for (int i = 0; i < samples; ++i) d.labels.push_back(i % classes);
  return d;
}

}  // namespace distillery::bench
