// ONNX model import (see onnx_import.h): the graph's input, its layers
// (onnx_graph_reader.cpp), the output check, weights and metadata.
#include "engine/io/onnx_import.h"

#include <cmath>
#include <set>

#include "engine/core/error.h"
#include "engine/io/onnx_graph_reader.h"
#include "engine/io/onnx_model.h"
#include "engine/model/model_limits.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

int exact_root(int64_t n) {
  const int64_t r = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
  return r * r == n ? static_cast<int>(r) : 0;
}

struct GraphInput {
  std::string name;
  Shape image;           // Distillery's per-sample input
  Shape flattened_from;  // set when a flat input is read as this image
};

GraphInput graph_input(const OnnxGraph& graph, const Shape& requested) {
  std::set<std::string> initializers;
  for (const OnnxTensor& t : graph.initializers) initializers.insert(t.name);
  std::vector<const OnnxValueInfo*> inputs;
  for (const OnnxValueInfo& v : graph.inputs)
    if (!initializers.count(v.name)) inputs.push_back(&v);
  require(inputs.size() == 1, "the graph has " + std::to_string(inputs.size()) +
                                  " inputs; Distillery imports models with one image input");
  const OnnxValueInfo& in = *inputs[0];
  require(in.elem_type == static_cast<int32_t>(OnnxDataType::kFloat),
          "the input '" + in.name + "' is " + onnx_data_type_name(in.elem_type) + ", not FLOAT");
  for (size_t k = 1; k < in.dims.size(); ++k)
    require(in.dims[k] > 0 && in.dims[k] <= 16384,
            "the input '" + in.name + "' has shape " + onnx_dims_str(in.dims) + ": its sizes beyond the batch must be fixed");
  GraphInput out{in.name, {}, {}};
  if (in.dims.size() == 4) {  // NCHW
    out.image = Shape{static_cast<int>(in.dims[2]), static_cast<int>(in.dims[3]), static_cast<int>(in.dims[1])};
    require(requested.rank() == 0 || requested == out.image,
            "the model takes images " + out.image.str() + ", not " + requested.str());
    return out;
  }
  require(in.dims.size() == 2, "the input '" + in.name + "' has shape " + onnx_dims_str(in.dims) +
                                   ": Distillery reads [batch, C, H, W] images or [batch, features]");
  const int64_t n = in.dims[1];
  if (requested.rank() == 3) {
    require(requested.size() == n, "the input shape " + requested.str() + " does not hold the model's " +
                                       std::to_string(n) + " input values");
    out.flattened_from = requested;
  } else if (int side = exact_root(n)) {
    out.flattened_from = Shape{side, side, 1};
  } else if (int side3 = n % 3 == 0 ? exact_root(n / 3) : 0) {
    out.flattened_from = Shape{side3, side3, 3};
  }
  out.image = out.flattened_from.rank() == 3 ? out.flattened_from : Shape{static_cast<int>(n)};
  return out;
}

std::vector<std::string> class_names_of(const OnnxModel& onnx, const OnnxImportOptions& options, int outputs) {
  std::vector<std::string> names = options.class_names;
  if (names.empty())
    if (const std::string* meta = onnx.metadata_value("class_names")) {
      try {
        const Json list = Json::parse(*meta);
        if (list.is_array())
          for (const Json& n : list) names.push_back(n.is_string() ? n.get<std::string>() : n.dump());
      } catch (const Json::exception&) {
        throw Error("metadata_props 'class_names' is not a JSON list of names: " + meta->substr(0, 80));
      }
      if (static_cast<int>(names.size()) != outputs) names.clear();  // not this model's: generic names
    }
  if (names.empty())
    for (int k = 0; k < outputs; ++k) names.push_back("class_" + std::to_string(k));
  require(static_cast<int>(names.size()) == outputs, std::to_string(names.size()) +
                                                         " class names were given but the model has " +
                                                         std::to_string(outputs) + " outputs");
  std::set<std::string> seen;
  for (const std::string& n : names) require(seen.insert(n).second, "the class name '" + n + "' is given twice");
  return names;
}

