#include "engine/layers/dropout.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

namespace distillery {

Dropout::Dropout(const nlohmann::json& config) : Dropout(config_value<float>(config, "rate")) {}

Dropout::Dropout(float rate) : rate_(rate) {
  // The negated test also rejects NaN.
  require(rate >= 0.0f && rate < 1.0f, "dropout: \"rate\" must be in [0, 1), got " + std::to_string(rate));
}

Shape Dropout::build(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.size() > 0,
          "dropout expects a non-empty input but got " + input_shape.str());
  input_shape_ = output_shape_ = input_shape;
  return output_shape_;
}

void Dropout::forward(const Tensor& input, Tensor& output, bool training) {
  output.resize(input.shape());
  if (!training || rate_ == 0.0f) {
    mask_.clear();
    std::copy(input.data(), input.data() + input.size(), output.data());
    return;
  }
  Rng& rng = rng_ ? *rng_ : own_rng_;
  const float keep_scale = 1.0f / (1.0f - rate_);
  mask_.resize(static_cast<size_t>(input.size()));
  for (int64_t i = 0; i < input.size(); ++i) {
    mask_[i] = rng.uniform() < rate_ ? 0.0f : keep_scale;
    output[i] = input[i] * mask_[i];
  }
}

void Dropout::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output, Tensor& grad_input) {
  grad_input.resize(input.shape());
  if (mask_.empty()) {  // the last forward was the identity
    std::copy(grad_output.data(), grad_output.data() + grad_output.size(), grad_input.data());
    return;
  }
  for (int64_t i = 0; i < grad_output.size(); ++i) grad_input[i] = grad_output[i] * mask_[i];
}

LayerKind dropout_kind() {
  LayerKind kind;
  kind.type = "dropout";
  kind.create = construct_layer<Dropout>;
  kind.channels = ChannelFlow::preserved;
  kind.tfjs_classes = {"Dropout"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    const double rate = source.field<double>("rate", 0.0);
    require(rate >= 0.0 && rate < 1.0, source.label() + ": rate must be in [0, 1)");
    target.add({{"type", "dropout"}, {"rate", rate}});
  };
  kind.to_tfjs = [](const nlohmann::json& config) {
    TfjsLayer layer{"Dropout", "dropout", {}};
    layer.config["rate"] = tfjs_float(config["rate"]);
    return layer;
  };
  kind.arch_tokens = {"dropout"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(2, 2, "dropout:P");
    const float rate = token.number(1, "P");
    require(rate >= 0.0f && rate < 1.0f, token.where() + ": the dropout rate must be in [0, 1), got " + token.part(1));
    token.add({{"type", "dropout"}, {"rate", rate}});
  };
  kind.to_arch = [](const nlohmann::json& config) {
    return "dropout:" + arch_number_text(config.value("rate", 0.0f));
  };
  return kind;
}

}  // namespace distillery
