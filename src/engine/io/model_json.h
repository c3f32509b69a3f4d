#pragma once
// The Distillery model file: one JSON document, versioned and self-describing
// (schema in docs/MODEL_FORMAT.md). It takes and returns text, not paths: the
// browser has no disk (src/native/model_files.h reads and writes files).
//
//   std::string text = save_model_json(model, {WeightsEncoding::kBase64, 2});
//   Model again = load_model_json(text);   // bit-identical weights and masks
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/name_table.h"
#include "engine/model/model.h"

namespace distillery {

constexpr const char* kModelFormatName = "distillery-model";
// The newest version this build reads. Float chain models are still written
// as version 1 (their form has not changed, so older builds keep reading them);
// quantized ones (typed tensors, a "quantization" section) as version 2.
constexpr int kModelFormatVersion = 4;
constexpr int kFloatModelFormatVersion = 1;
// Graph models (layers with "name" and "inputs", model/layer_graph.h): an
// older build would read their layers as a chain, so they say they are newer.
constexpr int kGraphModelFormatVersion = 3;
// Pruned models in base64: masks as bits and only the kept weights stored
// (TensorDtype::Bit, "sparse" tensors), which an older build cannot read.
constexpr int kSparseModelFormatVersion = 4;

// How a model file stores its weight values; the names are the CLI's
// --weights-encoding values.
enum class WeightsEncoding {
  kArray,   // "array": plain JSON numbers (readable, diffable)
  kBase64,  // "base64": little-endian bytes in base64 (float32: about 3x smaller);
            // a pruned tensor keeps only its kept weights and a mask of bits
};
// Throws "unknown weights encoding 'x' (use array or base64)" from parse.
const NameTable<WeightsEncoding>& weights_encoding_names();

struct ModelJsonOptions {
  WeightsEncoding weights_encoding = WeightsEncoding::kArray;
  // Spaces per level; < 0 writes one compact line.
  int indent = 2;
};

// Throws Error for weights that are NaN or infinite (naming the layer and tensor).
std::string save_model_json(const Model& model, const ModelJsonOptions& options = {});

// Parses and validates a model file: format name, version, known layer types,
// shapes, weight lengths, masks, class names. Every Error names the layer
// index/type and the field at fault, e.g.
//   layer 2 (dense): weights.kernel has shape [3, 4] but the layer needs [784, 128]
// A quantized file loads here too, as the float model it stands for (every
// tensor dequantized); engine/quant/quantized_json.h loads it as quantized.
Model load_model_json(const std::string& text);

// --- Typed tensors (version 2) ---------------------------------------------
// A weight tensor entry may carry "dtype": float32 (the default), float16, or
// int8 / int32 with "scales", one per channel of the last axis:
// value = integer * scales[index % channels]; or bit (0 or 1, eight to a
// base64 byte, lowest bit first), which masks use (version 4).
enum class TensorDtype { Float32, Float16, Int8, Int32, Bit };
const NameTable<TensorDtype>& tensor_dtype_names();
inline const char* tensor_dtype_name(TensorDtype dtype) { return tensor_dtype_names().name(dtype); }

struct StoredTensor {
  TensorDtype dtype = TensorDtype::Float32;
  Shape shape;
  std::vector<float> values;      // dequantized, every dtype
  std::vector<int32_t> integers;  // int8, int32: as stored
  std::vector<float> scales;      // int8, int32
};

// Decodes and checks an entry against the shape the layer needs. Errors name
// `where` and the problem: a value table of the wrong length, an integer out
// of its type's range, a scale that is 0, negative or NaN, a count of scales
// that is not the channel count.
// A "sparse" entry (version 4) stores values only where `mask` (the tensor's
// mask, expected.size() values of 0 or 1) is 1, in index order; the others
// are 0. It is an error without a mask. Where a mask is given, a dense entry's
// values under its 0s are read and checked, then set to 0 as well.
StoredTensor decode_stored_tensor(const nlohmann::json& entry, const Shape& expected, const std::string& where,
                                  const float* mask = nullptr);
// The entry for t (values for float32 and float16, integers and scales otherwise);
// base64 stores float16 as 2 bytes, int8 as 1, int32 as 4, little-endian, bits
// eight to a byte. With `mask`, only the values where it is 1 ("sparse").
nlohmann::ordered_json encode_stored_tensor(const StoredTensor& t, WeightsEncoding encoding,
                                            const float* mask = nullptr);

}  // namespace distillery
