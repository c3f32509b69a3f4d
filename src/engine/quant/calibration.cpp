#include "engine/quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/core/error.h"
#include "engine/quant/model_params.h"

namespace distillery {
namespace {

// Percentiles are taken over at most this many values per activation (every
// stride-th one): 500 images of a 26x26x8 convolution are 2.7 million.
constexpr int64_t kPercentileSampleCap = 1 << 20;

struct RangeCollector {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  std::vector<float> samples;
  int64_t stride = 1;

  void add(const Tensor& t, bool keep_samples) {
    for (int64_t i = 0; i < t.size(); ++i) {
      min = std::min(min, t[i]);
      max = std::max(max, t[i]);
    }
    if (keep_samples)
      for (int64_t i = 0; i < t.size(); i += stride) samples.push_back(t[i]);
  }

  ActivationQuant range(const QuantizeOptions& options) {
    if (options.calibration == CalibrationMethod::MinMax || samples.empty())
      return activation_quant_from_range(min, max);
    auto at = [&](double fraction) {
      const size_t k = std::min(samples.size() - 1, size_t(fraction * double(samples.size() - 1) + 0.5));
      std::nth_element(samples.begin(), samples.begin() + long(k), samples.end());
      return samples[k];
    };
    const float hi = at(options.percentile / 100.0), lo = at(1.0 - options.percentile / 100.0);
    return activation_quant_from_range(lo, hi);
  }
};

// Every stride-th value of an activation keeps the percentile's sample under
// the cap. The stride shares no factor with the channel count: a stride of 2
// over 8 channels would only ever see the even channels (and clip the odd
// ones: 8 points of accuracy lost on a CNN before this rule).
int64_t sample_stride(int samples, const Shape& per_sample) {
  int64_t stride = std::max<int64_t>(1, int64_t(samples) * per_sample.size() / kPercentileSampleCap);
  const int64_t channels = per_sample.dims.back();
  while (std::gcd(stride, channels) != 1) ++stride;
  return stride;
}

}  // namespace

bool relu_fuses_into_previous(const Model& model, int layer) {
  if (int8_role(model.layer(layer)) != Int8Role::relu) return false;
  const int source = model.graph().inputs[size_t(layer)][0];
  return source != LayerGraph::kModelInput && has_quantizable_kernel(model.layer(source)) &&
         model.graph().sole_reader(source) == layer;
}

int fused_relu_of(const Model& model, int layer) {
  if (!has_quantizable_kernel(model.layer(layer))) return -1;
  const int reader = model.graph().sole_reader(layer);
  return reader >= 0 && int8_role(model.layer(reader)) == Int8Role::relu ? reader : -1;
}

bool keeps_input_range(const Model& model, int layer) {
  const Int8Role role = int8_role(model.layer(layer));
  return role == Int8Role::max_pool || role == Int8Role::identity ||
         (role == Int8Role::relu && !relu_fuses_into_previous(model, layer));
}

std::vector<ActivationQuant> calibrate_activations(Model& model, const Tensor& inputs, const QuantizeOptions& options) {
  validate(options);
  const Shape& want = model.input_shape();
  require(inputs.shape().rank() == want.rank() + 1 && inputs.shape().without_batch() == want,
          "the calibration set has samples of shape " +
              (inputs.shape().rank() ? inputs.shape().without_batch().str() : std::string("[]")) +
              " but the model takes " + want.str());
  require(inputs.rows() >= 1, "the calibration set is empty");

  const int layers = model.num_layers();
  const LayerGraph& graph = model.graph();
  std::vector<RangeCollector> collectors(size_t(layers) + 1);
  const bool keep = options.calibration == CalibrationMethod::Percentile;
  // A graph keeps every output of a chunk until its last reader has run: smaller chunks.
  const int chunk = model.is_chain() ? 128 : 32;
  const std::vector<int> readers = graph.consumer_counts();
  std::vector<int> reads_left;
  std::vector<Tensor> outputs(static_cast<size_t>(layers));
  std::vector<const Tensor*> sources;
  Tensor batch;
  for (int begin = 0; begin < inputs.rows(); begin += chunk) {
    const int count = std::min(chunk, inputs.rows() - begin);
    batch.resize(want.with_batch(count));
    std::copy(inputs.data() + int64_t(begin) * inputs.row_size(),
              inputs.data() + int64_t(begin + count) * inputs.row_size(), batch.data());
    if (begin == 0 && keep) {
      collectors[0].stride = sample_stride(inputs.rows(), want);
      for (int i = 0; i < layers; ++i)
        collectors[size_t(i) + 1].stride = sample_stride(inputs.rows(), model.layer(i).output_shape());
    }
    collectors[0].add(batch, keep);
    reads_left = readers;
    for (int i = 0; i < layers; ++i) {
      sources.clear();
      for (int s : graph.inputs[size_t(i)]) sources.push_back(s == LayerGraph::kModelInput ? &batch : &outputs[size_t(s)]);
      model.layer(i).forward_inputs(sources, outputs[size_t(i)], false);
      collectors[size_t(i) + 1].add(outputs[size_t(i)], keep);
      for (int s : graph.inputs[size_t(i)])
        if (s != LayerGraph::kModelInput && --reads_left[size_t(s)] == 0) outputs[size_t(s)] = Tensor();
    }
  }

  std::vector<ActivationQuant> ranges;
  for (RangeCollector& c : collectors) ranges.push_back(c.range(options));
  for (int i = 0; i < layers; ++i) {
    const int relu = fused_relu_of(model, i);
    if (relu >= 0) ranges[size_t(i) + 1] = ranges[size_t(relu) + 1];
    const int source = graph.inputs[size_t(i)][0];
    if (keeps_input_range(model, i)) ranges[size_t(i) + 1] = ranges[size_t(source) + 1];  // kModelInput + 1 = 0
  }
  return ranges;
}

}  // namespace distillery
