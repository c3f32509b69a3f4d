#pragma once
// QuantizedModel: a model (a chain or a graph) after post-training quantization, with its
// own forward pass. It is a type of its own, not a flag inside the float
// layers: the float layers stay the one training path, and the integer
// path (int8 activations between layers, one requantization per weighted
// layer) lives here, built once from a float Model.
//
//   Tensor calibration = ...;                     // [N, input_shape], preprocessed
//   QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
//   const Tensor& logits = q.forward(batch);      // int8 kernels
//
// reference() is the float model the quantized one stands for: BatchNorm
// folded, every quantized weight replaced by its dequantized value. In the
// weight-only modes it is also what forward() runs (float compute).
//
// Int8 forward, per layer of reference(), each reading the int8 buffers of the
// layers the graph says it reads (a chain: the one before) and writing its own:
//   dense, conv2d   int8 x int8 -> int32 GEMM (kernels/gemm_int8.h), requantized
//                   to the layer's range; a ReLU that is the only reader of its
//                   output is fused (clamp at the output zero point); the last
//                   layer writes float logits instead
//   maxpool2d       on int8 (max commutes with the monotonic quantization)
//   relu            clamp at the zero point
//   flatten, dropout  nothing (same bytes)
//   add             each input's int8 value times (its scale / the output's),
//                   looked up in a 256-entry float table, summed, rounded once
//   concatenate     each input requantized to the output range (a 256-entry table)
//   global_avg_pool2d  int32 sums per channel, requantized once
//   anything else   dequantize, run the float layer, quantize to its output range
// A buffer is reused once no later op reads it, so a chain needs two.
#include <cstdint>
#include <vector>

#include "engine/model/model.h"
#include "engine/quant/quant_math.h"
#include "engine/quant/model_params.h"
#include "engine/quant/quant_mode.h"

namespace distillery {

// What quantization keeps of one layer of reference().
struct LayerQuantization {
  bool has_int8_kernel = false;   // dense/conv2d in the int8 modes
  ChannelQuantized kernel;        // int8 per output channel (last axis)
  bool has_int32_bias = false;    // dense/conv2d with a bias, int8 mode
  std::vector<int32_t> bias;      // value = bias[c] * bias_scales[c]
  std::vector<float> bias_scales; // input scale * kernel scale[c]
};

struct CalibrationInfo {
  CalibrationMethod method = CalibrationMethod::MinMax;
  double percentile = 0;  // with Percentile
  int samples = 0;
};

class QuantizedModel {
 public:
  QuantizedModel() = default;
  QuantizedModel(QuantizedModel&&) = default;
  QuantizedModel& operator=(QuantizedModel&&) = default;

  // Assembles a model from its parts (quantize_model and the file reader both
  // end here): reference's quantized weights are overwritten with the
  // dequantized values of `layers`, and the int8 path is prepared.
  // activations: input range first, then one per layer's output (int8 mode;
  // empty otherwise). Throws Error when the parts do not fit together.
  static QuantizedModel assemble(Model reference, QuantMode mode, std::vector<LayerQuantization> layers,
                                 std::vector<ActivationQuant> activations, CalibrationInfo calibration);

  QuantMode mode() const { return mode_; }
  const Model& reference() const { return reference_; }
  const std::vector<LayerQuantization>& layers() const { return layers_; }
  const std::vector<ActivationQuant>& activations() const { return activations_; }
  const CalibrationInfo& calibration() const { return calibration_; }

  // input: [N, ...input_shape], preprocessed as for reference(). Returns logits.
  const Tensor& forward(const Tensor& input);
  Tensor predict_logits(const Tensor& input, int chunk = 256);

  // Bytes the weights take as stored: int8 kernels plus their scales, int32
  // biases, float16 or float32 for the rest.
  int64_t weight_bytes() const;

 private:
  // One step of the int8 forward.
  struct Op {
    Int8Role kind = Int8Role::identity;  // a merge that gives the logits runs as float_fallback
    int layer = 0;               // of reference()
    std::vector<int> sources;    // buffer slots read, in the layer's input order
    int target = 0;              // buffer slot written
    bool conv = false;           // Gemm over im2col columns
    bool float_output = false;   // the last layer: logits in float
    ActivationQuant in, out;     // in: the first input's range
    std::vector<ActivationQuant> ins;  // every input's range
    // 256 entries per input, indexed by q + 128: Add, the input's value in the
    // output's units (summed, then rounded); Concatenate, the output's q.
    std::vector<float> tables;
    std::vector<int8_t> requantize;
    int k = 0;                       // Gemm: weights per channel as stored, k padded to 8 for conv (zeros)
    std::vector<int8_t> weights;     // Gemm: [channels, k], each channel's k weights contiguous
    std::vector<int32_t> bias;       // Gemm: int32 bias with the input zero point folded in
    std::vector<float> multiplier;   // Gemm: per channel, see Int8Epilogue
    int32_t lo = -128;               // Gemm: clamp floor (the output zero point with a fused ReLU)
  };
  void compile_int8();
  void plan_op(Op& op, bool fused_relu, bool last) const;
  static void plan_gemm(Op& op, const LayerQuantization& q);
  static void plan_merge_tables(Op& op);
  void run_op(const Op& op, int batch, float* logits);
  void run_gemm(const Op& op, const Layer& layer, int batch, const int8_t* in, int8_t* out, float* logits);
  void run_add(const Op& op, int64_t count, int8_t* out) const;
  void run_concatenate(const Op& op, int total_channels, std::vector<int8_t>& out) const;
  void run_global_avg_pool(const Op& op, const Shape& input_shape, int batch, const int8_t* in, int8_t* out,
                           float* logits);
  void run_float_layer(const Op& op, Layer& layer, int batch, int8_t* out, float* logits);

  QuantMode mode_ = QuantMode::Int8;
  Model reference_;
  std::vector<LayerQuantization> layers_;
  std::vector<ActivationQuant> activations_;
  CalibrationInfo calibration_;

  std::vector<Op> ops_;
  // Workspaces, kept across calls.
  std::vector<std::vector<int8_t>> buffers_;  // slot 0 holds the quantized input first
  int output_slot_ = 0;
  std::vector<int8_t> columns_;
  std::vector<int32_t> sums_;
  std::vector<const Tensor*> float_sources_;
  std::vector<Tensor> float_ins_;
  Tensor float_out_, logits_;
};

// Post-training quantization of a model, chain or graph. calibration: [N >= 1,
// ...input_shape] preprocessed inputs (a few hundred training images), used in
// the int8 mode to set each activation's range. Throws Error for a calibration
// set of the wrong shape or bad options.
QuantizedModel quantize_model(const Model& model, const Tensor& calibration, const QuantizeOptions& options);

// Float bytes of a model's weights (the float32 file's payload), to compare with weight_bytes().
int64_t float32_weight_bytes(const Model& model);

}  // namespace distillery
