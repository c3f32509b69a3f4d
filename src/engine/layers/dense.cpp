#include "engine/layers/dense.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/kernels/gemm.h"
#include "engine/layers/layer_registry.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

namespace distillery {

Dense::Dense(const nlohmann::json& config)
    : units_(config_value<int>(config, "units")), use_bias_(config_value<bool>(config, "use_bias", true)) {
  require(units_ > 0 && units_ <= (1 << 20), "dense: units must be between 1 and 1048576, got " + std::to_string(units_));
}

nlohmann::json Dense::config() const { return {{"type", type()}, {"units", units_}, {"use_bias", use_bias_}}; }

Shape Dense::build(const Shape& input_shape) {
  require(input_shape.rank() == 1,
          "dense expects a flat input but got shape " + input_shape.str() + " (add a flatten layer before it)");
  input_shape_ = input_shape;
  inputs_ = input_shape[0];
  output_shape_ = Shape{units_};
  return output_shape_;
}

std::vector<ParamSpec> Dense::param_specs() const {
  std::vector<ParamSpec> specs{{"kernel", Shape{inputs_, units_}, true}};
  if (use_bias_) specs.push_back({"bias", Shape{units_}, false});
  return specs;
}

void Dense::bind(const std::vector<float*>& params, const std::vector<float*>& grads) {
  kernel_ = params[0];
  kernel_grad_ = grads[0];
  bias_ = use_bias_ ? params[1] : nullptr;
  bias_grad_ = use_bias_ ? grads[1] : nullptr;
  invalidate_sparse_kernel();
}

void Dense::initialize(Rng& rng) {
  // Glorot uniform, as Keras does, so imported and native models start alike.
  const float limit = std::sqrt(6.0f / static_cast<float>(inputs_ + units_));
  for (int64_t i = 0; i < static_cast<int64_t>(inputs_) * units_; ++i) kernel_[i] = rng.uniform(-limit, limit);
  if (use_bias_) std::fill(bias_, bias_ + units_, 0.0f);
  invalidate_sparse_kernel();
}

bool Dense::uses_sparse_kernel(int batch) {
  if (!sparse_known_) {
    const int64_t entries = static_cast<int64_t>(inputs_) * units_;
    const int64_t zeros = std::count(kernel_, kernel_ + entries, 0.0f);
    kernel_sparsity_ = entries ? static_cast<float>(static_cast<double>(zeros) / static_cast<double>(entries)) : 0.0f;
    const float lowest = std::min(sparse_dense_threshold(1), sparse_dense_threshold(2));
    csr_ = kernel_sparsity_ >= lowest ? csr_from_dense_kernel(kernel_, inputs_, units_) : CsrMatrix{};
    sparse_known_ = true;
  }
  return csr_.rows == units_ && kernel_sparsity_ >= sparse_dense_threshold(batch);
}

void Dense::forward(const Tensor& input, Tensor& output, bool training) {
  const int n = input.rows();
  output.resize(Shape{n, units_});
  if (training) {
    invalidate_sparse_kernel();  // the weights are about to change
  } else if (uses_sparse_kernel(n)) {
    csr_dense_forward(csr_, input.data(), n, use_bias_ ? bias_ : nullptr, output.data(), sparse_workspace_);
    return;
  }
  // output[n, out] = input[n, in] * kernel[in, out]
  gemm(false, false, n, units_, inputs_, 1.0f, input.data(), inputs_, kernel_, units_, 0.0f, output.data(), units_);
  if (use_bias_) output.matrix().rowwise() += ConstVectorMap(bias_, units_).transpose();
}

void Dense::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output, Tensor& grad_input) {
  const int n = input.rows();
  invalidate_sparse_kernel();
  // kernel_grad[in, out] += input^T[in, n] * grad_output[n, out]
  gemm(true, false, inputs_, units_, n, 1.0f, input.data(), inputs_, grad_output.data(), units_, 1.0f, kernel_grad_,
       units_);
  if (use_bias_) {
    // A plain row-by-row sum, not Eigen's colwise().sum(): that sums the columns outside the
    // destination's SIMD alignment in another order, so the bits depended on where the heap
    // put the buffer, and the same seed gave different models under different machine load.
    const float* g = grad_output.data();
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < units_; ++j) bias_grad_[j] += g[static_cast<int64_t>(i) * units_ + j];
  }
  if (!input_gradient_needed()) return;
  // grad_input[n, in] = grad_output[n, out] * kernel^T[out, in]
  grad_input.resize(input.shape());
  gemm(false, true, n, inputs_, units_, 1.0f, grad_output.data(), units_, kernel_, units_, 0.0f, grad_input.data(),
       inputs_);
}

// ---------------------------------------------------------------- kind

LayerKind dense_kind() {
  LayerKind kind;
  kind.type = "dense";
  kind.create = construct_layer<Dense>;
  kind.channels = ChannelFlow::weighted;
  kind.width_key = "units";
  kind.takes_activation = true;
  kind.tfjs_classes = {"Dense"};
  kind.output_flat = true;
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    const int units = source.field<int>("units", 0);
    require(units > 0, source.label() + ": \"units\" must be a positive integer");
    target.add({{"type", "dense"}, {"units", units}, {"use_bias", source.field<bool>("use_bias", true)}});
    target.add_activation(source.config.value("activation", nlohmann::json()));
  };
  kind.to_tfjs = [](const nlohmann::json& config) {
    TfjsLayer layer{"Dense", "dense", {}};
    layer.config["units"] = config["units"];
    layer.config["use_bias"] = config.value("use_bias", true);
    return layer;
  };
  kind.arch_tokens = {"dense"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(2, 3, "dense:UNITS[:ACTIVATION]");
    const int units = token.positive_int(1, "UNITS");
    const ArchOptions options = token.options(2, false, true);
    token.add({{"type", "dense"}, {"units", units}});
    token.add_activation(options.activation);
  };
  kind.to_arch = [](const nlohmann::json& config) { return "dense:" + config["units"].dump(); };
  return kind;
}

}  // namespace distillery
