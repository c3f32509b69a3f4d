#pragma once
// Dense: y = x W + b with W in the Keras layout [in, out]. The input must be
// flat (rank 1 per sample); put a Flatten before it for images.
// Inference switches to a CSR kernel once the kernel is pruned past
// sparse_dense_threshold(batch) (kernels/sparse_matmul.h); training stays dense.
#include "engine/kernels/sparse_matmul.h"
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class Dense : public Layer {
 public:
  explicit Dense(const nlohmann::json& config);
  Dense(int units, bool use_bias = true) : units_(units), use_bias_(use_bias) {}

  std::string type() const override { return "dense"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;
  std::vector<ParamSpec> param_specs() const override;
  void bind(const std::vector<float*>& params, const std::vector<float*>& grads) override;
  void initialize(Rng& rng) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
  int64_t flops_per_sample() const override { return 2LL * inputs_ * units_; }

  int units() const { return units_; }
  int inputs() const { return inputs_; }
  bool use_bias() const { return use_bias_; }
  const float* kernel() const { return kernel_; }
  const float* bias() const { return bias_; }

  // The CSR copy of the kernel is built lazily by the first inference forward
  // and dropped by training (forward/backward with training) and initialize().
  // Whoever changes the weights by other means (pruning) calls this.
  void invalidate_sparse_kernel() { sparse_known_ = false; }
  void weights_changed() override { invalidate_sparse_kernel(); }
  // Whether inference on `batch` samples runs through the CSR kernel
  // (measures the kernel's sparsity and builds the CSR copy if needed).
  bool uses_sparse_kernel(int batch = 1);
  const CsrMatrix& sparse_kernel() const { return csr_; }

 private:
  int units_ = 0;
  bool use_bias_ = true;
  int inputs_ = 0;
  float* kernel_ = nullptr;
  float* bias_ = nullptr;
  float* kernel_grad_ = nullptr;
  float* bias_grad_ = nullptr;
  bool sparse_known_ = false;   // kernel_sparsity_ and csr_ describe the current weights
  float kernel_sparsity_ = 0;   // fraction of exact zeros in the kernel
  CsrMatrix csr_;               // empty unless the kernel is sparse enough for some batch size
  std::vector<float> sparse_workspace_;
};

LayerKind dense_kind();

}  // namespace distillery
