// Model file reading and writing.
//
// Sections:
//   1. Tensor encoding (shape + data array or base64) in both directions,
//      typed tensors (float16, int8 and int32 with scales) of quantized files
//   2. save_model_json
//   3. load_model_json: document header, layers, weights and masks, metadata
#include "engine/io/json_text.h"
#include "engine/io/model_json.h"
#include "engine/io/model_document.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "engine/core/error.h"
#include "engine/io/base64.h"
#include "engine/io/float_text.h"
#include "engine/io/json_writer.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/model_limits.h"
#include "engine/quant/quant_math.h"

namespace distillery {
namespace {

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

// ---------------------------------------------------------------- 1. tensors

OrderedJson encode_tensor(const float* values, const Shape& shape, WeightsEncoding encoding, bool is_mask) {
  OrderedJson entry;
  entry["shape"] = shape.dims;
  const size_t n = static_cast<size_t>(shape.size());
  if (encoding == WeightsEncoding::kBase64) {
    entry["base64"] = floats_to_base64(values, n);
    return entry;
  }
  OrderedJson::array_t data;
  data.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (is_mask)
      data.emplace_back(values[i] == 0.0f ? 0 : 1);
    else
      data.emplace_back(float_to_json_double(values[i]));
  }
  entry["data"] = std::move(data);
  return entry;
}

std::string type_name_of(const Json& value) { return value.type_name(); }

Shape read_shape(const Json& value, const std::string& where) {
  require(value.is_array(), where + " must be an array of positive integers");
  Shape shape;
  for (const auto& d : value) {
    require(d.is_number_integer() && d.get<int64_t>() > 0 && d.get<int64_t>() <= (1 << 24),
            where + " must be an array of positive integers, got " + value.dump());
    shape.dims.push_back(d.get<int>());
  }
  return shape;
}

std::vector<float> decode_tensor(const Json& entry, const Shape& expected, const std::string& where) {
  return decode_stored_tensor(entry, expected, where).values;
}

std::string layer_label(int index, const std::string& type) {
  return "layer " + std::to_string(index) + " (" + type + ")";
}

TensorDtype read_dtype(const Json& entry, const std::string& where) {
  if (!entry.contains("dtype")) return TensorDtype::Float32;
  const Json& v = entry["dtype"];
  const NameTable<TensorDtype>& table = tensor_dtype_names();
  if (v.is_string() && table.contains(v.get<std::string>())) return table.parse(v.get<std::string>());
  // The file's value as JSON (it may be a number) after the field's path, which the table's own message lacks.
  std::string names;
  for (const std::string& name : table.names()) names += (names.empty() ? "" : ", ") + name;
  throw Error(where + ".dtype is " + v.dump() + " (use " + names + ")");
}

size_t dtype_bytes(TensorDtype dtype) {
  switch (dtype) {
    case TensorDtype::Float16: return 2;
    case TensorDtype::Int8: return 1;
    default: return 4;
  }
}

std::vector<float> read_scales(const Json& entry, size_t channels, const std::string& where) {
  require(entry.contains("scales") && entry["scales"].is_array(), where + ".scales is missing or not an array");
  const Json& scales = entry["scales"];
  require(scales.size() == channels, where + ".scales has " + std::to_string(scales.size()) +
                                         " values but the tensor has " + std::to_string(channels) +
                                         " channels (its last axis)");
  std::vector<float> out;
  for (size_t c = 0; c < channels; ++c) {
    const Json& v = scales[c];
    const float f = v.is_number() ? static_cast<float>(v.get<double>()) : NAN;
    require(std::isfinite(f) && f > 0.0f, where + ".scales[" + std::to_string(c) + "] is " + v.dump() +
                                              ": a scale must be a positive, finite number");
    out.push_back(f);
  }
  return out;
}

// The stored numbers as doubles (from "data") or raw little-endian bytes (from "base64").
// `needs` says where n comes from: "shape [3, 4] needs 12", "its mask keeps 5".
std::vector<double> read_numbers(const Json& entry, TensorDtype dtype, size_t n, const std::string& where,
                                 const std::string& needs) {
  std::vector<double> out;
  const bool has_data = entry.contains("data");
  const bool has_base64 = entry.contains("base64");
  require(has_data != has_base64, where + " needs exactly one of \"data\" and \"base64\"");
  if (has_data) {
    const Json& data = entry["data"];
    require(data.is_array(), where + ".data must be an array of numbers, got " + type_name_of(data));
    require(data.size() == n, where + ".data has " + std::to_string(data.size()) + " values but " + needs);
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const Json& v = data[i];
      require(v.is_number(), where + ".data[" + std::to_string(i) + "] is " + type_name_of(v) + ", not a number");
      out.push_back(v.get<double>());
    }
    return out;
  }
  require(entry["base64"].is_string(), where + ".base64 must be a string");
  std::vector<uint8_t> bytes;
  try {
    bytes = base64_decode(entry["base64"].get<std::string>());
  } catch (const Error& e) {
    throw Error(where + ".base64: " + e.what());
  }
  if (dtype == TensorDtype::Bit) {
    const size_t expected = (n + 7) / 8;
    require(bytes.size() == expected, where + ".base64 holds " + std::to_string(bytes.size()) + " bytes but " +
                                          needs + " bits, " + std::to_string(expected) + " bytes");
    out.resize(n);
    for (size_t i = 0; i < n; ++i) out[i] = (bytes[i / 8] >> (i % 8)) & 1;
    // Bits past the last value are 0, so that a file has one spelling (and saves back bit for bit).
    require(n % 8 == 0 || (bytes.back() >> (n % 8)) == 0, where + ".base64 has bits set past its last value");
    return out;
  }
  const size_t width = dtype_bytes(dtype);
  require(bytes.size() % width == 0, where + ".base64: base64 data holds " + std::to_string(bytes.size()) +
                                         " bytes, not a whole number of " + tensor_dtype_name(dtype) + " values");
  require(bytes.size() == n * width,
          where + ".base64 holds " + std::to_string(bytes.size() / width) + " values but " + needs);
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* b = bytes.data() + i * width;
    switch (dtype) {
      case TensorDtype::Float32: {
        const uint32_t u = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
        float f;
        std::memcpy(&f, &u, 4);
        out[i] = f;
        break;
      }
      case TensorDtype::Float16: out[i] = half_to_float(uint16_t(b[0] | b[1] << 8)); break;
      case TensorDtype::Int8: out[i] = int8_t(b[0]); break;
      case TensorDtype::Int32:
        out[i] = int32_t(uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24);
        break;
      case TensorDtype::Bit: break;  // above
    }
  }
  return out;
}

}  // namespace

