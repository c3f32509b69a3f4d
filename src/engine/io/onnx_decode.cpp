// ONNX protobuf bytes -> OnnxModel (see onnx_model.h), with nanopb.
//
// Sections:
//   1. The pre-scan: what nanopb will allocate, bounded before it allocates
//   2. Tensors: declared sizes against the bytes present, then the values
//   3. Nodes, graph, model
#include <pb_common.h>
#include <pb_decode.h>

#include <cstring>

#include "engine/core/error.h"
#include "engine/io/onnx_model.h"
#include "onnx.pb.h"

namespace distillery {
namespace {

// ------------------------------------------------- 1. pre-scan

// nanopb allocates one struct per element of a repeated message field as it
// reads it: 2 bytes of input can become a 100-byte NodeProto. The pre-scan walks
// the message tree with nanopb's own field tables and adds up what decoding
// will allocate, so a file of tiny records fails here, not in malloc.
struct PrescanBudget {
  int64_t used = 0;
  int64_t limit = 0;
  int max_depth = 12;
};

// pb_field_iter_begin reads pointer fields of the message it is given: a zeroed
// buffer larger than any ONNX message struct stands in for one.
alignas(16) const unsigned char kZeroMessage[1024] = {};
static_assert(sizeof(onnx_ModelProto) <= sizeof kZeroMessage && sizeof(onnx_GraphProto) <= sizeof kZeroMessage &&
                  sizeof(onnx_TensorProto) <= sizeof kZeroMessage && sizeof(onnx_NodeProto) <= sizeof kZeroMessage &&
                  sizeof(onnx_AttributeProto) <= sizeof kZeroMessage,
              "the pre-scan's stand-in message is too small");

constexpr int64_t kAllocationOverhead = 16;  // malloc's bookkeeping per block

bool prescan(pb_istream_t* stream, const pb_msgdesc_t* fields, PrescanBudget& budget, int depth) {
  if (depth > budget.max_depth) return false;
  while (stream->bytes_left > 0) {
    pb_wire_type_t wire_type;
    uint32_t tag = 0;
    bool eof = false;
    if (!pb_decode_tag(stream, &wire_type, &tag, &eof)) return false;
    if (eof) break;
    pb_field_iter_t field;
    const bool known = pb_field_iter_begin_const(&field, fields, kZeroMessage) && pb_field_iter_find(&field, tag);
    if (!known || PB_ATYPE(field.type) != PB_ATYPE_POINTER) {
      if (!pb_skip_field(stream, wire_type)) return false;
      continue;
    }
    budget.used += static_cast<int64_t>(field.data_size) + kAllocationOverhead;
    if (wire_type == PB_WT_STRING) {
      pb_istream_t sub;
      if (!pb_make_string_substream(stream, &sub)) return false;
      const int64_t length = static_cast<int64_t>(sub.bytes_left);
      const pb_type_t ltype = PB_LTYPE(field.type);
      if (PB_LTYPE_IS_SUBMSG(field.type)) {
        if (!prescan(&sub, field.submsg_desc, budget, depth + 1)) return false;
      } else if (ltype == PB_LTYPE_FIXED32 || ltype == PB_LTYPE_FIXED64 || ltype == PB_LTYPE_BYTES ||
                 ltype == PB_LTYPE_STRING) {
        budget.used += length;  // at most as many bytes as the input holds
      } else {
        budget.used += length * static_cast<int64_t>(field.data_size);  // packed varints: >= 1 byte each
      }
      if (!pb_close_string_substream(stream, &sub)) return false;
    } else if (!pb_skip_field(stream, wire_type)) {
      return false;
    }
    if (budget.used > budget.limit) return false;
  }
  return true;
}

// ------------------------------------------------- 2. tensors

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// A decoded enum field as its wire value: nanopb stores whatever number the
// file holds, and reading an out-of-range value as the C enum is undefined
// behaviour in C++ (found by fuzz_onnx).
template <typename E>
int32_t enum_value(const E* field, int32_t fallback) {
  static_assert(sizeof(E) == sizeof(int32_t), "nanopb enums are stored as 32-bit ints");
  if (!field) return fallback;
  int32_t v;
  std::memcpy(&v, field, sizeof v);
  return v;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalise
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

size_t element_bytes(int32_t type) {
  switch (static_cast<OnnxDataType>(type)) {
    case OnnxDataType::kFloat:
    case OnnxDataType::kInt32:
      return 4;
    case OnnxDataType::kInt64:
    case OnnxDataType::kDouble:
      return 8;
    case OnnxDataType::kFloat16:
      return 2;
    case OnnxDataType::kInt8:
    case OnnxDataType::kUint8:
      return 1;
    default:
      return 0;
  }
}

// Raw little-endian values (ONNX mandates little-endian; so are x86, ARM and WebAssembly).
template <typename T>
T raw_at(const uint8_t* bytes, int64_t k) {
  T v;
  std::memcpy(&v, bytes + k * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

// A typed field's value count must be the declared element count.
void require_count(int64_t count, int64_t n, const std::string& what, const char* field) {
  require(count == n, what + " declares " + std::to_string(n) + " values but its " + field + " holds " +
                          std::to_string(count));
}

void read_values(const onnx_TensorProto& t, OnnxTensor& out, const std::string& what, int64_t n) {
  const OnnxDataType type = static_cast<OnnxDataType>(out.data_type);
  const pb_bytes_array_t* raw = t.raw_data;
  const bool to_float = type == OnnxDataType::kFloat || type == OnnxDataType::kFloat16 || type == OnnxDataType::kDouble;
  if (raw) {
    const int64_t declared = n * static_cast<int64_t>(element_bytes(out.data_type));
    require(static_cast<int64_t>(raw->size) == declared,
            what + " declares " + std::to_string(n) + " " + onnx_data_type_name(out.data_type) + " values (" +
                std::to_string(declared) + " bytes) but holds " + std::to_string(raw->size) + " bytes");
  } else {
    switch (type) {
      case OnnxDataType::kFloat: require_count(t.float_data_count, n, what, "float_data"); break;
      case OnnxDataType::kFloat16:
      case OnnxDataType::kInt8:
      case OnnxDataType::kUint8:
      case OnnxDataType::kInt32: require_count(t.int32_data_count, n, what, "int32_data"); break;
      case OnnxDataType::kInt64: require_count(t.int64_data_count, n, what, "int64_data"); break;
      case OnnxDataType::kDouble: require_count(t.double_data_count, n, what, "double_data"); break;
      default: break;
    }
  }
  // Only now, with the count matching the bytes present, is anything allocated.
  if (to_float) out.floats.resize(static_cast<size_t>(n));
  else out.ints.resize(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    const uint8_t* b = raw ? raw->bytes : nullptr;
    switch (type) {
      case OnnxDataType::kFloat: out.floats[k] = b ? raw_at<float>(b, k) : t.float_data[k]; break;
      case OnnxDataType::kFloat16:
        out.floats[k] = half_to_float(b ? raw_at<uint16_t>(b, k) : static_cast<uint16_t>(t.int32_data[k]));
        break;
      case OnnxDataType::kDouble: out.floats[k] = static_cast<float>(b ? raw_at<double>(b, k) : t.double_data[k]); break;
      case OnnxDataType::kInt64: out.ints[k] = b ? raw_at<int64_t>(b, k) : t.int64_data[k]; break;
      case OnnxDataType::kInt32: out.ints[k] = b ? raw_at<int32_t>(b, k) : t.int32_data[k]; break;
      case OnnxDataType::kInt8: out.ints[k] = b ? raw_at<int8_t>(b, k) : t.int32_data[k]; break;
      case OnnxDataType::kUint8: out.ints[k] = b ? raw_at<uint8_t>(b, k) : t.int32_data[k]; break;
      default: break;
    }
  }
}

OnnxTensor read_tensor(const onnx_TensorProto& t, const std::string& role, const OnnxLimits& limits) {
  OnnxTensor out;
  out.name = str(t.name);
  const std::string what = role + " '" + out.name + "'";
  require(enum_value(t.data_location, 0) != onnx_TensorProto_DataLocation_EXTERNAL,
          what + " keeps its values in an external file; save the model with its weights inside "
                 "(torch.onnx.export does unless the model is over 2 GB)");
  out.data_type = t.data_type ? *t.data_type : 0;
  require(element_bytes(out.data_type) != 0,
          what + " has data type " + onnx_data_type_name(out.data_type) +
              ": Distillery reads FLOAT, FLOAT16 and DOUBLE weights, INT8 and UINT8 ones behind a "
              "DequantizeLinear, and INT64/INT32 shapes");
  int64_t n = 1;
  for (pb_size_t k = 0; k < t.dims_count; ++k) {
    const int64_t d = t.dims[k];
    require(d >= 0 && (d == 0 || n <= limits.max_tensor_elements / d),
            what + " has dimension " + std::to_string(d) + ": negative or over the limit of " +
                std::to_string(limits.max_tensor_elements) + " values");
    n *= d;
    out.dims.push_back(d);
  }
  read_values(t, out, what, n);
  return out;
}

// ------------------------------------------------- 3. nodes, graph, model

std::vector<std::string> strings(char** items, pb_size_t count) {
  std::vector<std::string> out;
  for (pb_size_t k = 0; k < count; ++k) out.push_back(str(items[k]));
  return out;
}

OnnxAttribute read_attribute(const onnx_AttributeProto& a, const std::string& node, const OnnxLimits& limits) {
  OnnxAttribute out;
  out.name = str(a.name);
  out.type = static_cast<OnnxAttributeType>(enum_value(a.type, 0));
  if (a.f) out.f = *a.f;
  if (a.i) out.i = *a.i;
  if (a.s) out.s.assign(reinterpret_cast<const char*>(a.s->bytes), a.s->size);
  out.floats.assign(a.floats, a.floats + a.floats_count);
  out.ints.assign(a.ints, a.ints + a.ints_count);
  if (a.t) out.tensors.push_back(read_tensor(*a.t, node + " attribute '" + out.name + "' tensor", limits));
  return out;
}

OnnxNode read_node(const onnx_NodeProto& n, const OnnxLimits& limits) {
  OnnxNode out;
  out.name = str(n.name);
  out.op_type = str(n.op_type);
  out.domain = str(n.domain);
  out.inputs = strings(n.input, n.input_count);
  out.outputs = strings(n.output, n.output_count);
  for (pb_size_t k = 0; k < n.attribute_count; ++k)
    out.attributes.push_back(read_attribute(n.attribute[k], out.label(), limits));
  return out;
}

OnnxValueInfo read_value_info(const onnx_ValueInfoProto& v) {
  OnnxValueInfo out;
  out.name = str(v.name);
  if (!v.type || v.type->which_value != onnx_TypeProto_tensor_type_tag || !v.type->value.tensor_type) return out;
  const onnx_TypeProto_Tensor& t = *v.type->value.tensor_type;
  out.elem_type = t.elem_type ? *t.elem_type : 0;
  if (!t.shape) return out;
  for (pb_size_t k = 0; k < t.shape->dim_count; ++k) {
    const onnx_TensorShapeProto_Dimension& d = t.shape->dim[k];
    const bool fixed = d.which_value == onnx_TensorShapeProto_Dimension_dim_value_tag && d.value.dim_value;
    out.dims.push_back(fixed ? *d.value.dim_value : -1);
  }
  return out;
}

OnnxGraph read_graph(const onnx_GraphProto& g, const OnnxLimits& limits) {
  require(static_cast<int64_t>(g.node_count) <= limits.max_nodes,
          "the graph has " + std::to_string(g.node_count) + " nodes, over the limit of " +
              std::to_string(limits.max_nodes));
  require(static_cast<int64_t>(g.initializer_count) <= limits.max_initializers,
          "the graph has " + std::to_string(g.initializer_count) + " initializers, over the limit of " +
              std::to_string(limits.max_initializers));
  OnnxGraph out;
  out.name = str(g.name);
  out.doc_string = str(g.doc_string);
  for (pb_size_t k = 0; k < g.node_count; ++k) out.nodes.push_back(read_node(g.node[k], limits));
  for (pb_size_t k = 0; k < g.initializer_count; ++k)
    out.initializers.push_back(read_tensor(g.initializer[k], "initializer", limits));
  for (pb_size_t k = 0; k < g.input_count; ++k) out.inputs.push_back(read_value_info(g.input[k]));
  for (pb_size_t k = 0; k < g.output_count; ++k) out.outputs.push_back(read_value_info(g.output[k]));
  return out;
}

// Frees what nanopb allocated, however decoding ends.
struct ReleaseGuard {
  onnx_ModelProto* message;
  ~ReleaseGuard() { pb_release(onnx_ModelProto_fields, message); }
};

}  // namespace

bool looks_like_onnx_model(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x08 && bytes[1] > 0 && bytes[1] < 32;  // ir_version 1..31
}

OnnxModel decode_onnx_model(const std::vector<uint8_t>& bytes, const OnnxLimits& limits) {
  require(static_cast<int64_t>(bytes.size()) <= limits.max_bytes,
          "the ONNX file is " + std::to_string(bytes.size()) + " bytes, over the limit of " +
              std::to_string(limits.max_bytes) + " bytes");
  require(!bytes.empty(), "the ONNX file is empty");
  PrescanBudget budget;
  budget.limit = 2 * static_cast<int64_t>(bytes.size()) + (int64_t(64) << 20);
  pb_istream_t scan = pb_istream_from_buffer(bytes.data(), bytes.size());
  const bool scanned = prescan(&scan, onnx_ModelProto_fields, budget, 0);  // before the message reads budget
  require(scanned,
          budget.used > budget.limit
              ? "the ONNX file holds too many small records to decode (" + std::to_string(budget.used >> 20) +
                    " MB of structures): not a model Distillery can read"
              : std::string("not an ONNX model: the protobuf is truncated or corrupt (") + PB_GET_ERROR(&scan) + ")");

  onnx_ModelProto message = onnx_ModelProto_init_zero;
  ReleaseGuard guard{&message};
  pb_istream_t stream = pb_istream_from_buffer(bytes.data(), bytes.size());
  require(pb_decode(&stream, onnx_ModelProto_fields, &message),
          std::string("not an ONNX model: the protobuf is truncated or corrupt (") + PB_GET_ERROR(&stream) + ")");
  require(message.graph != nullptr, "not an ONNX model: it has no graph");

  OnnxModel model;
  model.ir_version = message.ir_version ? *message.ir_version : 0;
  for (pb_size_t k = 0; k < message.opset_import_count; ++k) {
    const onnx_OperatorSetIdProto& o = message.opset_import[k];
    model.opsets.emplace_back(str(o.domain), o.version ? *o.version : 0);
  }
  model.producer_name = str(message.producer_name);
  model.producer_version = str(message.producer_version);
  model.domain = str(message.domain);
  model.model_version = message.model_version ? *message.model_version : 0;
  model.doc_string = str(message.doc_string);
  for (pb_size_t k = 0; k < message.metadata_props_count; ++k)
    model.metadata.emplace_back(str(message.metadata_props[k].key), str(message.metadata_props[k].value));
  model.graph = read_graph(*message.graph, limits);
  return model;
}

}  // namespace distillery
