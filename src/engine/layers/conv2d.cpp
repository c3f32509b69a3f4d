#include "engine/layers/conv2d.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/thread_pool.h"
#include "engine/layers/layer_registry.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

namespace distillery {
namespace {

// 1M floats (4 MB): big enough for efficient GEMMs, small enough for the browser.
constexpr int64_t kWorkspaceFloats = int64_t{1} << 20;

}  // namespace

Conv2D::Conv2D(const nlohmann::json& config)
    : filters_(config_value<int>(config, "filters")),
      kernel_size_(read_int_pair(config, "conv2d", "kernel_size")),
      strides_(read_int_pair(config, "conv2d", "strides", IntPair{1, 1})),
      padding_(read_padding(config, "conv2d")),
      use_bias_(config_value<bool>(config, "use_bias", true)),
      initializer_(config_value<std::string>(config, "kernel_initializer", "glorot_uniform")) {
  require(filters_ > 0 && filters_ <= 65536, "conv2d: filters must be between 1 and 65536, got " + std::to_string(filters_));
  require(initializer_ == "glorot_uniform" || initializer_ == "he_uniform",
          "conv2d: \"kernel_initializer\" must be \"glorot_uniform\" or \"he_uniform\", got \"" + initializer_ + "\"");
  // A fused activation would be silently dropped; say so instead.
  auto activation = config.find("activation");
  require(activation == config.end() || activation->is_null() || *activation == "linear",
          "conv2d: \"activation\" " + (activation == config.end() ? std::string() : activation->dump()) +
              " is not part of the layer; add it as its own layer (e.g. {\"type\": \"relu\"}) after the conv2d");
  auto data_format = config.find("data_format");
  require(data_format == config.end() || data_format->is_null() || *data_format == "channels_last",
          "conv2d: only \"data_format\": \"channels_last\" (NHWC) is supported");
}

nlohmann::json Conv2D::config() const {
  return {{"type", type()},
          {"filters", filters_},
          {"kernel_size", pair_json(kernel_size_)},
          {"strides", pair_json(strides_)},
          {"padding", padding_json(padding_)},
          {"use_bias", use_bias_},
          {"kernel_initializer", initializer_}};
}

Shape Conv2D::build(const Shape& input_shape) {
  require_image_input("conv2d", input_shape);
  geometry_ = layer_window_geometry("conv2d", "kernel", input_shape, kernel_size_, strides_, padding_);
  require(geometry_.patch_size() * filters_ <= (int64_t{1} << 30),
          "conv2d: a kernel of " + std::to_string(geometry_.patch_size() * filters_) + " weights is too large");
  input_shape_ = input_shape;
  output_shape_ = Shape{geometry_.out_h, geometry_.out_w, filters_};
  return output_shape_;
}

std::vector<ParamSpec> Conv2D::param_specs() const {
  std::vector<ParamSpec> specs{{"kernel", Shape{kernel_size_.h, kernel_size_.w, geometry_.channels, filters_}, true}};
  if (use_bias_) specs.push_back({"bias", Shape{filters_}, false});
  return specs;
}

void Conv2D::bind(const std::vector<float*>& params, const std::vector<float*>& grads) {
  kernel_ = params[0];
  kernel_grad_ = grads[0];
  bias_ = use_bias_ ? params[1] : nullptr;
  bias_grad_ = use_bias_ ? grads[1] : nullptr;
}

void Conv2D::initialize(Rng& rng) {
  // Keras' fans for a conv kernel: receptive field times channels in / out.
  const int64_t receptive = static_cast<int64_t>(kernel_size_.h) * kernel_size_.w;
  const float fan_in = static_cast<float>(receptive * geometry_.channels);
  const float fan_out = static_cast<float>(receptive * filters_);
  const float limit = initializer_ == "he_uniform" ? std::sqrt(6.0f / fan_in) : std::sqrt(6.0f / (fan_in + fan_out));
  const int64_t count = geometry_.patch_size() * filters_;
  for (int64_t i = 0; i < count; ++i) kernel_[i] = rng.uniform(-limit, limit);
  if (use_bias_) std::fill(bias_, bias_ + filters_, 0.0f);
}

bool Conv2D::input_is_columns() const {
  return kernel_size_.h == 1 && kernel_size_.w == 1 && strides_.h == 1 && strides_.w == 1;
}

int Conv2D::chunk_samples(int batch) const {
  const int64_t per_sample = std::max<int64_t>(1, geometry_.positions() * geometry_.patch_size());
  return static_cast<int>(std::clamp<int64_t>(kWorkspaceFloats / per_sample, 1, std::max(batch, 1)));
}

void Conv2D::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  const int n = input.rows();
  const int patch = static_cast<int>(geometry_.patch_size());
  const int64_t positions = geometry_.positions();
  output.resize(Shape{n, geometry_.out_h, geometry_.out_w, filters_});
  const int chunk = chunk_samples(n);
  if (!input_is_columns()) columns_.resize(static_cast<size_t>(chunk * positions * patch));
  for (int first = 0; first < n; first += chunk) {
    const int count = std::min(chunk, n - first);
    const int rows = static_cast<int>(count * positions);
    const float* columns = input.data() + first * geometry_.image_size();
    if (!input_is_columns()) {
      im2col(columns, count, geometry_, columns_.data());
      columns = columns_.data();
    }
    // output[rows, F] = columns[rows, patch] * kernel[patch, F]
    float* out = output.data() + first * positions * filters_;
    gemm(false, false, rows, filters_, patch, 1.0f, columns, patch, kernel_, filters_, 0.0f, out, filters_);
  }
  if (use_bias_) {
    // Row ranges over the pool (each row is independent).
    parallel_for(0, n * positions, 2048, [&](int64_t begin, int64_t end) {
      MatrixMap out(output.data() + begin * filters_, static_cast<Eigen::Index>(end - begin), filters_);
      out.rowwise() += ConstVectorMap(bias_, filters_).transpose();
    });
  }
}

