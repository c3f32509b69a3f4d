#pragma once
// The part of an ONNX ModelProto that Distillery reads and writes, as plain
// C++ values. decode_onnx_model() is the only place that touches protobuf
// bytes on the way in (nanopb, code generated from Debian's onnx.proto) and
// encode_onnx_model() on the way out; import and export work on these structs.
//
// Limits, checked before anything is allocated from a size the file declares:
// the file size, a cheap pre-scan bounding what nanopb will allocate for
// repeated fields, the node and initializer counts, and every tensor's
// declared element count against the bytes it actually holds.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace distillery {

// TensorProto.DataType values Distillery meets.
enum class OnnxDataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kInt32 = 6,
  kInt64 = 7,
  kFloat16 = 10,
  kDouble = 11,
};
// "FLOAT", "INT64", ... ("type 42" for others), for messages.
std::string onnx_data_type_name(int32_t type);
// "[1, 3, 28, 28]", for messages.
std::string onnx_dims_str(const std::vector<int64_t>& dims);

// A tensor's values: float32 (float16 and double are converted) or int64
// (int32 too): the shape constants around Reshape are int64.
struct OnnxTensor {
  std::string name;
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  std::vector<float> floats;  // data_type float, float16 or double
  std::vector<int64_t> ints;  // data_type int64 or int32 (shapes), int8 or uint8 (quantized weights)
  int64_t element_count() const;
};

enum class OnnxAttributeType : int32_t { kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4,
                                         kFloats = 6, kInts = 7, kStrings = 8 };

struct OnnxAttribute {
  std::string name;
  OnnxAttributeType type = OnnxAttributeType::kUndefined;
  float f = 0.0f;
  int64_t i = 0;
  std::string s;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<OnnxTensor> tensors;  // one for kTensor
};

struct OnnxNode {
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<OnnxAttribute> attributes;

  const OnnxAttribute* attribute(const std::string& key) const;
  // "node '/fc1/Gemm' (Gemm)", for messages.
  std::string label() const;
};

// A graph input or output: a float tensor and its dimensions (-1 where the
// dimension is symbolic, e.g. the batch).
struct OnnxValueInfo {
  std::string name;
  int32_t elem_type = 0;
  std::vector<int64_t> dims;
};

struct OnnxGraph {
  std::string name;
  std::string doc_string;
  std::vector<OnnxNode> nodes;
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValueInfo> inputs;
  std::vector<OnnxValueInfo> outputs;
};

struct OnnxModel {
  int64_t ir_version = 0;
  std::vector<std::pair<std::string, int64_t>> opsets;  // domain ("" = ai.onnx), version
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc_string;
  OnnxGraph graph;
  std::vector<std::pair<std::string, std::string>> metadata;  // metadata_props

  // The ai.onnx opset version (0 when absent).
  int64_t onnx_opset() const;
  const std::string* metadata_value(const std::string& key) const;
};

struct OnnxLimits {
  int64_t max_bytes = int64_t(1) << 30;  // a model at Distillery's parameter limit is 256 MB
  int max_nodes = 10000;
  int max_initializers = 10000;
  int64_t max_tensor_elements = int64_t(1) << 26;  // kMaxModelParameters
};

// Throws Error naming the problem: "not an ONNX model: the protobuf is
// truncated or corrupt (end-of-stream)", "initializer 'fc.weight' declares
// 100352 FLOAT values (401408 bytes) but holds 1000 bytes", ...
OnnxModel decode_onnx_model(const std::vector<uint8_t>& bytes, const OnnxLimits& limits = {});

// The protobuf bytes of `model` (float tensors as raw_data, int64 ones as int64_data).
std::vector<uint8_t> encode_onnx_model(const OnnxModel& model);

// True when the bytes start like a serialized ModelProto (field 1 ir_version
// as a varint): cheap sniffing for file pickers and drag-and-drop.
bool looks_like_onnx_model(const std::vector<uint8_t>& bytes);

}  // namespace distillery
