// Sections: 1. save (the float document, its tensors typed); 2. load.
#include "engine/quant/quantized_json.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/io/float_text.h"
#include "engine/io/json_text.h"
#include "engine/io/json_writer.h"
#include "engine/io/model_document.h"

namespace distillery {
namespace {

using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

constexpr int kQuantizedModelFormatVersion = 2;
static_assert(kQuantizedModelFormatVersion <= kModelFormatVersion, "the reader must know the version written");

StoredTensor float_tensor(const float* values, const Shape& shape, TensorDtype dtype) {
  StoredTensor t;
  t.dtype = dtype;
  t.shape = shape;
  t.values.assign(values, values + shape.size());
  return t;
}

StoredTensor integer_tensor(TensorDtype dtype, const Shape& shape, std::vector<int32_t> integers,
                            std::vector<float> scales) {
  StoredTensor t;
  t.dtype = dtype;
  t.shape = shape;
  t.integers = std::move(integers);
  t.scales = std::move(scales);
  return t;
}

OrderedJson activation_json(const ActivationQuant& a) {
  return OrderedJson{{"min", float_to_json_double(a.min)},
                     {"max", float_to_json_double(a.max)},
                     {"scale", float_to_json_double(a.scale)},
                     {"zero_point", a.zero_point}};
}

}  // namespace

// ------------------------------------------------------- 1. save

std::string save_quantized_model_json(const QuantizedModel& model, const ModelJsonOptions& options) {
  const Model& reference = model.reference();
  OrderedJson doc = OrderedJson::parse(save_model_json(reference, options));
  // A quantized graph stays version 3: a reader of version 2 would take its layers for a chain.
  // A pruned model in base64 is version 4 (save_model_json's compact form: masks of bits, kept values only).
  doc["version"] = std::max(doc["version"].get<int>(), kQuantizedModelFormatVersion);
  const bool compact = options.weights_encoding == WeightsEncoding::kBase64;
  const ParamStore& params = reference.params();
  for (int i = 0; i < reference.num_layers(); ++i) {
    const LayerQuantization& q = model.layers()[size_t(i)];
    const OrderedJson& written = doc["layers"][size_t(i)];
    for (int r : reference.param_refs_of_layer(i)) {
      const ParamRef& ref = params.refs[size_t(r)];
      const float* values = params.values.data() + ref.offset;
      const bool masked = written.contains("mask") && written["mask"].contains(ref.spec.name);
      const float* kept = compact && masked ? params.masks.data() + ref.offset : nullptr;
      StoredTensor t;
      if (q.has_int8_kernel && ref.spec.name == "kernel")
        t = integer_tensor(TensorDtype::Int8, ref.spec.shape,
                           std::vector<int32_t>(q.kernel.values.begin(), q.kernel.values.end()), q.kernel.scales);
      else if (q.has_int32_bias && ref.spec.name == "bias")
        t = integer_tensor(TensorDtype::Int32, ref.spec.shape, q.bias, q.bias_scales);
      else if (model.mode() == QuantMode::Float16)
        t = float_tensor(values, ref.spec.shape, TensorDtype::Float16);
      else
        continue;  // stays float32 as save_model_json wrote it
      doc["layers"][size_t(i)]["weights"][ref.spec.name] = encode_stored_tensor(t, options.weights_encoding, kept);
    }
    // In data, a mask as int8 0/1 (unit scales), which version 2 readers know; in base64 it is bits already.
    OrderedJson& entry = doc["layers"][size_t(i)];
    if (compact || !entry.contains("mask")) continue;
    for (int r : reference.param_refs_of_layer(i)) {
      const ParamRef& ref = params.refs[size_t(r)];
      if (!entry["mask"].contains(ref.spec.name)) continue;
      const float* mask = params.masks.data() + ref.offset;
      std::vector<int32_t> bits(mask, mask + ref.size());
      entry["mask"][ref.spec.name] = encode_stored_tensor(
          integer_tensor(TensorDtype::Int8, ref.spec.shape, std::move(bits),
                         std::vector<float>(size_t(ref.spec.shape.dims.back()), 1.0f)),
          options.weights_encoding);
    }
  }
  OrderedJson section;
  section["mode"] = quant_mode_name(model.mode());
  if (model.mode() == QuantMode::Int8) {
    const CalibrationInfo& c = model.calibration();
    OrderedJson calibration{{"method", calibration_method_name(c.method)}, {"samples", c.samples}};
    if (c.method == CalibrationMethod::Percentile) calibration["percentile"] = c.percentile;
    section["calibration"] = calibration;
    OrderedJson activations = OrderedJson::array();
    for (const ActivationQuant& a : model.activations()) activations.push_back(activation_json(a));
    section["activations"] = std::move(activations);
  }
  section["weight_bytes"] = model.weight_bytes();
  doc["quantization"] = std::move(section);
  return dump_json_compact_arrays(doc, options.indent) + "\n";
}

// ------------------------------------------------------- 2. load

namespace {

float read_number(const Json& object, const char* key, const std::string& where) {
  require(object.is_object() && object.contains(key) && object[key].is_number(),
          where + "." + key + " is missing or not a number");
  const float f = static_cast<float>(object[key].get<double>());
  require(std::isfinite(f), where + "." + key + " is outside the float32 range");
  return f;
}

std::vector<ActivationQuant> read_activations(const Json& section, int layers) {
  require(section.contains("activations") && section["activations"].is_array(),
          "quantization.activations is missing or not an array");
  const Json& list = section["activations"];
  require(int(list.size()) == layers + 1, "quantization.activations has " + std::to_string(list.size()) +
                                              " ranges but the model needs " + std::to_string(layers + 1) +
                                              " (the input and one per layer)");
  std::vector<ActivationQuant> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "quantization.activations[" + std::to_string(i) + "]";
    ActivationQuant a;
    a.min = read_number(list[i], "min", where);
    a.max = read_number(list[i], "max", where);
    a.scale = read_number(list[i], "scale", where);
    require(a.scale > 0.0f, where + ".scale is " + list[i]["scale"].dump() + ": a scale must be positive");
    const Json& zp = list[i].contains("zero_point") ? list[i]["zero_point"] : Json();
    require(zp.is_number_integer() && zp.get<int64_t>() >= -128 && zp.get<int64_t>() <= 127,
            where + ".zero_point must be an integer in [-128, 127]");
    a.zero_point = int32_t(zp.get<int64_t>());
    out.push_back(a);
  }
  return out;
}

CalibrationInfo read_calibration(const Json& section) {
  CalibrationInfo info;
  if (!section.contains("calibration")) return info;
  const Json& c = section["calibration"];
  require(c.is_object(), "quantization.calibration must be an object");
  if (c.contains("method")) {
    require(c["method"].is_string(), "quantization.calibration.method must be a string");
    info.method = parse_calibration_method(c["method"].get<std::string>());
  }
  if (c.contains("samples")) {
    require(c["samples"].is_number_integer() && c["samples"].get<int64_t>() >= 0 &&
                c["samples"].get<int64_t>() < (int64_t(1) << 31),
            "quantization.calibration.samples must be a count");
    info.samples = int(c["samples"].get<int64_t>());
  }
  // A double as written (read_number narrows to float, and a float would not save back to the same text).
  if (c.contains("percentile")) {
    require(c["percentile"].is_number() && std::isfinite(c["percentile"].get<double>()),
            "quantization.calibration.percentile is not a number");
    info.percentile = c["percentile"].get<double>();
  }
  return info;
}

QuantizedModel load_document(const std::string& text) {
  // Everything the float reader checks (header, layers, shapes, typed tensors and their scales).
  ModelDocument read = load_model_document(text);
  const Json& doc = read.doc;
  require(doc.contains("quantization"), "this model file is not quantized (it has no \"quantization\" section)");
  Model& reference = read.model;
  const Json& section = doc["quantization"];
  require(section.is_object() && section.contains("mode") && section["mode"].is_string(),
          "quantization.mode is missing or not a string");
  const QuantMode mode = parse_quant_mode(section["mode"].get<std::string>());

  std::vector<LayerQuantization> layers(size_t(reference.num_layers()));
  for (int i = 0; i < reference.num_layers(); ++i) {
    const std::string label = "layer " + std::to_string(i) + " (" + reference.layer(i).type() + ")";
    LayerQuantization& q = layers[size_t(i)];
    for (int r : reference.param_refs_of_layer(i)) {
      const ParamRef& ref = reference.params().refs[size_t(r)];
      const std::string where = label + ": weights." + ref.spec.name;
      const StoredTensor& t = read.tensors[size_t(r)];
      const bool float16_expected = mode == QuantMode::Float16;
      if (t.dtype == TensorDtype::Int8) {
        require(ref.spec.name == "kernel", where + " is int8, which only kernels may be");
        q.has_int8_kernel = true;
        q.kernel.values.assign(t.integers.begin(), t.integers.end());
        q.kernel.scales = t.scales;
      } else if (t.dtype == TensorDtype::Int32) {
        require(ref.spec.name == "bias", where + " is int32, which only biases may be");
        q.has_int32_bias = true;
        q.bias = t.integers;
        q.bias_scales = t.scales;
      } else {
        require((t.dtype == TensorDtype::Float16) == float16_expected,
                where + " is " + tensor_dtype_name(t.dtype) + " in a model quantized as " + quant_mode_name(mode));
      }
    }
  }
  std::vector<ActivationQuant> activations;
  CalibrationInfo calibration;
  if (mode == QuantMode::Int8) {
    activations = read_activations(section, reference.num_layers());
    calibration = read_calibration(section);
  }
  try {
    return QuantizedModel::assemble(std::move(reference), mode, std::move(layers), std::move(activations),
                                    calibration);
  } catch (const Error& e) {
    throw Error(std::string("quantization: ") + e.what());
  }
}

}  // namespace

QuantizedModel load_quantized_model_json(const std::string& text) {
  try {
    return load_document(text);
  } catch (const Json::exception& e) {
    throw_structure_error(e, "the model file");
  }
}

bool is_quantized_model_json(const std::string& text) {
  try {
    const Json doc = parse_json_text(text, "the model file");
    return doc.is_object() && doc.contains("quantization");
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace distillery