const NameTable<TensorDtype>& tensor_dtype_names() {
  static const NameTable<TensorDtype> table("tensor dtype", {{TensorDtype::Float32, "float32"},
                                                             {TensorDtype::Float16, "float16"},
                                                             {TensorDtype::Int8, "int8"},
                                                             {TensorDtype::Int32, "int32"},
                                                             {TensorDtype::Bit, "bit"}});
  return table;
}

StoredTensor decode_stored_tensor(const Json& entry, const Shape& expected, const std::string& where,
                                  const float* mask) {
  require(entry.is_object(), where + " must be an object with \"shape\" and \"data\" or \"base64\"");
  require(entry.contains("shape"), where + ".shape is missing");
  StoredTensor t;
  t.shape = read_shape(entry["shape"], where + ".shape");
  require(t.shape == expected, where + " has shape " + t.shape.str() + " but the layer needs " + expected.str());
  t.dtype = read_dtype(entry, where);
  const size_t n = static_cast<size_t>(expected.size());
  const bool integer = t.dtype == TensorDtype::Int8 || t.dtype == TensorDtype::Int32;
  if (integer) t.scales = read_scales(entry, size_t(expected.dims.back()), where);
  std::vector<double> numbers;
  if (entry.contains("sparse")) {
    require(entry["sparse"] == true, where + ".sparse is " + entry["sparse"].dump() + ": it is true when present");
    require(mask != nullptr, where + " is sparse (values only where its mask keeps them) but it has no mask");
    const size_t kept = size_t(std::count(mask, mask + n, 1.0f));
    const std::vector<double> stored = read_numbers(entry, t.dtype, kept, where, "its mask keeps " + std::to_string(kept));
    numbers.assign(n, 0.0);
    for (size_t i = 0, j = 0; i < n; ++i)
      if (mask[i] == 1.0f) numbers[i] = stored[j++];
  } else {
    numbers = read_numbers(entry, t.dtype, n, where, "shape " + t.shape.str() + " needs " + std::to_string(n));
  }
  const std::string table = entry.contains("base64") ? ".base64" : ".data";
  t.values.resize(n);
  if (integer) {
    const double lo = t.dtype == TensorDtype::Int8 ? -128.0 : -2147483648.0;
    const double hi = t.dtype == TensorDtype::Int8 ? 127.0 : 2147483647.0;
    t.integers.resize(n);
    const size_t channels = t.scales.size();
    for (size_t i = 0; i < n; ++i) {
      const double v = numbers[i];
      require(v == std::floor(v) && v >= lo && v <= hi, where + table + "[" + std::to_string(i) + "] = " +
                                                            Json(v).dump() + " is not an " +
                                                            tensor_dtype_name(t.dtype) + " value");
      t.integers[i] = int32_t(v);
      const float scale = t.scales[i % channels];
      // The formulas of quant_math's dequantize_per_channel and the int32 bias: bit for bit.
      t.values[i] = t.dtype == TensorDtype::Int8 ? float(t.integers[i]) * scale : float(v * double(scale));
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      float f = static_cast<float>(numbers[i]);
      if (t.dtype == TensorDtype::Bit)
        require(f == 0.0f || f == 1.0f, where + table + "[" + std::to_string(i) + "] = " + Json(numbers[i]).dump() +
                                            " is not a bit (0 or 1)");
      if (t.dtype == TensorDtype::Float16) f = round_to_half(f);
      // A model holding NaN or infinity would load but never save again.
      if (table == ".base64")
        require(std::isfinite(f), where + ".base64 value " + std::to_string(i) + " is NaN or infinite");
      else
        require(std::isfinite(f), where + ".data[" + std::to_string(i) + "] = " + Json(numbers[i]).dump() +
                                      " is outside the " + tensor_dtype_name(t.dtype) + " range");
      t.values[i] = f;
    }
  }
  // A pruned weight is +0 (what pruning leaves). A dense entry may still carry a value under a 0 of its
  // mask, written by hand or by another tool; kept, it would load differently once saved sparse.
  if (mask)
    for (size_t i = 0; i < n; ++i)
      if (mask[i] == 0.0f) {
        t.values[i] = 0.0f;
        if (integer) t.integers[i] = 0;
      }
  return t;
}

