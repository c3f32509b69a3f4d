// Sections:
//   1. quantize_model: fold, calibrate, quantize the weights
//   2. assemble: check the parts, write the dequantized weights, plan the int8 ops
//   3. the int8 forward
#include "engine/quant/quantized_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/error.h"
#include "engine/quant/model_params.h"
#include "engine/kernels/gemm_int8.h"
#include "engine/kernels/im2col_int8.h"
#include "engine/layers/conv2d.h"
#include "engine/layers/pooling2d.h"
#include "engine/quant/calibration.h"
#include "engine/quant/fold_batch_norm.h"

namespace distillery {
namespace {

std::string label(const Model& model, int layer) {
  return "layer " + std::to_string(layer) + " (" + model.layer(layer).type() + ")";
}

// Output channels of a Dense or Conv2D: the kernel's last axis.
int channels_of(const ParamRef& kernel) { return kernel.spec.shape.dims.back(); }

int32_t round_to_int32(double v) {
  return int32_t(std::clamp(std::llrint(v), (long long)std::numeric_limits<int32_t>::min(),
                            (long long)std::numeric_limits<int32_t>::max()));
}

bool positive_finite(float v) { return std::isfinite(v) && v > 0.0f; }

// The activation range index of layer i's (first) input: 0 for the model input, s + 1 for layer s.
size_t input_range_of(const Model& model, int i) { return size_t(model.graph().inputs[size_t(i)][0] + 1); }

// Layers whose weights have no int8 form yet: a depthwise conv's [kh, kw, C, 1]
// kernel would need its own per-channel int8 kernel, so rather than keep it
// float inside a model that says int8, the int8 modes refuse it by name.
void refuse_layers_without_int8(const Model& model, QuantMode mode) {
  if (mode == QuantMode::Float16) return;
  for (int i = 0; i < model.num_layers(); ++i)
    require(model.layer(i).type() != "depthwise_conv2d",
            std::string(quant_mode_name(mode)) + " quantization: " + label(model, i) +
                " has no int8 form yet; quantize this model with the float16 mode");
}

}  // namespace

// ------------------------------------------------------- 1. quantize_model

QuantizedModel quantize_model(const Model& model, const Tensor& calibration, const QuantizeOptions& options) {
  validate(options);
  refuse_layers_without_int8(model, options.mode);
  const bool int8 = options.mode == QuantMode::Int8;
  Model reference = int8 ? fold_batch_norms(model) : model.clone();
  std::vector<ActivationQuant> activations;
  CalibrationInfo info;
  if (int8) {
    activations = calibrate_activations(reference, calibration, options);
    info.method = options.calibration;
    info.percentile = options.calibration == CalibrationMethod::Percentile ? options.percentile : 0.0;
    info.samples = calibration.rows();
  }

  std::vector<LayerQuantization> layers(size_t(reference.num_layers()));
  if (options.mode != QuantMode::Float16) {
    const ParamStore& params = reference.params();
    for (int i = 0; i < reference.num_layers(); ++i) {
      if (!has_quantizable_kernel(reference.layer(i))) continue;
      LayerQuantization& q = layers[size_t(i)];
      const ParamRef* kernel = find_param(reference, i, "kernel");
      q.has_int8_kernel = true;
      q.kernel = quantize_per_channel(params.values.data() + kernel->offset, kernel->size(), channels_of(*kernel));
      const ParamRef* bias = find_param(reference, i, "bias");
      if (!int8 || !bias) continue;
      q.has_int32_bias = true;
      const float input_scale = activations[input_range_of(reference, i)].scale;
      for (int c = 0; c < channels_of(*kernel); ++c) {
        const float scale = input_scale * q.kernel.scales[size_t(c)];
        q.bias_scales.push_back(scale);
        q.bias.push_back(round_to_int32(double(params.values[size_t(bias->offset + c)]) / double(scale)));
      }
    }
  }
  return QuantizedModel::assemble(std::move(reference), options.mode, std::move(layers), std::move(activations), info);
}

int64_t float32_weight_bytes(const Model& model) { return model.parameter_count() * 4; }

// ------------------------------------------------------- 2. assemble

QuantizedModel QuantizedModel::assemble(Model reference, QuantMode mode, std::vector<LayerQuantization> layers,
                                        std::vector<ActivationQuant> activations, CalibrationInfo calibration) {
  const int n = reference.num_layers();
  refuse_layers_without_int8(reference, mode);  // a quantized file may name one too
  require(int(layers.size()) == n, "the quantization lists " + std::to_string(layers.size()) +
                                       " layers but the model has " + std::to_string(n));
  if (mode == QuantMode::Int8) {
    require(int(activations.size()) == n + 1, "an int8 model needs " + std::to_string(n + 1) +
                                                  " activation ranges (the input and one per layer), got " +
                                                  std::to_string(activations.size()));
    for (size_t i = 0; i < activations.size(); ++i)
      require(positive_finite(activations[i].scale),
              "activation range " + std::to_string(i) + " has scale " + std::to_string(activations[i].scale) +
                  ": a scale must be positive and finite");
  }
  ParamStore& params = reference.params();
  for (int i = 0; i < n; ++i) {
    LayerQuantization& q = layers[size_t(i)];
    const std::string where = label(reference, i);
    const bool weighted = has_quantizable_kernel(reference.layer(i));
    require(!q.has_int8_kernel || (weighted && mode != QuantMode::Float16),
            where + ": only dense and conv2d kernels are int8, and not in the float16 mode");
    require(!q.has_int32_bias || (q.has_int8_kernel && mode == QuantMode::Int8),
            where + ": an int32 bias needs an int8 kernel in the int8 mode");
    require(!(mode != QuantMode::Float16 && weighted && !q.has_int8_kernel), where + ": the int8 kernel is missing");
    if (q.has_int8_kernel) {
      const ParamRef* kernel = find_param(reference, i, "kernel");
      const int channels = channels_of(*kernel);
      require(int64_t(q.kernel.values.size()) == kernel->size(),
              where + ": the int8 kernel holds " + std::to_string(q.kernel.values.size()) + " values but shape " +
                  kernel->spec.shape.str() + " needs " + std::to_string(kernel->size()));
      require(int(q.kernel.scales.size()) == channels, where + ": the kernel has " +
                                                           std::to_string(q.kernel.scales.size()) +
                                                           " scales but " + std::to_string(channels) + " channels");
      for (size_t c = 0; c < q.kernel.scales.size(); ++c)
        require(positive_finite(q.kernel.scales[c]), where + ": kernel scale " + std::to_string(c) + " is " +
                                                         std::to_string(q.kernel.scales[c]) +
                                                         ": a scale must be positive and finite");
      dequantize_per_channel(q.kernel, channels, params.values.data() + kernel->offset);
      // A pruned weight is int8 0, hence 0.0; one the mask says is pruned must be.
      for (int64_t k = 0; k < kernel->size(); ++k)
        if (params.masks[size_t(kernel->offset + k)] == 0.0f)
          require(q.kernel.values[size_t(k)] == 0, where + ": kernel value " + std::to_string(k) +
                                                       " is pruned by the mask but not 0");
    }
    const ParamRef* bias = find_param(reference, i, "bias");
    require(!q.has_int32_bias || bias, where + ": an int32 bias is given but the layer has no bias");
    if (q.has_int32_bias) {
      const int channels = int(bias->size());
      require(int(q.bias.size()) == channels && int(q.bias_scales.size()) == channels,
              where + ": the int32 bias needs " + std::to_string(channels) + " values and scales, got " +
                  std::to_string(q.bias.size()) + " and " + std::to_string(q.bias_scales.size()));
      const float input_scale = activations[input_range_of(reference, i)].scale;
      for (int c = 0; c < channels; ++c) {
        const float expected = input_scale * q.kernel.scales[size_t(c)];
        require(std::fabs(q.bias_scales[size_t(c)] - expected) <= 1e-5f * expected,
                where + ": bias scale " + std::to_string(c) + " is " + std::to_string(q.bias_scales[size_t(c)]) +
                    " but the input scale times the kernel scale is " + std::to_string(expected));
        params.values[size_t(bias->offset + c)] = float(double(q.bias[size_t(c)]) * double(q.bias_scales[size_t(c)]));
      }
    }
  }
  if (mode == QuantMode::Float16)
    for (float& v : params.values) v = round_to_half(v);

  QuantizedModel out;
  out.mode_ = mode;
  out.reference_ = std::move(reference);
  out.layers_ = std::move(layers);
  out.activations_ = std::move(activations);
  out.calibration_ = calibration;
  if (mode == QuantMode::Int8) out.compile_int8();
  return out;
}

namespace {

// Where each layer's int8 output lives. Value v: 0 the model input, i + 1 the
// output of layer i. A fused ReLU's kernel writes the ReLU's value, so the
// ReLU's readers find it there and the ReLU itself runs no op.
struct ValueFlow {
  std::vector<int> writes;       // [n + 1]: the value layer i's op writes is writes[i + 1]
  std::vector<bool> fused_away;  // [n]: a ReLU folded into the kernel before it
  std::vector<int> last_reader;  // [n + 1]: the op reading each value last, to hand its buffer on
  int read(int source) const { return source == LayerGraph::kModelInput ? 0 : writes[size_t(source) + 1]; }
};

ValueFlow value_flow(const Model& model) {
  const int n = model.num_layers();
  ValueFlow flow;
  flow.writes.resize(size_t(n) + 1);
  for (int v = 0; v <= n; ++v) flow.writes[size_t(v)] = v;
  flow.fused_away.assign(size_t(n), false);
  for (int i = 0; i < n; ++i) {
    const int relu = fused_relu_of(model, i);
    if (relu < 0) continue;
    flow.fused_away[size_t(relu)] = true;
    flow.writes[size_t(i) + 1] = relu + 1;
  }
  flow.last_reader.assign(size_t(n) + 1, -1);
  for (int i = 0; i < n; ++i)
    if (!flow.fused_away[size_t(i)])
      for (int s : model.graph().inputs[size_t(i)]) flow.last_reader[size_t(flow.read(s))] = i;
  return flow;
}

}  // namespace

void QuantizedModel::compile_int8() {
  const int n = reference_.num_layers();
  const LayerGraph& graph = reference_.graph();
  const ValueFlow flow = value_flow(reference_);
  // Buffer slots: a value's slot is free again once its last reader has run.
  std::vector<int> slot_of(size_t(n) + 1, -1);
  std::vector<int> free_slots;
  int slots = 1;
  slot_of[0] = 0;
  for (int i = 0; i < n; ++i) {
    if (flow.fused_away[size_t(i)]) continue;
    Op op;
    op.layer = i;
    for (int s : graph.inputs[size_t(i)]) {
      op.sources.push_back(slot_of[size_t(flow.read(s))]);
      op.ins.push_back(activations_[size_t(flow.read(s))]);
    }
    op.in = op.ins[0];
    const int target = flow.writes[size_t(i) + 1];
    op.out = activations_[size_t(target)];
    if (free_slots.empty()) {
      op.target = slots++;
    } else {
      op.target = free_slots.back();
      free_slots.pop_back();
    }
    slot_of[size_t(target)] = op.target;
    for (int s : graph.inputs[size_t(i)]) {
      const size_t value = size_t(flow.read(s));
      if (flow.last_reader[value] == i && slot_of[value] != op.target) {
        free_slots.push_back(slot_of[value]);
        slot_of[value] = op.target;  // freed once (a layer may read one value twice)
      }
    }
    plan_op(op, /*fused_relu=*/target != i + 1, /*last=*/target == n);
    ops_.push_back(std::move(op));
  }
  buffers_.assign(size_t(slots), {});
  output_slot_ = ops_.back().target;
}

void QuantizedModel::plan_op(Op& op, bool fused_relu, bool last) const {
  const Layer& layer = reference_.layer(op.layer);
  op.kind = int8_role(layer);
  // Float logits out of a merge: the float layer writes them.
  if ((op.kind == Int8Role::add || op.kind == Int8Role::concatenate) && last) op.kind = Int8Role::float_fallback;
  switch (op.kind) {
    case Int8Role::kernel:
      op.conv = dynamic_cast<const Conv2D*>(&layer) != nullptr;
      op.float_output = !fused_relu && last;
      plan_gemm(op, layers_[size_t(op.layer)]);
      op.lo = fused_relu ? op.out.zero_point : -128;
      break;
    case Int8Role::add:
    case Int8Role::concatenate:
      plan_merge_tables(op);
      break;
    case Int8Role::global_avg_pool:
    case Int8Role::float_fallback:
      op.float_output = last;
      break;
    case Int8Role::max_pool:
    case Int8Role::relu:
    case Int8Role::identity:
      break;
  }
}

// The weights transposed to [channels, k], the input zero point folded into
// the int32 bias, and each channel's requantization multiplier.
void QuantizedModel::plan_gemm(Op& op, const LayerQuantization& q) {
  const int channels = int(q.kernel.scales.size());
  const int k = int(q.kernel.values.size() / size_t(channels));
  // Convolutions have short patches (9 for a 3x3 on gray): padded to the
  // SIMD step of 8 with zero weights, im2col's padded rows need no scalar tail.
  op.k = op.conv ? (k + 7) / 8 * 8 : k;
  op.weights.assign(size_t(channels) * size_t(op.k), 0);
  op.bias.assign(size_t(channels), 0);
  op.multiplier.resize(size_t(channels));
  for (int j = 0; j < channels; ++j) {
    int32_t sum = 0;
    for (int p = 0; p < k; ++p) {
      const int8_t w = q.kernel.values[size_t(p) * size_t(channels) + size_t(j)];
      op.weights[size_t(j) * size_t(op.k) + size_t(p)] = w;
      sum += w;
    }
    op.bias[size_t(j)] = (q.has_int32_bias ? q.bias[size_t(j)] : 0) - op.in.zero_point * sum;
    const float product = op.in.scale * q.kernel.scales[size_t(j)];
    op.multiplier[size_t(j)] = op.float_output ? product : product / op.out.scale;
  }
}

// Input k's value q stands for scale_k * (q - zp_k): in the output's units
// that is a float the add sums and the concatenation rounds.
void QuantizedModel::plan_merge_tables(Op& op) {
  for (const ActivationQuant& a : op.ins)
    for (int q = -128; q <= 127; ++q) {
      const float in_output_units = float(q - a.zero_point) * (a.scale / op.out.scale);
      if (op.kind == Int8Role::add)
        op.tables.push_back(in_output_units);
      else
        op.requantize.push_back(int8_t(std::clamp(std::lrint(in_output_units + float(op.out.zero_point)), -128L, 127L)));
    }
}

// ------------------------------------------------------- 3. the int8 forward

namespace {

// Samples per im2col chunk, keeping the int8 column matrix near 1 MB.
int conv_chunk(const WindowGeometry& g, int batch) {
  const int64_t per_sample = std::max<int64_t>(1, g.positions() * g.patch_size());
  return int(std::clamp<int64_t>((int64_t(1) << 20) / per_sample, 1, batch));
}

void max_pool_int8(const int8_t* in, int batch, const WindowGeometry& g, int8_t* out) {
  const int c = g.channels;
  for (int s = 0; s < batch; ++s) {
    const int8_t* image = in + int64_t(s) * g.image_size();
    for (int oy = 0; oy < g.out_h; ++oy) {
      const int y0 = std::max(0, oy * g.stride_h - g.pad_top), y1 = std::min(g.in_h, oy * g.stride_h - g.pad_top + g.window_h);
      for (int ox = 0; ox < g.out_w; ++ox, out += c) {
        const int x0 = std::max(0, ox * g.stride_w - g.pad_left),
                  x1 = std::min(g.in_w, ox * g.stride_w - g.pad_left + g.window_w);
        std::fill(out, out + c, int8_t(-128));
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) {
            const int8_t* pixel = image + (int64_t(y) * g.in_w + x) * c;
            for (int ch = 0; ch < c; ++ch) out[ch] = std::max(out[ch], pixel[ch]);
          }
      }
    }
  }
}

}  // namespace