void Conv2D::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output, Tensor& grad_input) {
  const int n = input.rows();
  const int patch = static_cast<int>(geometry_.patch_size());
  const int64_t positions = geometry_.positions();
  const bool input_gradient = input_gradient_needed();
  if (input_gradient) grad_input.resize(input.shape());
  const int chunk = chunk_samples(n);
  if (!input_is_columns()) {
    columns_.resize(static_cast<size_t>(chunk * positions * patch));
    if (input_gradient) grad_input.set_zero();  // col2im accumulates
  }
  for (int first = 0; first < n; first += chunk) {
    const int count = std::min(chunk, n - first);
    const int rows = static_cast<int>(count * positions);
    const float* grad_out = grad_output.data() + first * positions * filters_;
    const float* columns = input.data() + first * geometry_.image_size();
    if (!input_is_columns()) {
      im2col(columns, count, geometry_, columns_.data());
      columns = columns_.data();
    }
    // kernel_grad[patch, F] += columns^T[patch, rows] * grad_out[rows, F]
    gemm(true, false, patch, filters_, rows, 1.0f, columns, patch, grad_out, filters_, 1.0f, kernel_grad_, filters_);
    if (!input_gradient) continue;  // the model's first layer: nobody reads grad_input
    // grad_columns[rows, patch] = grad_out[rows, F] * kernel^T[F, patch]; written over the
    // workspace (its columns are no longer needed), or straight into grad_input for 1x1.
    float* grad_in = grad_input.data() + first * geometry_.image_size();
    float* grad_columns = input_is_columns() ? grad_in : columns_.data();
    gemm(false, true, rows, patch, filters_, 1.0f, grad_out, filters_, kernel_, filters_, 0.0f, grad_columns, patch);
    if (!input_is_columns()) col2im(grad_columns, count, geometry_, grad_in);
  }
  if (use_bias_) {
    // Row by row, not Eigen's colwise().sum(), whose order depends on the buffer's alignment
    // (see Dense::backward): same seed, same bits.
    const float* g = grad_output.data();
    const int64_t rows = static_cast<int64_t>(n) * positions;
    for (int64_t r = 0; r < rows; ++r)
      for (int f = 0; f < filters_; ++f) bias_grad_[f] += g[r * filters_ + f];
  }
}

