#pragma once
// TensorFlow.js's own weight quantization: how a weight is stored in a
// weight shard and what its manifest entry's "quantization" says, both ways.
// tf.loadLayersModel dequantizes these to float32 when it loads
// (tfjs-core src/io/io_utils.ts, decodeWeight); tensorflowjs_converter
// --quantize_uint8 / --quantize_float16 writes them.
//
//   "quantization": {"dtype": "uint8",  "scale": s, "min": m}   value = q * s + m, q in 0..255
//   "quantization": {"dtype": "uint16", "scale": s, "min": m}   value = q * s + m, q in 0..65535
//   "quantization": {"dtype": "float16"}                        IEEE binary16, little-endian
//
// One affine range per tensor. TF.js computes q * s + m in double precision
// (JavaScript numbers) and stores the result as float32; decode_tfjs_values
// does exactly that, so Distillery reads the same float32 values TF.js does.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/name_table.h"

namespace distillery {

// How an exported weight is stored: plain float32, or one of TF.js's quantized forms.
enum class TfjsWeightDtype { Float32, Uint8, Uint16, Float16 };

const NameTable<TfjsWeightDtype>& tfjs_weight_dtype_names();
const char* tfjs_weight_dtype_name(TfjsWeightDtype dtype);
// Bytes each value takes in the shard.
int tfjs_weight_bytes_per_value(TfjsWeightDtype dtype);

// The affine grid value = q * scale + min, q in 0..levels-1.
struct TfjsAffineRange {
  double scale = 1.0;
  double min = 0.0;
};

// The grid for `values` with q in 0..qmax. It covers [lo, hi] of the values,
// so nothing is clipped and every value is within scale / 2 of a grid point;
// when lo <= 0 <= hi, 0.0 is a grid point exactly (min = -z * scale for an
// integer z), so pruned weights and zero biases stay exactly 0. A tensor of
// one value gets scale 1 and min = that value (exact), as TF.js's converter
// does. Values must be finite.
TfjsAffineRange choose_tfjs_affine_range(const float* values, size_t count, int qmax);

// One weight as stored: its shard bytes, and the "quantization" object for its
// manifest entry (null for float32). `label` names the weight in errors, e.g.
// a value beyond float16's range (65504).
struct TfjsEncodedWeight {
  std::vector<uint8_t> bytes;
  nlohmann::ordered_json quantization;
};
TfjsEncodedWeight encode_tfjs_weight(const float* values, size_t count, TfjsWeightDtype dtype,
                                     const std::string& label);

// The storage dtype a manifest entry's "quantization" object names, checked:
// a known dtype, and for uint8/uint16 a "scale" that is a positive finite
// number and a finite "min". Throws Error starting with `label`.
TfjsWeightDtype read_tfjs_quantization(const nlohmann::json& quantization, const std::string& label);

// The float32 values of `count` stored values of `dtype` (quantization as
// checked by read_tfjs_quantization; ignored for float32 and float16).
std::vector<float> decode_tfjs_values(const uint8_t* bytes, size_t count, TfjsWeightDtype dtype,
                                      const nlohmann::json& quantization);

}  // namespace distillery