void QuantizedModel::run_op(const Op& op, int batch, float* logits) {
  Layer& layer = reference_.layer(op.layer);
  const std::vector<int8_t>& in = buffers_[size_t(op.sources[0])];
  std::vector<int8_t>& out = buffers_[size_t(op.target)];
  const int64_t out_size = layer.output_shape().size();
  if (!op.float_output) out.resize(size_t(batch * out_size));
  switch (op.kind) {
    case Int8Role::kernel:
      run_gemm(op, layer, batch, in.data(), out.data(), logits);
      break;
    case Int8Role::max_pool:
      max_pool_int8(in.data(), batch, static_cast<const Pooling2D&>(layer).geometry(), out.data());
      break;
    case Int8Role::relu: {
      const int8_t floor = int8_t(op.in.zero_point);
      for (size_t i = 0; i < out.size(); ++i) out[i] = std::max(in[i], floor);
      break;
    }
    case Int8Role::identity:
      std::copy(in.begin(), in.begin() + long(out.size()), out.begin());
      break;
    case Int8Role::add:
      run_add(op, int64_t(out.size()), out.data());
      break;
    case Int8Role::concatenate:
      run_concatenate(op, layer.output_shape().dims.back(), out);
      break;
    case Int8Role::global_avg_pool:
      run_global_avg_pool(op, layer.input_shape(), batch, in.data(), out.data(), logits);
      break;
    case Int8Role::float_fallback:
      run_float_layer(op, layer, batch, out.data(), logits);
      break;
  }
}

