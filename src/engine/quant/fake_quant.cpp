#include "engine/quant/fake_quant.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"

namespace distillery {

void fake_quantize_kernel(float* kernel, int64_t count, int channels) {
  const ChannelQuantized q = quantize_per_channel(kernel, count, channels);
  dequantize_per_channel(q, channels, kernel);
}

FakeQuantLayer::FakeQuantLayer(const nlohmann::json& config) {
  if (config.contains("momentum")) {
    require(config["momentum"].is_number(), "fake_quant: \"momentum\" must be a number");
    momentum_ = config["momentum"].get<float>();
  }
  require(std::isfinite(momentum_) && momentum_ >= 0.0f && momentum_ < 1.0f,
          "fake_quant: \"momentum\" must be in [0, 1)");
}

nlohmann::json FakeQuantLayer::config() const { return {{"type", kType}, {"momentum", momentum_}}; }

Shape FakeQuantLayer::build(const Shape& input_shape) {
  input_shape_ = output_shape_ = input_shape;
  return output_shape_;
}

void FakeQuantLayer::forward(const Tensor& input, Tensor& output, bool training) {
  if (training && input.size() > 0) {
    const auto [lo, hi] = std::minmax_element(input.data(), input.data() + input.size());
    if (!seen_) {
      min_ = *lo;
      max_ = *hi;
      seen_ = true;
    } else {
      min_ = momentum_ * min_ + (1.0f - momentum_) * *lo;
      max_ = momentum_ * max_ + (1.0f - momentum_) * *hi;
    }
  }
  output.resize(input.shape());
  if (!seen_) {  // nothing tracked yet (inference before any training batch): pass through
    std::copy(input.data(), input.data() + input.size(), output.data());
    used_ = ActivationQuant{};
    used_.min = -INFINITY;
    used_.max = INFINITY;
    return;
  }
  used_ = activation_quant_from_range(min_, max_);
  for (int64_t i = 0; i < input.size(); ++i) {
    const int8_t q = quantize_activation(input[i], used_);
    output[i] = used_.scale * float(int32_t(q) - used_.zero_point);
  }
}

void FakeQuantLayer::backward(const Tensor& input, const Tensor&, const Tensor& grad_output, Tensor& grad_input) {
  grad_input.resize(input.shape());
  // The representable interval of the grid used: values beyond it were clipped, and clipping has no gradient.
  const float lo = used_.min == -INFINITY ? -INFINITY : used_.scale * float(-128 - used_.zero_point);
  const float hi = used_.max == INFINITY ? INFINITY : used_.scale * float(127 - used_.zero_point);
  for (int64_t i = 0; i < input.size(); ++i)
    grad_input[i] = input[i] >= lo && input[i] <= hi ? grad_output[i] : 0.0f;
}

void register_fake_quant_layer() {
  static std::once_flag once;
  std::call_once(once, [] {
    LayerKind kind;
    kind.type = FakeQuantLayer::kType;
    kind.create = construct_layer<FakeQuantLayer>;
    kind.channels = ChannelFlow::preserved;
    LayerRegistry::instance().add(std::move(kind));
  });
}

}  // namespace distillery
