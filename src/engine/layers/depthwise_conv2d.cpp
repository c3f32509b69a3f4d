#include "engine/layers/depthwise_conv2d.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/kernels/depthwise_conv.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/arch_token.h"

namespace distillery {
namespace {

const char* const kType = "depthwise_conv2d";

// A depth multiplier M > 1 would make C * M outputs; one filter per channel is what
// MobileNets use and what structured pruning can follow channel for channel.
void require_depth_multiplier_one(const nlohmann::json& value, const std::string& where) {
  require(value.is_null() || value == 1,
          where + ": depth_multiplier " + value.dump() + " is not supported (only 1: one filter per channel)");
}

}  // namespace

DepthwiseConv2D::DepthwiseConv2D(const nlohmann::json& config)
    : kernel_size_(read_int_pair(config, kType, "kernel_size")),
      strides_(read_int_pair(config, kType, "strides", IntPair{1, 1})),
      padding_(read_padding(config, kType)),
      use_bias_(config_value<bool>(config, "use_bias", true)) {
  require_depth_multiplier_one(config.value("depth_multiplier", nlohmann::json()), kType);
  // As in conv2d: a fused activation would be silently dropped, so it is refused.
  auto activation = config.find("activation");
  require(activation == config.end() || activation->is_null() || *activation == "linear",
          std::string(kType) + ": \"activation\" " + (activation == config.end() ? std::string() : activation->dump()) +
              " is not part of the layer; add it as its own layer (e.g. {\"type\": \"relu6\"}) after it");
}

nlohmann::json DepthwiseConv2D::config() const {
  return {{"type", type()},
          {"kernel_size", pair_json(kernel_size_)},
          {"strides", pair_json(strides_)},
          {"padding", padding_json(padding_)},
          {"use_bias", use_bias_},
          {"depth_multiplier", 1}};
}

Shape DepthwiseConv2D::build(const Shape& input_shape) {
  require_image_input(kType, input_shape);
  geometry_ = layer_window_geometry(kType, "kernel", input_shape, kernel_size_, strides_, padding_);
  input_shape_ = input_shape;
  output_shape_ = Shape{geometry_.out_h, geometry_.out_w, geometry_.channels};
  return output_shape_;
}

std::vector<ParamSpec> DepthwiseConv2D::param_specs() const {
  // Keras' names, so TF.js weights match by name both ways.
  std::vector<ParamSpec> specs{
      {"depthwise_kernel", Shape{kernel_size_.h, kernel_size_.w, geometry_.channels, 1}, true}};
  if (use_bias_) specs.push_back({"bias", Shape{geometry_.channels}, false});
  return specs;
}

void DepthwiseConv2D::bind(const std::vector<float*>& params, const std::vector<float*>& grads) {
  kernel_ = params[0];
  kernel_grad_ = grads[0];
  bias_ = use_bias_ ? params[1] : nullptr;
  bias_grad_ = use_bias_ ? grads[1] : nullptr;
}

void DepthwiseConv2D::initialize(Rng& rng) {
  // Glorot-uniform over the fans each filter really has (kh * kw taps in and out). Keras
  // counts all C channels into fan_in, which makes the filters about sqrt(C) times smaller.
  const float taps = static_cast<float>(kernel_size_.h * kernel_size_.w);
  const float limit = std::sqrt(6.0f / (2.0f * taps));
  for (int64_t i = 0; i < geometry_.patch_size(); ++i) kernel_[i] = rng.uniform(-limit, limit);
  if (use_bias_) std::fill(bias_, bias_ + geometry_.channels, 0.0f);
}

void DepthwiseConv2D::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  const int n = input.rows();
  output.resize(Shape{n, geometry_.out_h, geometry_.out_w, geometry_.channels});
  depthwise_conv_forward(input.data(), n, geometry_, kernel_, bias_, output.data());
}