void QuantizedModel::run_gemm(const Op& op, const Layer& layer, int batch, const int8_t* in, int8_t* out,
                              float* logits) {
  Int8Epilogue e;
  e.bias = op.bias.data();
  e.multiplier = op.multiplier.data();
  e.output_zero_point = op.out.zero_point;
  e.lo = op.lo;
  const int channels = int(op.bias.size());
  const int k = op.k;
  auto gemm = [&](int m, const int8_t* a, int64_t out_row) {
    if (op.float_output)
      gemm_s8_dequantize(m, channels, k, a, k, op.weights.data(), k, e, logits + out_row * channels, channels);
    else
      gemm_s8_requantize(m, channels, k, a, k, op.weights.data(), k, e, out + out_row * channels, channels);
  };
  if (!op.conv) {
    gemm(batch, in, 0);
    return;
  }
  const WindowGeometry& g = static_cast<const Conv2D&>(layer).geometry();
  const int chunk = conv_chunk(g, batch);
  columns_.resize(size_t(int64_t(chunk) * g.positions() * k));
  for (int s = 0; s < batch; s += chunk) {
    const int count = std::min(chunk, batch - s);
    im2col_int8(in + int64_t(s) * g.image_size(), count, g, int8_t(op.in.zero_point), k, columns_.data());
    gemm(int(count * g.positions()), columns_.data(), int64_t(s) * g.positions());
  }
}

