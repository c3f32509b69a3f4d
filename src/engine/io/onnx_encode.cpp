// OnnxModel -> ONNX protobuf bytes (see onnx_model.h), with nanopb: the
// structs nanopb encodes point into an arena that lives for one call.
#include <pb_encode.h>

#include <cstring>
#include <memory>

#include "engine/core/error.h"
#include "engine/io/onnx_model.h"
#include "engine/quant/quant_math.h"
#include "onnx.pb.h"

namespace distillery {
namespace {

// Zeroed blocks (a zeroed nanopb pointer-field struct is an empty message).
class Arena {
 public:
  template <typename T>
  T* array(size_t n) {
    if (n == 0) return nullptr;
    blocks_.emplace_back(new uint8_t[n * sizeof(T)]());
    return reinterpret_cast<T*>(blocks_.back().get());
  }
  template <typename T>
  T* value(T v) {
    T* p = array<T>(1);
    *p = v;
    return p;
  }
  // Absent (nullptr) when empty: proto2 optional strings.
  char* text(const std::string& s) {
    if (s.empty()) return nullptr;
    char* p = array<char>(s.size() + 1);
    std::memcpy(p, s.data(), s.size());
    return p;
  }
  pb_bytes_array_t* bytes(const void* data, size_t n) {
    auto* p = reinterpret_cast<pb_bytes_array_t*>(array<uint8_t>(PB_BYTES_ARRAY_T_ALLOCSIZE(n)));
    p->size = static_cast<pb_size_t>(n);
    if (n) std::memcpy(p->bytes, data, n);
    return p;
  }
  char** texts(const std::vector<std::string>& items, pb_size_t& count) {
    count = static_cast<pb_size_t>(items.size());
    char** out = array<char*>(items.size());
    for (size_t k = 0; k < items.size(); ++k) out[k] = text(items[k]);
    return out;
  }