void DepthwiseConv2D::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output,
                               Tensor& grad_input) {
  const int n = input.rows();
  const int c = geometry_.channels;
  depthwise_conv_kernel_gradient(input.data(), grad_output.data(), n, geometry_, kernel_grad_);
  if (use_bias_) {
    // Row by row in a fixed order (as Conv2D::backward): same seed, same bits.
    const float* g = grad_output.data();
    const int64_t rows = static_cast<int64_t>(n) * geometry_.positions();
    for (int64_t r = 0; r < rows; ++r)
      for (int ch = 0; ch < c; ++ch) bias_grad_[ch] += g[r * c + ch];
  }
  if (!input_gradient_needed()) return;  // the model's first layer: nobody reads grad_input
  grad_input.resize(input.shape());
  depthwise_conv_input_gradient(grad_output.data(), n, geometry_, kernel_, grad_input.data());
}

// ---------------------------------------------------------------- kind

LayerKind depthwise_conv2d_kind() {
  LayerKind kind;
  kind.type = kType;
  kind.create = construct_layer<DepthwiseConv2D>;
  kind.channels = ChannelFlow::depthwise;
  kind.tfjs_classes = {"DepthwiseConv2D"};
  kind.tfjs_zero_pads = LayerKind::ZeroPads::exact;
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    source.require_channels_last();
    source.require_all_ones("dilation_rate");
    require_depth_multiplier_one(source.config.value("depth_multiplier", nlohmann::json(1)), source.label());
    require(source.config.contains("kernel_size"), source.label() + ": \"kernel_size\" is missing");
    target.add({{"type", kType},
                {"kernel_size", source.window("kernel_size", nlohmann::json())},
                {"strides", source.window("strides", nlohmann::json(1))},
                {"padding", source.padding()},
                {"use_bias", source.field<bool>("use_bias", true)},
                {"depth_multiplier", 1}});
    target.add_activation(source.config.value("activation", nlohmann::json()));
  };
  kind.to_tfjs = [](const nlohmann::json& config) {
    TfjsLayer layer{"DepthwiseConv2D", "depthwise_conv2d", {}};
    nlohmann::ordered_json& c = layer.config;
    c["kernel_size"] = tfjs_pair(config["kernel_size"]);
    c["strides"] = tfjs_pair(config.value("strides", nlohmann::json(1)));
    c["padding"] = keras_padding(config, kType);
    c["data_format"] = "channels_last";
    c["dilation_rate"] = nlohmann::ordered_json::array({1, 1});
    c["depth_multiplier"] = 1;
    c["activation"] = "linear";
    c["use_bias"] = config.value("use_bias", true);
    return layer;
  };
  // dwconv:K[:STRIDE][:valid]: same padding unless valid, and no activation, so
  // "dwconv:3,bn,relu6" is the MobileNet order.
  kind.arch_tokens = {"dwconv"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(2, 4, "dwconv:KERNEL[:STRIDE][:valid|same]");
    token.require_image();
    int stride = 1;
    std::string padding = "same";
    for (size_t i = 2; i < token.size(); ++i) {
      const std::string& part = token.part(i);
      if (part == "same" || part == "valid")
        padding = part;
      else
        stride = token.positive_int(i, "STRIDE", kMaxWindowSide);
    }
    token.add({{"type", kType},
               {"kernel_size", token.window(1, "KERNEL")},
               {"strides", stride},
               {"padding", padding},
               {"use_bias", true},
               {"depth_multiplier", 1}});
  };
  kind.to_arch = [](const nlohmann::json& config) {
    if (!config.value("use_bias", true)) return std::string(kType);  // the token always has a bias
    std::string text = "dwconv:" + arch_window_text(config["kernel_size"]);
    const std::string strides = arch_window_text(config.value("strides", nlohmann::json(1)));
    if (strides != "1") text += ":" + strides;
    if (read_padding(config, kType).kind == Padding::Kind::kValid) text += ":valid";  // explicit: as conv2d
    return text;
  };
  return kind;
}

}  // namespace distillery