// One rounding of the sum of the inputs in the output's units. Two inputs
// (every residual block) in one tight loop; more go through the general one.
void QuantizedModel::run_add(const Op& op, int64_t count, int8_t* y) const {
  const float zero_point = float(op.out.zero_point);
  const float* ta = op.tables.data();
  const float* tb = ta + 256;
  const int8_t* a = buffers_[size_t(op.sources[0])].data();
  const int8_t* b = buffers_[size_t(op.sources[1])].data();
  if (op.sources.size() == 2) {
    for (int64_t e = 0; e < count; ++e) {
      const float sum = zero_point + ta[a[e] + 128] + tb[b[e] + 128];
      y[e] = int8_t(std::clamp(std::nearbyint(sum), -128.0f, 127.0f));
    }
    return;
  }
  for (int64_t e = 0; e < count; ++e) {
    float sum = zero_point + ta[a[e] + 128] + tb[b[e] + 128];
    for (size_t k = 2; k < op.sources.size(); ++k)
      sum += op.tables[k * 256 + size_t(buffers_[size_t(op.sources[k])][size_t(e)] + 128)];
    y[e] = int8_t(std::clamp(std::nearbyint(sum), -128.0f, 127.0f));
  }
}

void QuantizedModel::run_concatenate(const Op& op, int total_channels, std::vector<int8_t>& out) const {
  const int64_t rows = int64_t(out.size()) / total_channels;
  int offset = 0;
  for (size_t k = 0; k < op.sources.size(); ++k) {
    const std::vector<int8_t>& part = buffers_[size_t(op.sources[k])];
    const int width = int(int64_t(part.size()) / rows);
    const int8_t* table = op.requantize.data() + k * 256;
    for (int64_t r = 0; r < rows; ++r)
      for (int c = 0; c < width; ++c) out[size_t(r * total_channels + offset + c)] = table[part[size_t(r * width + c)] + 128];
    offset += width;
  }
}