nlohmann::ordered_json encode_stored_tensor(const StoredTensor& t, WeightsEncoding encoding, const float* mask) {
  OrderedJson entry;
  entry["shape"] = t.shape.dims;
  if (t.dtype != TensorDtype::Float32) entry["dtype"] = tensor_dtype_name(t.dtype);
  const bool integer = t.dtype == TensorDtype::Int8 || t.dtype == TensorDtype::Int32;
  if (integer) {
    OrderedJson::array_t scales;
    for (float s : t.scales) scales.emplace_back(float_to_json_double(s));
    entry["scales"] = std::move(scales);
  }
  const size_t n = static_cast<size_t>(t.shape.size());
  std::vector<size_t> stored;  // the indices written: all, or those the mask keeps
  for (size_t i = 0; i < n; ++i)
    if (!mask || mask[i] == 1.0f) stored.push_back(i);
  if (mask) entry["sparse"] = true;
  if (encoding == WeightsEncoding::kBase64 && t.dtype == TensorDtype::Bit) {
    std::vector<uint8_t> bits((stored.size() + 7) / 8, 0);
    for (size_t j = 0; j < stored.size(); ++j)
      if (t.values[stored[j]] != 0.0f) bits[j / 8] |= uint8_t(1u << (j % 8));
    entry["base64"] = base64_encode(bits.data(), bits.size());
    return entry;
  }
  if (encoding == WeightsEncoding::kBase64) {
    std::vector<uint8_t> bytes;
    bytes.reserve(stored.size() * dtype_bytes(t.dtype));
    auto put = [&](uint32_t u, size_t width) {
      for (size_t b = 0; b < width; ++b) bytes.push_back(uint8_t(u >> (8 * b)));
    };
    for (const size_t i : stored) {
      switch (t.dtype) {
        case TensorDtype::Float32: {
          uint32_t u;
          std::memcpy(&u, &t.values[i], 4);
          put(u, 4);
          break;
        }
        case TensorDtype::Float16: put(float_to_half(t.values[i]), 2); break;
        case TensorDtype::Int8: put(uint32_t(t.integers[i]), 1); break;
        case TensorDtype::Int32: put(uint32_t(t.integers[i]), 4); break;
        case TensorDtype::Bit: break;  // above
      }
    }
    entry["base64"] = base64_encode(bytes.data(), bytes.size());
    return entry;
  }
  OrderedJson::array_t data;
  data.reserve(stored.size());
  for (const size_t i : stored) {
    if (integer)
      data.emplace_back(t.integers[i]);
    else if (t.dtype == TensorDtype::Bit)
      data.emplace_back(t.values[i] != 0.0f ? 1 : 0);
    else
      data.emplace_back(float_to_json_double(t.values[i]));
  }
  entry["data"] = std::move(data);
  return entry;
}