// ---------------------------------------------------------------- kind
namespace {

// He-uniform (Keras "HeUniform", or VarianceScaling 2 / fan_in / uniform) or
// Distillery's default, Glorot-uniform. It only matters for re-initialisation.
std::string initializer_from_tfjs(const TfjsSource& source) {
  const nlohmann::json init = source.config.value("kernel_initializer", nlohmann::json());
  if (!init.is_object()) return "glorot_uniform";
  const std::string name = init.value("class_name", std::string());
  const nlohmann::json c = init.value("config", nlohmann::json::object());
  const bool he = name == "HeUniform" ||
                  (name == "VarianceScaling" && c.is_object() && c.value("scale", 0.0) == 2.0 &&
                   c.value("mode", std::string()) == "fan_in" && c.value("distribution", std::string()) == "uniform");
  return he ? "he_uniform" : "glorot_uniform";
}

// Distillery's initialisers as the VarianceScaling they are, so a round trip keeps them.
nlohmann::ordered_json initializer_to_tfjs(const std::string& name) {
  const bool he = name == "he_uniform";
  nlohmann::ordered_json config;
  config["scale"] = he ? 2 : 1;
  config["mode"] = he ? "fan_in" : "fan_avg";
  config["distribution"] = "uniform";
  config["seed"] = nullptr;
  return nlohmann::ordered_json{{"class_name", "VarianceScaling"}, {"config", config}};
}

}  // namespace

LayerKind conv2d_kind() {
  LayerKind kind;
  kind.type = "conv2d";
  kind.create = construct_layer<Conv2D>;
  kind.channels = ChannelFlow::weighted;
  kind.width_key = "filters";
  kind.takes_activation = true;
  kind.tfjs_classes = {"Conv2D", "Convolution2D"};
  kind.tfjs_zero_pads = LayerKind::ZeroPads::exact;
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    source.require_channels_last();
    source.require_all_ones("dilation_rate");
    source.require_all_ones("groups");
    const int filters = source.field<int>("filters", 0);
    require(filters > 0, source.label() + ": \"filters\" must be a positive integer");
    require(source.config.contains("kernel_size"), source.label() + ": \"kernel_size\" is missing");
    target.add({{"type", "conv2d"},
                {"filters", filters},
                {"kernel_size", source.window("kernel_size", nlohmann::json())},
                {"strides", source.window("strides", nlohmann::json(1))},
                {"padding", source.padding()},
                {"use_bias", source.field<bool>("use_bias", true)},
                {"kernel_initializer", initializer_from_tfjs(source)}});
    target.add_activation(source.config.value("activation", nlohmann::json()));
  };
  kind.to_tfjs = [](const nlohmann::json& config) {
    TfjsLayer layer{"Conv2D", "conv2d", {}};
    nlohmann::ordered_json& c = layer.config;
    c["filters"] = config["filters"];
    c["kernel_size"] = tfjs_pair(config["kernel_size"]);
    c["strides"] = tfjs_pair(config.value("strides", nlohmann::json(1)));
    c["padding"] = keras_padding(config, "conv2d");
    c["data_format"] = "channels_last";
    c["dilation_rate"] = nlohmann::ordered_json::array({1, 1});
    c["use_bias"] = config.value("use_bias", true);
    c["kernel_initializer"] = initializer_to_tfjs(config.value("kernel_initializer", "glorot_uniform"));
    return layer;
  };
  kind.arch_tokens = {"conv"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(3, 6, "conv:FILTERS:KERNEL[:sN][:same|valid][:ACTIVATION]");
    token.require_image();
    nlohmann::json conv{{"type", "conv2d"},
                        {"filters", token.positive_int(1, "FILTERS")},
                        {"kernel_size", token.window(2, "KERNEL")}};
    const ArchOptions options = token.options(3, true, true);
    conv["strides"] = options.stride ? options.stride : 1;
    conv["padding"] = options.padding.empty() ? "same" : options.padding;
    token.add(conv);
    token.add_activation(options.activation);
  };
  kind.to_arch = [](const nlohmann::json& config) {
    std::string text = "conv:" + config["filters"].dump() + ":" + arch_window_text(config["kernel_size"]);
    const std::string strides = arch_window_text(config.value("strides", nlohmann::json(1)));
    if (strides != "1") text += ":s" + strides;
    // The grammar has no explicit pads; PyTorch's k // 2 gives "same"'s shapes.
    if (read_padding(config, "conv2d").kind == Padding::Kind::kValid) text += ":valid";
    return text;
  };
  return kind;
}

}  // namespace distillery