// The int32 sum of each channel; its mean in the output's units is
// (sum - positions * zp_in) * scale_in / (positions * scale_out).
void QuantizedModel::run_global_avg_pool(const Op& op, const Shape& input_shape, int batch, const int8_t* in,
                                         int8_t* out, float* logits) {
  const int channels = input_shape.dims.back();
  const int64_t positions = input_shape.size() / channels;
  sums_.assign(size_t(channels), 0);
  const double to_float = double(op.in.scale) / double(positions);
  for (int s = 0; s < batch; ++s) {
    std::fill(sums_.begin(), sums_.end(), 0);
    const int8_t* image = in + int64_t(s) * positions * channels;
    for (int64_t p = 0; p < positions; ++p)
      for (int c = 0; c < channels; ++c) sums_[size_t(c)] += image[p * channels + c];
    for (int c = 0; c < channels; ++c) {
      const double mean = double(sums_[size_t(c)] - int64_t(positions) * op.in.zero_point) * to_float;
      if (op.float_output)
        logits[int64_t(s) * channels + c] = float(mean);
      else
        out[int64_t(s) * channels + c] =
            int8_t(std::clamp(std::llrint(mean / double(op.out.scale)) + op.out.zero_point, -128LL, 127LL));
    }
  }
}

// A layer without an int8 kernel: each input dequantized (one, or several for
// a layer that joins branches), the float forward, the output quantized.
void QuantizedModel::run_float_layer(const Op& op, Layer& layer, int batch, int8_t* out, float* logits) {
  const std::vector<int>& inputs = reference_.graph().inputs[size_t(op.layer)];
  float_ins_.resize(op.sources.size());
  float_sources_.clear();
  for (size_t k = 0; k < op.sources.size(); ++k) {
    const Shape& shape = inputs[k] == LayerGraph::kModelInput ? reference_.input_shape()
                                                              : reference_.layer(inputs[k]).output_shape();
    float_ins_[k].resize(shape.with_batch(batch));
    dequantize_activations(buffers_[size_t(op.sources[k])].data(), float_ins_[k].size(), op.ins[k],
                           float_ins_[k].data());
    float_sources_.push_back(&float_ins_[k]);
  }
  layer.forward_inputs(float_sources_, float_out_, false);
  if (op.float_output)
    std::copy(float_out_.data(), float_out_.data() + float_out_.size(), logits);
  else
    quantize_activations(float_out_.data(), float_out_.size(), op.out, out);
}

