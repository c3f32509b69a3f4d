// The depthwise loops of engine/kernels/depthwise_conv_loops.h with a plain
// one-channel-at-a-time step, compiled without auto-vectorisation (CMake sets
// -fno-tree-vectorize on this file): the baseline dwconv_bench compares the
// engine's vectorised (native) and f32x4 (WebAssembly) kernels against.
#include "bench/dwconv_scalar.h"

#include "engine/kernels/depthwise_conv_loops.h"

namespace distillery::bench {
namespace {

struct ScalarOps {
  static inline void madd(float* acc, const float* a, const float* b, int n) {
    for (int c = 0; c < n; ++c) acc[c] += a[c] * b[c];
  }
};

}  // namespace

void depthwise_forward_scalar(const float* images, int count, const WindowGeometry& g, const float* kernel,
                              const float* bias, float* out) {
  for (int s = 0; s < count; ++s)
    depthwise_loops::forward_sample<ScalarOps>(images + s * g.image_size(), g, kernel, bias,
                                               out + s * g.positions() * g.channels);
}

}  // namespace distillery::bench
