#include "engine/layers/activations.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/kernels/thread_pool.h"
#include "engine/layers/layer_registry.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

namespace distillery {

// --- Shared bookkeeping ---------------------------------------------------------

Shape ElementwiseActivation::build(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.size() > 0,
          type() + " expects a non-empty input but got " + input_shape.str());
  input_shape_ = output_shape_ = input_shape;
  return output_shape_;
}

constexpr float kReLU6Max = 6.0f;

// Element ranges over the pool: each element is independent, so any number of
// threads gives the same bits.
constexpr int64_t kElementsPerTask = 16384;

void ElementwiseActivation::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  output.resize(input.shape());
  parallel_for(0, input.size(), kElementsPerTask, [&](int64_t begin, int64_t end) {
    apply(input.data() + begin, output.data() + begin, end - begin);
  });
}

void ElementwiseActivation::backward(const Tensor& input, const Tensor& output, const Tensor& grad_output,
                                     Tensor& grad_input) {
  grad_input.resize(input.shape());
  parallel_for(0, input.size(), kElementsPerTask, [&](int64_t begin, int64_t end) {
    gradient(input.data() + begin, output.data() + begin, grad_output.data() + begin, grad_input.data() + begin,
             end - begin);
  });
}

// --- relu ----------------------------------------------------------------------

void ReLU::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void ReLU::gradient(const float* x, const float*, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

// --- relu6 ---------------------------------------------------------------------

void ReLU6::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i], 0.0f), kReLU6Max);
}

// The flat parts on both sides pass nothing (as TF and torch do at the kinks).
void ReLU6::gradient(const float* x, const float*, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f && x[i] < kReLU6Max ? dy[i] : 0.0f;
}

// --- leaky_relu ----------------------------------------------------------------

LeakyReLU::LeakyReLU(float alpha) : alpha_(alpha) {
  require(std::isfinite(alpha_), "leaky_relu: \"alpha\" must be a finite number");
}

LeakyReLU::LeakyReLU(const nlohmann::json& config)
    : LeakyReLU(config.contains("alpha") || !config.contains("negative_slope")
                    ? config_value<float>(config, "alpha", 0.3f)
                    : config_value<float>(config, "negative_slope")) {}

void LeakyReLU::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : alpha_ * x[i];
}

void LeakyReLU::gradient(const float* x, const float*, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : alpha_ * dy[i];
}

// --- sigmoid -------------------------------------------------------------------

void Sigmoid::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}

void Sigmoid::gradient(const float*, const float* y, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

// --- tanh ----------------------------------------------------------------------

void Tanh::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void Tanh::gradient(const float*, const float* y, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

// --- Kinds ------------------------------------------------------------------------
namespace {

// relu, relu6, sigmoid, tanh: TF.js writes them as an "activation" string, on their own
// as an Activation layer; the arch spec as a token or a conv/dense option.
template <typename L>
LayerKind plain_activation_kind(const std::string& type) {
  LayerKind kind;
  kind.type = type;
  kind.create = construct_layer<L>;
  kind.channels = ChannelFlow::preserved;
  kind.tfjs_activation = type;
  kind.to_tfjs = [type](const nlohmann::json&) {
    TfjsLayer layer{"Activation", "activation", {}};
    layer.config["activation"] = type;
    return layer;
  };
  kind.arch_tokens = {type};
  kind.arch_activation = true;
  kind.from_arch = [type](ArchToken& token) {
    token.require_parts(1, 1, type.c_str());
    token.add({{"type", type}});
  };
  return kind;
}

constexpr float kKerasLeakyAlpha = 0.3f;

}  // namespace

LayerKind relu_kind() {
  LayerKind kind = plain_activation_kind<ReLU>("relu");
  kind.output_nonnegative = true;
  // Keras' ReLU layer, which may really be a leaky one or a ReLU6.
  kind.tfjs_classes = {"ReLU"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    require(source.field<double>("threshold", 0.0) == 0.0, source.label() + ": a threshold is not supported");
    const nlohmann::json max_value = source.config.value("max_value", nlohmann::json());
    const double slope = source.field<double>("negative_slope", 0.0);
    if (!max_value.is_null()) {
      require(max_value.is_number() && max_value.get<double>() == kReLU6Max && slope == 0.0,
              source.label() + ": max_value " + max_value.dump() + (slope != 0.0 ? " with a negative_slope" : "") +
                  " is not supported (only max_value 6, ReLU6)");
      target.add({{"type", "relu6"}});
    } else if (slope == 0.0) {
      target.add({{"type", "relu"}});
    } else {
      target.add({{"type", "leaky_relu"}, {"alpha", slope}});
    }
  };
  return kind;
}

// TF.js writes it as the "relu6" activation string (an Activation layer on its own,
// or folded into a conv/dense); ReLU with max_value 6 reads as it too (see relu_kind).
LayerKind relu6_kind() {
  LayerKind kind = plain_activation_kind<ReLU6>("relu6");
  kind.output_nonnegative = true;
  return kind;
}

LayerKind sigmoid_kind() {
  LayerKind kind = plain_activation_kind<Sigmoid>("sigmoid");
  kind.output_nonnegative = true;
  return kind;
}
LayerKind tanh_kind() { return plain_activation_kind<Tanh>("tanh"); }

LayerKind leaky_relu_kind() {
  LayerKind kind;
  kind.type = "leaky_relu";
  kind.create = construct_layer<LeakyReLU>;
  kind.channels = ChannelFlow::preserved;
  kind.tfjs_classes = {"LeakyReLU"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    const double alpha = source.config.contains("negative_slope") ? source.field<double>("negative_slope", 0.3)
                                                                  : source.field<double>("alpha", 0.3);
    target.add({{"type", "leaky_relu"}, {"alpha", alpha}});
  };
  kind.to_tfjs = [](const nlohmann::json& config) {
    TfjsLayer layer{"LeakyReLU", "leaky_re_lu", {}};
    layer.config["alpha"] = tfjs_float(config["alpha"]);
    return layer;
  };
  kind.arch_tokens = {"leaky_relu"};
  kind.arch_activation = true;
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(1, 2, "leaky_relu[:ALPHA]");
    nlohmann::json layer{{"type", "leaky_relu"}};
    if (token.size() == 2) layer["alpha"] = token.number(1, "ALPHA");
    token.add(layer);
  };
  // Keras' default slope reads back from the bare token, and folds into a conv/dense one.
  kind.to_arch = [](const nlohmann::json& config) {
    const float alpha = config.value("alpha", kKerasLeakyAlpha);
    return alpha == kKerasLeakyAlpha ? std::string("leaky_relu") : "leaky_relu:" + arch_number_text(alpha);
  };
  return kind;
}

}  // namespace distillery