const Tensor& QuantizedModel::forward(const Tensor& input) {
  const Shape& want = reference_.input_shape();
  if (input.shape().rank() != want.rank() + 1 || input.shape().without_batch() != want)
    throw Error("the quantized model expects input " + want.str() + " per sample but got " +
                (input.shape().rank() ? input.shape().without_batch().str() : std::string("[]")));
  if (mode_ != QuantMode::Int8) return reference_.forward(input, false);

  const int batch = input.rows();
  logits_.resize(reference_.output_shape().with_batch(batch));
  buffers_[0].resize(size_t(input.size()));
  quantize_activations(input.data(), input.size(), activations_[0], buffers_[0].data());
  for (const Op& op : ops_) run_op(op, batch, logits_.data());
  const Op& last = ops_.back();
  if (!last.float_output)
    dequantize_activations(buffers_[size_t(output_slot_)].data(), logits_.size(), last.out, logits_.data());
  return logits_;
}

Tensor QuantizedModel::predict_logits(const Tensor& input, int chunk) {
  const int n = input.rows();
  Tensor out(reference_.output_shape().with_batch(n));
  Tensor part;
  for (int begin = 0; begin < n; begin += chunk) {
    const int count = std::min(chunk, n - begin);
    part.resize(reference_.input_shape().with_batch(count));
    std::copy(input.data() + int64_t(begin) * input.row_size(), input.data() + int64_t(begin + count) * input.row_size(),
              part.data());
    const Tensor& logits = forward(part);
    std::copy(logits.data(), logits.data() + logits.size(), out.data() + int64_t(begin) * out.row_size());
  }
  return out;
}

int64_t QuantizedModel::weight_bytes() const {
  int64_t bytes = 0;
  for (int i = 0; i < reference_.num_layers(); ++i) {
    const LayerQuantization& q = layers_[size_t(i)];
    for (int r : reference_.param_refs_of_layer(i)) {
      const ParamRef& ref = reference_.params().refs[size_t(r)];
      if (q.has_int8_kernel && ref.spec.name == "kernel")
        bytes += ref.size() + 4 * int64_t(q.kernel.scales.size());
      else if (q.has_int32_bias && ref.spec.name == "bias")
        bytes += 8 * ref.size();  // value and scale
      else
        bytes += (mode_ == QuantMode::Float16 ? 2 : 4) * ref.size();
    }
  }
  return bytes;
}

}  // namespace distillery
