#pragma once
// Small in-memory models and data for the pruning tests (no files: these tests
// also run as WebAssembly under Node).
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/rng.h"
#include "engine/data/dataset.h"
#include "engine/model/model.h"
#include "engine/train/band_dataset.h"

namespace distillery {
namespace test {

inline nlohmann::json dense(int units) { return {{"type", "dense"}, {"units", units}}; }
inline nlohmann::json layer(const char* type) { return {{"type", type}}; }

// 784-free MLP on 6x6 images: flatten, dense 24, relu, dense 16, tanh, dense 3.
inline Model make_mlp(uint64_t seed = 3) {
  Rng rng(seed);
  Model m = Model::from_layer_configs({layer("flatten"), dense(24), layer("relu"), dense(16), layer("tanh"), dense(3)},
                                      Shape{6, 6, 1}, rng);
  m.class_names = {"top", "middle", "bottom"};
  m.name = "mlp";
  return m;
}

// conv 3x3 (8 filters) -> relu -> maxpool 2 -> conv 3x3 same (6) -> relu -> flatten -> dense 12 -> relu -> dense 3.
inline Model make_cnn(uint64_t seed = 5) {
  Rng rng(seed);
  std::vector<nlohmann::json> layers = {{{"type", "conv2d"}, {"filters", 8}, {"kernel_size", 3}},
                                        layer("relu"),
                                        {{"type", "maxpool2d"}, {"pool_size", 2}},
                                        {{"type", "conv2d"}, {"filters", 6}, {"kernel_size", 3}, {"padding", "same"}},
                                        layer("relu"),
                                        {{"type", "dropout"}, {"rate", 0.25}},
                                        layer("flatten"),
                                        dense(12),
                                        layer("relu"),
                                        dense(3)};
  Model m = Model::from_layer_configs(layers, Shape{6, 6, 1}, rng);
  m.class_names = {"top", "middle", "bottom"};
  // Non-zero biases, so a removed unit that kept its bias would show.
  for (const auto& ref : m.params().refs)
    if (!ref.spec.prunable)
      for (int64_t i = 0; i < ref.size(); ++i) m.params().values[ref.offset + i] = rng.uniform(-0.2f, 0.2f);
  return m;
}

inline Tensor random_batch(const Shape& per_sample, int n, uint64_t seed) {
  Tensor t(per_sample.with_batch(n));
  Rng rng(seed);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  float d = 0;
  for (int64_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

}  // namespace test
}  // namespace distillery