 private:
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
};

// A repeated message field: count, array, and each element written by `write`.
template <typename In, typename Out, typename Write>
Out* write_list(const std::vector<In>& items, pb_size_t& count, Arena& arena, Write write) {
  count = static_cast<pb_size_t>(items.size());
  Out* out = arena.array<Out>(items.size());
  for (size_t k = 0; k < items.size(); ++k) write(items[k], out[k], arena);
  return out;
}

void write_tensor(const OnnxTensor& t, onnx_TensorProto& out, Arena& arena) {
  out.name = arena.text(t.name);
  out.dims_count = static_cast<pb_size_t>(t.dims.size());
  out.dims = arena.array<int64_t>(t.dims.size());
  std::copy(t.dims.begin(), t.dims.end(), out.dims);
  out.data_type = arena.value<int32_t>(t.data_type);
  const OnnxDataType type = static_cast<OnnxDataType>(t.data_type);
  if (type == OnnxDataType::kFloat) {
    out.raw_data = arena.bytes(t.floats.data(), t.floats.size() * sizeof(float));  // little-endian hosts only
  } else if (type == OnnxDataType::kFloat16) {
    std::vector<uint16_t> halves(t.floats.size());
    for (size_t k = 0; k < halves.size(); ++k) halves[k] = float_to_half(t.floats[k]);
    out.raw_data = arena.bytes(halves.data(), halves.size() * sizeof(uint16_t));
  } else if (type == OnnxDataType::kInt8) {
    std::vector<int8_t> bytes(t.ints.begin(), t.ints.end());
    out.raw_data = arena.bytes(bytes.data(), bytes.size());
  } else {
    out.int64_data_count = static_cast<pb_size_t>(t.ints.size());
    out.int64_data = arena.array<int64_t>(t.ints.size());
    std::copy(t.ints.begin(), t.ints.end(), out.int64_data);
  }
}

void write_attribute(const OnnxAttribute& a, onnx_AttributeProto& out, Arena& arena) {
  out.name = arena.text(a.name);
  out.type = arena.value(static_cast<onnx_AttributeProto_AttributeType>(a.type));
  switch (a.type) {
    case OnnxAttributeType::kFloat: out.f = arena.value(a.f); break;
    case OnnxAttributeType::kInt: out.i = arena.value(a.i); break;
    case OnnxAttributeType::kString: out.s = arena.bytes(a.s.data(), a.s.size()); break;
    case OnnxAttributeType::kFloats:
      out.floats_count = static_cast<pb_size_t>(a.floats.size());
      out.floats = arena.array<float>(a.floats.size());
      std::copy(a.floats.begin(), a.floats.end(), out.floats);
      break;
    case OnnxAttributeType::kInts:
      out.ints_count = static_cast<pb_size_t>(a.ints.size());
      out.ints = arena.array<int64_t>(a.ints.size());
      std::copy(a.ints.begin(), a.ints.end(), out.ints);
      break;
    case OnnxAttributeType::kTensor:
      require(a.tensors.size() == 1, "attribute '" + a.name + "' needs one tensor");
      out.t = arena.array<onnx_TensorProto>(1);
      write_tensor(a.tensors[0], *out.t, arena);
      break;
    default: throw Error("attribute '" + a.name + "': this type is not written");
  }
}

void write_node(const OnnxNode& n, onnx_NodeProto& out, Arena& arena) {
  out.name = arena.text(n.name);
  out.op_type = arena.text(n.op_type);
  out.domain = arena.text(n.domain);
  out.input = arena.texts(n.inputs, out.input_count);
  out.output = arena.texts(n.outputs, out.output_count);
  out.attribute =
      write_list<OnnxAttribute, onnx_AttributeProto>(n.attributes, out.attribute_count, arena, write_attribute);
}

// A float tensor value: its element type and dimensions (-1 becomes the symbolic "batch").
void write_value_info(const OnnxValueInfo& v, onnx_ValueInfoProto& out, Arena& arena) {
  out.name = arena.text(v.name);
  out.type = arena.array<onnx_TypeProto>(1);
  out.type->which_value = onnx_TypeProto_tensor_type_tag;
  onnx_TypeProto_Tensor* t = arena.array<onnx_TypeProto_Tensor>(1);
  out.type->value.tensor_type = t;
  t->elem_type = arena.value<int32_t>(v.elem_type);
  t->shape = arena.array<onnx_TensorShapeProto>(1);
  t->shape->dim_count = static_cast<pb_size_t>(v.dims.size());
  t->shape->dim = arena.array<onnx_TensorShapeProto_Dimension>(v.dims.size());
  for (size_t k = 0; k < v.dims.size(); ++k) {
    onnx_TensorShapeProto_Dimension& d = t->shape->dim[k];
    if (v.dims[k] >= 0) {
      d.which_value = onnx_TensorShapeProto_Dimension_dim_value_tag;
      d.value.dim_value = arena.value<int64_t>(v.dims[k]);
    } else {
      d.which_value = onnx_TensorShapeProto_Dimension_dim_param_tag;
      d.value.dim_param = arena.text("batch");
    }
  }
}

void write_graph(const OnnxGraph& g, onnx_GraphProto& out, Arena& arena) {
  out.name = arena.text(g.name);
  out.doc_string = arena.text(g.doc_string);
  out.node = write_list<OnnxNode, onnx_NodeProto>(g.nodes, out.node_count, arena, write_node);
  out.initializer = write_list<OnnxTensor, onnx_TensorProto>(g.initializers, out.initializer_count, arena, write_tensor);
  out.input = write_list<OnnxValueInfo, onnx_ValueInfoProto>(g.inputs, out.input_count, arena, write_value_info);
  out.output = write_list<OnnxValueInfo, onnx_ValueInfoProto>(g.outputs, out.output_count, arena, write_value_info);
}

}  // namespace

std::vector<uint8_t> encode_onnx_model(const OnnxModel& model) {
  Arena arena;
  onnx_ModelProto message = onnx_ModelProto_init_zero;
  message.ir_version = arena.value<int64_t>(model.ir_version);
  message.opset_import_count = static_cast<pb_size_t>(model.opsets.size());
  message.opset_import = arena.array<onnx_OperatorSetIdProto>(model.opsets.size());
  for (size_t k = 0; k < model.opsets.size(); ++k) {
    message.opset_import[k].domain = arena.text(model.opsets[k].first);
    message.opset_import[k].version = arena.value<int64_t>(model.opsets[k].second);
  }
  message.producer_name = arena.text(model.producer_name);
  message.producer_version = arena.text(model.producer_version);
  message.domain = arena.text(model.domain);
  message.model_version = arena.value<int64_t>(model.model_version);
  message.doc_string = arena.text(model.doc_string);
  message.graph = arena.array<onnx_GraphProto>(1);
  write_graph(model.graph, *message.graph, arena);
  message.metadata_props_count = static_cast<pb_size_t>(model.metadata.size());
  message.metadata_props = arena.array<onnx_StringStringEntryProto>(model.metadata.size());
  for (size_t k = 0; k < model.metadata.size(); ++k) {
    message.metadata_props[k].key = arena.text(model.metadata[k].first);
    message.metadata_props[k].value = arena.text(model.metadata[k].second);
  }

  size_t size = 0;
  require(pb_get_encoded_size(&size, onnx_ModelProto_fields, &message), "ONNX export: the model could not be sized");
  std::vector<uint8_t> bytes(size);
  pb_ostream_t stream = pb_ostream_from_buffer(bytes.data(), bytes.size());
  require(pb_encode(&stream, onnx_ModelProto_fields, &message),
          std::string("ONNX export: encoding failed (") + PB_GET_ERROR(&stream) + ")");
  return bytes;
}

}  // namespace distillery
