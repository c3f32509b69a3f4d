#include "engine/model/model_limits.h"

#include "engine/core/error.h"
#include "engine/layers/layer.h"

namespace distillery {

int64_t capped_elements(const Shape& shape, int64_t cap) {
  int64_t n = 1;
  for (int d : shape.dims) {
    if (d <= 0) return 0;
    if (n > cap / d) return cap + 1;
    n *= d;
  }
  return n;
}

void check_model_input_limits(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.rank() <= 3,
          "the model input must have 1 to 3 dimensions, got " + input_shape.str());
  require(capped_elements(input_shape, kMaxSampleActivations) <= kMaxSampleActivations,
          "the model input " + input_shape.str() + " is over the limit of " + std::to_string(kMaxSampleActivations) +
              " values per sample");
}

void check_model_layer_count(int count) {
  require(count <= kMaxModelLayers, "the model has " + std::to_string(count) + " layers, over the limit of " +
                                        std::to_string(kMaxModelLayers));
}

void check_layer_limits(const Layer& layer, const Shape& output_shape, int64_t& total_parameters) {
  require(capped_elements(output_shape, kMaxSampleActivations) <= kMaxSampleActivations,
          "its output " + output_shape.str() + " is over the limit of " + std::to_string(kMaxSampleActivations) +
              " values per sample");
  for (const ParamSpec& spec : layer.param_specs()) {
    const int64_t remaining = kMaxModelParameters - total_parameters;
    const int64_t count = capped_elements(spec.shape, remaining);
    require(count <= remaining, "weights." + spec.name + " " + spec.shape.str() +
                                    " takes the model over the limit of " + std::to_string(kMaxModelParameters) +
                                    " parameters");
    total_parameters += count;
    // A convolution kernel [kh, kw, in, out] unrolls kh*kw*in values per output position (im2col).
    if (spec.shape.rank() == 4 && output_shape.rank() == 3) {
      const Shape patches{output_shape[0], output_shape[1], spec.shape[0], spec.shape[1], spec.shape[2]};
      require(capped_elements(patches, kMaxSampleActivations) <= kMaxSampleActivations,
              "its " + std::to_string(spec.shape[0]) + "x" + std::to_string(spec.shape[1]) + " kernel over " +
                  std::to_string(output_shape[0]) + "x" + std::to_string(output_shape[1]) + " outputs needs more than " +
                  std::to_string(kMaxSampleActivations) + " unrolled values per sample");
    }
  }
}

}  // namespace distillery
