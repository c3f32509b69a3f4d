// Small lookups on the ONNX structs (see onnx_model.h).
#include "engine/io/onnx_model.h"

namespace distillery {

std::string onnx_data_type_name(int32_t type) {
  switch (static_cast<OnnxDataType>(type)) {
    case OnnxDataType::kUndefined: return "UNDEFINED";
    case OnnxDataType::kFloat: return "FLOAT";
    case OnnxDataType::kUint8: return "UINT8";
    case OnnxDataType::kInt8: return "INT8";
    case OnnxDataType::kInt32: return "INT32";
    case OnnxDataType::kInt64: return "INT64";
    case OnnxDataType::kFloat16: return "FLOAT16";
    case OnnxDataType::kDouble: return "DOUBLE";
  }
  return "type " + std::to_string(type);
}

std::string onnx_dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

int64_t OnnxTensor::element_count() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

const OnnxAttribute* OnnxNode::attribute(const std::string& key) const {
  for (const OnnxAttribute& a : attributes)
    if (a.name == key) return &a;
  return nullptr;
}

std::string OnnxNode::label() const {
  return "node '" + (name.empty() ? (outputs.empty() ? std::string("?") : outputs[0]) : name) + "' (" + op_type + ")";
}

int64_t OnnxModel::onnx_opset() const {
  for (const auto& [domain, version] : opsets)
    if (domain.empty() || domain == "ai.onnx") return version;
  return 0;
}

const std::string* OnnxModel::metadata_value(const std::string& key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace distillery
