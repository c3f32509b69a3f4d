#pragma once
// BoundLayer: a layer made from its JSON config through the registry, built on
// a per-sample shape and bound to parameter buffers owned here, so layer tests
// can set known weights and run forward/backward without a Model. Also small
// tensor makers and an error-message expectation shared by the layer tests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/core/tensor.h"
#include "engine/layers/layer_registry.h"

namespace distillery {
namespace test {

struct BoundLayer {
  LayerPtr layer;
  Shape output_shape;
  std::vector<std::vector<float>> params;
  std::vector<std::vector<float>> grads;
  Rng rng;

  BoundLayer(const nlohmann::json& config, const Shape& input_shape, uint64_t seed = 7)
      : layer(LayerRegistry::instance().create(config)), rng(seed) {
    output_shape = layer->build(input_shape);
    std::vector<float*> value_ptrs, grad_ptrs;
    for (const ParamSpec& spec : layer->param_specs()) {
      params.emplace_back(static_cast<size_t>(spec.shape.size()), 0.0f);
      grads.emplace_back(static_cast<size_t>(spec.shape.size()), 0.0f);
    }
    for (size_t p = 0; p < params.size(); ++p) {
      value_ptrs.push_back(params[p].data());
      grad_ptrs.push_back(grads[p].data());
    }
    layer->bind(value_ptrs, grad_ptrs);
    layer->initialize(rng);
    layer->set_rng(&rng);
  }

  BoundLayer(const BoundLayer&) = delete;  // the layer points at our buffers and rng
  BoundLayer& operator=(const BoundLayer&) = delete;

  Tensor forward(const Tensor& input, bool training = false) {
    Tensor output;
    layer->forward(input, output, training);
    return output;
  }
};

// A [N, ...shape] tensor holding the given values (row-major, NHWC).
inline Tensor make_tensor(const Shape& shape, const std::vector<float>& values) {
  Tensor t(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

// A tensor of the given shape, uniform in [-1, 1].
inline Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

// 1, 2, 3, ... in memory order.
inline Tensor counting_tensor(const Shape& shape) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i + 1);
  return t;
}

// Expects creating the layer from config and building it on input to throw an
// Error whose message contains message_part.
inline void expect_layer_error(const nlohmann::json& config, const Shape& input, const std::string& message_part) {
  try {
    LayerPtr layer = LayerRegistry::instance().create(config);
    layer->build(input);
    ADD_FAILURE() << "no error for " << config.dump() << " on " << input.str();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << message_part;
  }
}

}  // namespace test
}  // namespace distillery