// ----------------------------------------------------------- 2. save

const NameTable<WeightsEncoding>& weights_encoding_names() {
  static const NameTable<WeightsEncoding> table(
      "weights encoding", {{WeightsEncoding::kArray, "array"}, {WeightsEncoding::kBase64, "base64"}});
  return table;
}

std::string save_model_json(const Model& model, const ModelJsonOptions& options) {
  const ParamStore& params = model.params();

  OrderedJson doc;
  doc["format"] = kModelFormatName;
  doc["version"] = model.is_chain() ? kFloatModelFormatVersion : kGraphModelFormatVersion;
  doc["name"] = model.name;
  doc["input_shape"] = model.input_shape().dims;
  doc["class_names"] = model.class_names;
  OrderedJson pre;
  pre["scale"] = float_to_json_double(model.preprocessing.scale);
  pre["mean"] = float_to_json_double(model.preprocessing.mean);
  pre["std"] = float_to_json_double(model.preprocessing.std);
  const Shape& in = model.input_shape();
  // Only images have a colour mode; a model of 2 or 4 channels (loadable) would not load back with one.
  if (in.rank() == 3 && (in[2] == 1 || in[2] == 3)) pre["color"] = in[2] == 3 ? "rgb" : "gray";
  doc["preprocessing"] = pre;

  OrderedJson layers = OrderedJson::array();
  bool sparse = false;  // a tensor in the compact pruned form: version 4
  const std::vector<Json> configs = model.layer_configs();
  for (int i = 0; i < model.num_layers(); ++i) {
    const Layer& layer = model.layer(i);
    const Json& config = configs[static_cast<size_t>(i)];
    OrderedJson entry;
    entry["type"] = layer.type();
    for (const char* key : {"name", "inputs"})
      if (config.contains(key)) entry[key] = config[key];
    for (auto it = config.begin(); it != config.end(); ++it) {
      if (it.key() == "type" || it.key() == "name" || it.key() == "inputs") continue;
      // Layers keep settings such as a dropout rate as float: write 0.1, not 0.10000000149011612.
      if (it.value().is_number_float())
        entry[it.key()] = float_to_json_double(static_cast<float>(it.value().get<double>()));
      else
        entry[it.key()] = it.value();
    }

    OrderedJson weights = OrderedJson::object();
    OrderedJson masks = OrderedJson::object();
    for (int r : model.param_refs_of_layer(i)) {
      const ParamRef& ref = params.refs[static_cast<size_t>(r)];
      const float* values = params.values.data() + ref.offset;
      const float* mask = params.masks.data() + ref.offset;
      for (int64_t k = 0; k < ref.size(); ++k)
        require(std::isfinite(values[k]), layer_label(i, layer.type()) + ": weights." + ref.spec.name +
                                              " holds a NaN or infinite value (training diverged?)");
      bool pruned = false;
      for (int64_t k = 0; k < ref.size() && !pruned; ++k) pruned = mask[k] == 0.0f;
      if (pruned && options.weights_encoding == WeightsEncoding::kBase64) {
        // The compact form: the mask as bits, and only the weights it keeps.
        StoredTensor kept{TensorDtype::Float32, ref.spec.shape, std::vector<float>(values, values + ref.size()), {}, {}};
        weights[ref.spec.name] = encode_stored_tensor(kept, WeightsEncoding::kBase64, mask);
        StoredTensor bits{TensorDtype::Bit, ref.spec.shape, std::vector<float>(mask, mask + ref.size()), {}, {}};
        masks[ref.spec.name] = encode_stored_tensor(bits, WeightsEncoding::kBase64);
        sparse = true;
        continue;
      }
      weights[ref.spec.name] = encode_tensor(values, ref.spec.shape, options.weights_encoding, false);
      if (pruned) masks[ref.spec.name] = encode_tensor(mask, ref.spec.shape, options.weights_encoding, true);
    }
    if (!weights.empty()) entry["weights"] = std::move(weights);
    if (!masks.empty()) entry["mask"] = std::move(masks);
    layers.push_back(std::move(entry));
  }
  doc["layers"] = std::move(layers);
  if (sparse) doc["version"] = kSparseModelFormatVersion;
  doc["params"] = model.parameter_count();
  doc["nonzero_params"] = model.nonzero_parameter_count();
  doc["provenance"] = OrderedJson(model.provenance);
  return dump_json_compact_arrays(doc, options.indent) + "\n";
}