Preprocessing preprocessing_of(const OnnxModel& onnx, const OnnxImportOptions& options) {
  Preprocessing pre;
  if (options.input_scale >= 0.0f) {
    require(std::isfinite(options.input_scale) && options.input_scale > 0.0f, "the input scale must be positive");
    pre.scale = options.input_scale;
    return pre;
  }
  const std::string* meta = onnx.metadata_value("preprocessing");
  if (!meta) return pre;
  Json p;
  try {
    p = Json::parse(*meta);
  } catch (const Json::exception&) {
    throw Error("metadata_props 'preprocessing' is not a JSON object: " + meta->substr(0, 80));
  }
  require(p.is_object(), "metadata_props 'preprocessing' is not a JSON object");
  auto number = [&](const char* key, float fallback) {
    return p.contains(key) && p[key].is_number() ? static_cast<float>(p[key].get<double>()) : fallback;
  };
  pre.scale = number("scale", pre.scale);
  pre.mean = number("mean", pre.mean);
  pre.std = number("std", pre.std);
  require(std::isfinite(pre.scale) && pre.scale > 0.0f && std::isfinite(pre.mean) && std::isfinite(pre.std) &&
              pre.std > 0.0f,
          "metadata_props 'preprocessing' " + *meta + " is invalid");
  return pre;
}

// A string from the file as valid UTF-8 (invalid bytes become U+FFFD), so
// the model's JSON can always be written.
std::string utf8(const std::string& text) {
  return Json::parse(Json(text).dump(-1, ' ', false, Json::error_handler_t::replace)).get<std::string>();
}

Model import_unguarded(const std::vector<uint8_t>& bytes, const OnnxImportOptions& options) {
  const OnnxModel onnx = decode_onnx_model(bytes);
  const int64_t opset = onnx.onnx_opset();
  require(opset >= 9 && opset <= 18, "the model uses ONNX opset " + std::to_string(opset) +
                                         "; Distillery reads opsets 9 to 18 (tested with 11 to 17)");
  const OnnxGraph& graph = onnx.graph;
  const GraphInput input = graph_input(graph, options.image_shape);
  check_model_input_limits(input.image);
  require(graph.outputs.size() == 1, "the graph has " + std::to_string(graph.outputs.size()) +
                                         " outputs; Distillery imports classifiers with one output");
  const OnnxLayers layers = read_onnx_layers(graph, input.image, input.name, input.flattened_from, graph.outputs[0].name);
  require(layers.output_shape.rank() == 1 && layers.output_shape[0] >= 2,
          "the graph's output '" + graph.outputs[0].name + "' has shape " + layers.output_shape.str() +
              ", not one score per class: the model must end in a classifier with at least two classes");

  std::vector<Json> configs;
  for (const OnnxPlannedLayer& p : layers.layers) configs.push_back(p.config);
  Rng rng(0);  // every weight is overwritten below
  Model model = Model::from_layer_configs(configs, input.image, rng);
  ParamStore& params = model.params();
  for (int i = 0; i < model.num_layers(); ++i) {
    const std::vector<int> refs = model.param_refs_of_layer(i);
    const OnnxPlannedLayer& p = layers.layers[static_cast<size_t>(i)];
    for (size_t k = 0; k < refs.size(); ++k) {
      const ParamRef& ref = params.refs[static_cast<size_t>(refs[k])];
      const std::vector<float>& values = p.params[k];
      for (size_t v = 0; v < values.size(); ++v)
        require(std::isfinite(values[v]), p.label + ": weight '" + ref.spec.name + "' holds a NaN or infinite value");
      std::copy(values.begin(), values.end(), params.values.data() + ref.offset);
    }
  }
  model.class_names = class_names_of(onnx, options, model.num_outputs());
  model.preprocessing = preprocessing_of(onnx, options);
  const std::string* meta_name = onnx.metadata_value("name");
  const bool generic = graph.name.empty() || graph.name == "torch_jit" || graph.name == "main_graph";
  model.name = utf8(meta_name && !meta_name->empty() ? *meta_name : generic ? "onnx-model" : graph.name);
  model.provenance["imported_from"] = {{"format", "onnx"},
                                       {"producer_name", utf8(onnx.producer_name)},
                                       {"producer_version", utf8(onnx.producer_version)},
                                       {"ir_version", onnx.ir_version},
                                       {"opset", opset},
                                       {"graph_name", utf8(graph.name)},
                                       {"output_activation", layers.output_activation}};
  return model;
}

}  // namespace

Model import_onnx_model(const std::vector<uint8_t>& bytes, const OnnxImportOptions& options) {
  try {
    return import_unguarded(bytes, options);
  } catch (const Json::exception& e) {
    throw Error(std::string("ONNX import: ") + e.what());
  }
}

}  // namespace distillery