// ----------------------------------------------------------- 3. load
namespace {

Json parse_document(const std::string& text) {
  Json doc = parse_json_text(text, "the model file");
  require(doc.is_object(), "a model file must be a JSON object, got " + type_name_of(doc));
  if (!doc.contains("format")) {
    require(!doc.contains("modelTopology"),
            "this is a TensorFlow.js model (\"modelTopology\"), not a Distillery model file");
    throw Error("\"format\" is missing: not a Distillery model file");
  }
  require(doc["format"].is_string() && doc["format"].get<std::string>() == kModelFormatName,
          "\"format\" is " + doc["format"].dump() + ", expected \"" + kModelFormatName + "\"");
  require(doc.contains("version") && doc["version"].is_number_integer(), "\"version\" must be an integer");
  const int64_t version = doc["version"].get<int64_t>();
  require(version >= 1, "\"version\" " + std::to_string(version) + " is not a valid version");
  require(version <= kModelFormatVersion, "\"version\" " + std::to_string(version) +
                                              " is newer than this build of distillery reads (" +
                                              std::to_string(kModelFormatVersion) + ")");
  return doc;
}

// A layer's config is its entry without the weights and mask.
Json layer_config_of(const Json& entry, int index) {
  require(entry.is_object(), "layer " + std::to_string(index) + " must be a JSON object");
  require(entry.contains("type") && entry["type"].is_string(),
          "layer " + std::to_string(index) + ": \"type\" is missing or not a string");
  Json config = entry;
  config.erase("weights");
  config.erase("mask");
  return config;
}

// `stored` (when given) receives each tensor as decoded, at its ParamRef's index.
void load_layer_tensors(const Json& entry, int index, Model& model, std::vector<StoredTensor>* stored) {
  const std::string label = layer_label(index, entry["type"].get<std::string>());
  ParamStore& params = model.params();
  const std::vector<int> refs = model.param_refs_of_layer(index);
  std::string expected_names;
  for (int r : refs) expected_names += (expected_names.empty() ? "" : ", ") + params.refs[size_t(r)].spec.name;
  if (expected_names.empty()) expected_names = "none: this layer has no weights";

  auto find_ref = [&](const std::string& field, const std::string& name) -> const ParamRef& {
    for (int r : refs)
      if (params.refs[size_t(r)].spec.name == name) return params.refs[size_t(r)];
    throw Error(label + ": " + field + " has an unknown entry '" + name + "' (expected " + expected_names + ")");
  };

  // Masks first: a sparse weight tensor is read through its mask.
  const Json no_masks = Json::object();
  const Json& masks = entry.contains("mask") ? entry["mask"] : no_masks;
  require(masks.is_object(), label + ": \"mask\" must be an object");
  for (auto it = masks.begin(); it != masks.end(); ++it) {
    const ParamRef& ref = find_ref("mask", it.key());
    const std::string where = label + ": mask." + ref.spec.name;
    const std::vector<float> mask = decode_tensor(it.value(), ref.spec.shape, where);
    for (size_t k = 0; k < mask.size(); ++k)
      require(mask[k] == 0.0f || mask[k] == 1.0f, where + " value " + std::to_string(k) + " is not 0 or 1");
    std::copy(mask.begin(), mask.end(), params.masks.begin() + ref.offset);
  }

  const Json no_weights = Json::object();
  const Json& weights = entry.contains("weights") ? entry["weights"] : no_weights;
  require(weights.is_object(), label + ": \"weights\" must be an object");
  for (auto it = weights.begin(); it != weights.end(); ++it) find_ref("weights", it.key());
  for (int r : refs) {
    const ParamRef& ref = params.refs[size_t(r)];
    const std::string where = label + ": weights." + ref.spec.name;
    require(weights.contains(ref.spec.name), where + " is missing");
    const float* mask = masks.contains(ref.spec.name) ? params.masks.data() + ref.offset : nullptr;
    StoredTensor t = decode_stored_tensor(weights[ref.spec.name], ref.spec.shape, where, mask);
    std::copy(t.values.begin(), t.values.end(), params.values.begin() + ref.offset);
    if (stored) (*stored)[size_t(r)] = std::move(t);
  }
}

float read_float_field(const Json& object, const char* key, float fallback, const std::string& where) {
  if (!object.contains(key)) return fallback;
  const Json& v = object[key];
  require(v.is_number(), where + "." + key + " must be a number");
  const float f = static_cast<float>(v.get<double>());
  require(std::isfinite(f), where + "." + key + " is outside the float32 range");
  return f;
}

void load_preprocessing(const Json& doc, Model& model) {
  if (!doc.contains("preprocessing")) return;  // the defaults: pixel / 255
  const Json& pre = doc["preprocessing"];
  require(pre.is_object(), "\"preprocessing\" must be an object");
  model.preprocessing.scale = read_float_field(pre, "scale", model.preprocessing.scale, "preprocessing");
  model.preprocessing.mean = read_float_field(pre, "mean", model.preprocessing.mean, "preprocessing");
  model.preprocessing.std = read_float_field(pre, "std", model.preprocessing.std, "preprocessing");
  require(model.preprocessing.std > 0.0f, "preprocessing.std must be positive");
  if (pre.contains("color")) {
    const Json& color = pre["color"];
    require(color.is_string() && (color == "gray" || color == "rgb"), "preprocessing.color must be \"gray\" or \"rgb\"");
    const Shape& in = model.input_shape();
    if (in.rank() == 3) {
      const int channels = color == "rgb" ? 3 : 1;
      require(in[2] == channels, "preprocessing.color is " + color.dump() + " but input_shape " + in.str() + " has " +
                                     std::to_string(in[2]) + " channel(s)");
    }
  }
}

void load_class_names(const Json& doc, Model& model) {
  require(doc.contains("class_names") && doc["class_names"].is_array(),
          "\"class_names\" is missing or not an array of strings");
  std::set<std::string> seen;
  for (const auto& name : doc["class_names"]) {
    require(name.is_string(), "\"class_names\" must hold strings, found " + name.dump());
    require(seen.insert(name.get<std::string>()).second, "\"class_names\" lists " + name.dump() + " twice");
    model.class_names.push_back(name.get<std::string>());
  }
  require(static_cast<int>(model.class_names.size()) == model.num_outputs(),
          "\"class_names\" has " + std::to_string(model.class_names.size()) + " names but the model outputs " +
              std::to_string(model.num_outputs()) + " classes");
}

// `stored`: as in load_layer_tensors (sized here).
Model load_document(const Json& doc, std::vector<StoredTensor>* stored) {
  require(doc.contains("input_shape"), "\"input_shape\" is missing");
  const Shape input_shape = read_shape(doc["input_shape"], "\"input_shape\"");
  require(input_shape.rank() >= 1 && input_shape.rank() <= 3, "\"input_shape\" must have 1 to 3 dimensions, got " +
                                                                   input_shape.str());

  require(doc.contains("layers") && doc["layers"].is_array(), "\"layers\" is missing or not an array");
  const Json& entries = doc["layers"];
  require(!entries.empty(), "\"layers\" is empty");
  std::vector<Json> configs;
  for (size_t i = 0; i < entries.size(); ++i) configs.push_back(layer_config_of(entries[i], static_cast<int>(i)));
  Model::measure(configs, input_shape);  // names the layer at fault before any weight is allocated

  Rng rng(0);  // the initial weights are overwritten below
  Model model = Model::from_layer_configs(configs, input_shape, rng);
  if (stored) stored->assign(model.params().refs.size(), StoredTensor{});
  for (size_t i = 0; i < entries.size(); ++i) load_layer_tensors(entries[i], static_cast<int>(i), model, stored);

  if (doc.contains("params")) {
    const Json& count = doc["params"];
    require(count.is_number_integer() && count.get<int64_t>() == model.parameter_count(),
            "\"params\" is " + count.dump() + " but the layers hold " + std::to_string(model.parameter_count()) +
                " weights");
  }
  load_class_names(doc, model);
  load_preprocessing(doc, model);
  if (doc.contains("name")) {
    require(doc["name"].is_string(), "\"name\" must be a string");
    model.name = doc["name"].get<std::string>();
  }
  if (doc.contains("provenance")) model.provenance = doc["provenance"];
  return model;
}

}  // namespace

Model load_model_json(const std::string& text) {
  try {
    return load_document(parse_document(text), nullptr);
  } catch (const Json::exception& e) {
    throw_structure_error(e, "the model file");
  }
}

ModelDocument load_model_document(const std::string& text) {
  try {
    ModelDocument d;
    d.doc = parse_document(text);
    d.model = load_document(d.doc, &d.tensors);
    return d;
  } catch (const Json::exception& e) {
    throw_structure_error(e, "the model file");
  }
}

}  // namespace distillery
