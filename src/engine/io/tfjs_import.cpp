// TF.js Layers model import (see tfjs_import.h).
//
// Sections:
//   1. Reading the document: model.json, topology, the layer chain
//   2. Translating layers: TF.js/Keras class + config -> Distillery layer configs
//   3. Weights: matched by name, shape-checked, copied into the model
//   4. Metadata (class names, preprocessing, provenance) and the entry points
#include "engine/io/json_text.h"
#include "engine/io/tfjs_import.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "engine/core/error.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/io/tfjs_weights.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/layer_graph.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// ------------------------------------------------- 1. document and layer chain

Json parse_model_json(const std::string& text) {
  Json doc = parse_json_text(text, "model.json");
  require(doc.is_object(), "model.json must be a JSON object");
  if (!doc.contains("modelTopology")) {
    require(!doc.contains("format") || doc["format"] != "distillery-model",
            "this is a Distillery model file, not a TensorFlow.js model.json");
    throw Error("model.json has no \"modelTopology\": not a TensorFlow.js Layers model");
  }
  if (doc.contains("format") && doc["format"].is_string()) {
    const std::string format = doc["format"].get<std::string>();
    require(format == "layers-model", "model.json is a TensorFlow.js '" + format +
                                          "', which has no layer list; Distillery reads Layers models "
                                          "(tensorflowjs_converter --output_format tfjs_layers_model)");
  }
  require(doc["modelTopology"].is_object(), "\"modelTopology\" must be an object");
  require(doc.contains("weightsManifest"), "model.json has no \"weightsManifest\"");
  return doc;
}

using SourceLayer = TfjsSource;

SourceLayer source_layer(const Json& entry, size_t index) {
  const std::string where = "modelTopology layer " + std::to_string(index);
  require(entry.is_object() && entry.contains("class_name") && entry["class_name"].is_string(),
          where + " has no \"class_name\"");
  SourceLayer layer("", entry["class_name"].get<std::string>(),
                    entry.contains("config") && entry["config"].is_object() ? entry["config"] : Json::object());
  if (layer.config.contains("name") && layer.config["name"].is_string())
    layer.name = layer.config["name"].get<std::string>();
  else if (entry.contains("name") && entry["name"].is_string())
    layer.name = entry["name"].get<std::string>();
  else
    layer.name = "#" + std::to_string(index);
  return layer;
}

// Names of the layers feeding a functional layer; Keras 2/TF.js write
// [[["name", 0, 0, {}]]], Keras 3 [{"args": [{"config": {"keras_history": ["name", 0, 0]}}]}].
std::vector<std::string> inbound_names(const Json& entry) {
  std::vector<std::string> names;
  if (!entry.contains("inbound_nodes") || !entry["inbound_nodes"].is_array()) return names;
  for (const Json& node : entry["inbound_nodes"]) {
    if (node.is_array()) {
      for (const Json& tensor : node)
        if (tensor.is_array() && !tensor.empty() && tensor[0].is_string())
          names.push_back(tensor[0].get<std::string>());
    } else if (node.is_object() && node.contains("args") && node["args"].is_array()) {
      for (const Json& arg : node["args"]) {
        const Json history =
            arg.is_object() && arg.contains("config") ? arg["config"].value("keras_history", Json()) : Json();
        if (history.is_array() && !history.empty() && history[0].is_string())
          names.push_back(history[0].get<std::string>());
      }
    }
  }
  return names;
}

void append_layers(const Json& model_config, const std::string& model_class, std::vector<SourceLayer>& out);

bool is_model_class(const std::string& class_name) {
  return class_name == "Sequential" || class_name == "Functional" || class_name == "Model";
}

// A functional model that is one chain (each layer fed by the one before) is
// read as a chain, nested Sequential models inlined; any other graph keeps
// each layer's inputs.
void append_functional(const Json& config, std::vector<SourceLayer>& out) {
  const Json& layers = config["layers"];
  bool chain = true;
  for (size_t i = 0; i < layers.size() && chain; ++i) {
    const std::vector<std::string> inputs = inbound_names(layers[i]);
    chain = i == 0 ? inputs.empty() : inputs.size() == 1 && inputs[0] == source_layer(layers[i - 1], i - 1).name;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    SourceLayer layer = source_layer(layers[i], i);
    if (chain) {
      if (layer.class_name == "Sequential")
        append_layers(layer.config, layer.class_name, out);
      else
        out.push_back(std::move(layer));
      continue;
    }
    require(!is_model_class(layer.class_name),
            layer.label() + ": a model nested inside a branching model is not supported (only inside a chain)");
    const Json& nodes = layers[i].value("inbound_nodes", Json::array());
    require(!nodes.is_array() || nodes.size() <= 1,
            layer.label() + " is called " + std::to_string(nodes.size()) + " times; shared layers are not supported");
    layer.inputs = inbound_names(layers[i]);
    require(i == 0 || !layer.inputs.empty() || layer.class_name == "InputLayer",
            layer.label() + " reads no layer");
    out.push_back(std::move(layer));
  }
  if (chain || !config.contains("output_layers")) return;
  const Json& outputs = config["output_layers"];
  require(outputs.is_array() && outputs.size() == 1, "the functional model has " +
                                                         std::to_string(outputs.is_array() ? outputs.size() : 0) +
                                                         " outputs; Distillery models have one");
  const Json& output = outputs[0];
  require(output.is_array() && !output.empty() && output[0].is_string() && output[0] == out.back().name,
          "the functional model's output " + output.dump() + " is not its last layer ('" + out.back().name + "')");
}

// The model's layers in order; nested Sequential models are inlined.
void append_layers(const Json& model_config, const std::string& model_class, std::vector<SourceLayer>& out) {
  if (model_class == "Model" || model_class == "Functional") {
    require(model_config.is_object() && model_config.contains("layers") && model_config["layers"].is_array(),
            "the functional model has no \"layers\" list");
    append_functional(model_config, out);
    return;
  }
  require(model_class == "Sequential", "modelTopology is a '" + model_class +
                                           "': Distillery imports Sequential models (and plain chains of layers)");
  // Keras 2.2 wrote a Sequential's config as the layer list itself.
  const Json& layers =
      model_config.is_array() ? model_config : (model_config.is_object() ? model_config.value("layers", Json()) : Json());
  require(layers.is_array(), "the Sequential model has no \"layers\" list");
  for (size_t i = 0; i < layers.size(); ++i) {
    SourceLayer layer = source_layer(layers[i], i);
    if (is_model_class(layer.class_name))
      append_layers(layer.config, layer.class_name, out);
    else
      out.push_back(std::move(layer));
  }
}

struct Topology {
  std::string model_name;
  std::vector<SourceLayer> layers;
};

Topology read_topology(const Json& doc) {
  const Json& topology = doc["modelTopology"];
  // tensorflowjs_converter nests the Keras config under "model_config".
  const Json& model = topology.contains("model_config") ? topology["model_config"] : topology;
  require(model.is_object() && model.contains("class_name") && model["class_name"].is_string(),
          "modelTopology has no \"class_name\"");
  Topology result;
  const Json config = model.value("config", Json());
  if (config.is_object()) result.model_name = config.value("name", std::string());
  append_layers(config, model["class_name"].get<std::string>(), result.layers);
  require(!result.layers.empty(), "the model has no layers");
  return result;
}

// Keras writes a convolution with explicit pads as a ZeroPadding2D feeding a
// "valid" conv (MobileNet's stride-2 convs, PyTorch models through TF.js):
// the pair is one Distillery layer with explicit padding. The ZeroPadding2D
// goes; its pads go to the one layer it feeds, which the Translator checks
// can take them (LayerKind::tfjs_zero_pads). `graph`: layers name their inputs.
std::vector<SourceLayer> fold_zero_padding(std::vector<SourceLayer> layers, bool graph) {
  std::vector<SourceLayer> kept;
  for (size_t i = 0; i < layers.size(); ++i) {
    SourceLayer& pad = layers[i];
    if (pad.class_name != kTfjsZeroPaddingClass) {
      kept.push_back(std::move(pad));
      continue;
    }
    const Padding pads = read_zero_padding(pad);
    std::vector<size_t> readers;
    for (size_t j = i + 1; j < layers.size(); ++j)
      if (graph ? std::count(layers[j].inputs.begin(), layers[j].inputs.end(), pad.name) > 0 : j == i + 1)
        readers.push_back(j);
    const std::string rule = "; Distillery reads a ZeroPadding2D only as the padding of the one \"valid\" "
                             "Conv2D, DepthwiseConv2D or MaxPooling2D it feeds";
    require(!readers.empty(), pad.label() + " is the model's output" + rule);
    require(readers.size() == 1, pad.label() + " feeds " + std::to_string(readers.size()) + " layers" + rule);
    SourceLayer& reader = layers[readers[0]];
    require(reader.class_name != kTfjsZeroPaddingClass, pad.label() + " feeds another ZeroPadding2D" + rule);
    require(!graph || reader.inputs.size() == 1,
            pad.label() + " feeds " + reader.label() + ", which reads " + std::to_string(reader.inputs.size()) +
                " layers" + rule);
    if (graph) reader.inputs = pad.inputs;
    if (pads.kind == Padding::Kind::kValid) continue;  // padding 0: the layer's input as it is
    reader.zero_pads = pads;
    reader.zero_pads_from = pad.label();
  }
  return kept;
}

// ------------------------------------------------- 2. translating layers

// A Distillery layer about to be built, and where its weights come from.
struct PlannedLayer {
  Json config;
  std::string source;          // the TF.js layer whose weights it takes, if it has any
  std::string label;           // for messages
  bool binary_output = false;  // a one-unit sigmoid Dense turned into two logits [0, z]
};

// Builds the Distillery layer list: the classes every model may have (InputLayer,
// Activation, Softmax) here, every other class by the layer kind that reads it.
class Translator : public TfjsTarget {
 public:
  // `graph`: the source layers name their inputs, and so will the Distillery layers.
  Translator(const Shape& input_shape, size_t source_count, bool graph)
      : shape_(input_shape), source_count_(source_count), graph_(graph) {
    if (graph_) outputs_[LayerGraph::kModelInputName] = {LayerGraph::kModelInputName, input_shape};
  }

  void translate(const SourceLayer& layer, size_t index);
  // Folds a final one-unit sigmoid into a two-logit dense; refuses other sigmoid outputs.
  void finish();

  void add(Json config) override;
  void add_activation(const Json& activation) override;
  int input_rank() const override { return shape_.rank(); }

  std::vector<PlannedLayer> planned;
  std::string output_activation = "linear";

 private:
  // A graph's tensor: the Distillery layer that computes it, and its shape.
  struct Output {
    std::string name;
    Shape shape;
  };
  void start_graph_layer(const SourceLayer& layer);
  void require_zero_pads_fit(const SourceLayer& layer, const LayerKind& kind) const;

  Shape shape_;
  size_t source_count_;
  bool graph_;
  const SourceLayer* current_ = nullptr;
  size_t index_ = 0;
  // Graphs only: each TF.js layer's output, and what the current layer reads
  // (its first Distillery layer reads `reads_`; a folded activation the layer before).
  std::map<std::string, Output> outputs_;
  std::vector<Output> reads_;
  size_t planned_before_ = 0;
};

// Each kind's main class; aliases (Convolution2D, MaxPool2D, ...) are read too.
std::string supported_classes() {
  std::string names = "InputLayer";
  for (const LayerKind* kind : LayerRegistry::instance().kinds())
    if (!kind->tfjs_classes.empty()) names += ", " + kind->tfjs_classes.front();
  return names + ", Activation, Softmax, ZeroPadding2D (before a valid convolution or max pool)";
}

void Translator::add(Json config) {
  const SourceLayer& layer = *current_;
  std::vector<Shape> shapes{shape_};
  if (graph_) {
    // The layer's first Distillery layer reads its sources; a folded activation after it reads it.
    const bool first = planned.size() == planned_before_;
    std::vector<std::string> inputs;
    if (first) {
      shapes.clear();
      for (const Output& read : reads_) {
        inputs.push_back(read.name);
        shapes.push_back(read.shape);
      }
    } else {
      inputs.push_back(planned.back().config["name"].get<std::string>());
    }
    config["name"] = first ? layer.name : layer.name + "_" + config["type"].get<std::string>();
    config["inputs"] = inputs;
  }
  try {
    LayerPtr built = LayerRegistry::instance().create(config);
    shape_ = built->build_inputs(shapes);
  } catch (const Error& e) {
    throw Error(layer.padded_label() + ": " + e.what());
  }
  planned.push_back({std::move(config), layer.name, layer.label()});
}

// What a graph layer reads, from the outputs of the layers before it.
void Translator::start_graph_layer(const SourceLayer& layer) {
  reads_.clear();
  planned_before_ = planned.size();
  std::vector<std::string> sources = layer.inputs;
  if (sources.empty()) sources.push_back(LayerGraph::kModelInputName);  // the leading flatten
  for (const std::string& source : sources) {
    const auto it = outputs_.find(source);
    require(it != outputs_.end(), layer.label() + " reads '" + source + "', which is not a layer before it");
    reads_.push_back(it->second);
  }
  shape_ = reads_[0].shape;  // the rank a kind reads (input_rank); each input is built with its own
}

// A ZeroPadding2D folded into `layer` gives the same result only where its
// kind says zero pads do (LayerKind::tfjs_zero_pads).
void Translator::require_zero_pads_fit(const SourceLayer& layer, const LayerKind& kind) const {
  const std::string what = layer.padded_label();
  require(kind.tfjs_zero_pads != LayerKind::ZeroPads::refused,
          what + ", which cannot take explicit padding (Distillery reads a ZeroPadding2D only as the padding of the "
                 "\"valid\" Conv2D, DepthwiseConv2D or MaxPooling2D it feeds)");
  if (kind.tfjs_zero_pads != LayerKind::ZeroPads::exact_when_input_nonnegative) return;
  // The Distillery layer that computes the padded input (none: the model input).
  const PlannedLayer* before = nullptr;
  if (!graph_) {
    if (!planned.empty()) before = &planned.back();
  } else {
    for (const PlannedLayer& p : planned)
      if (p.config["name"] == reads_[0].name) before = &p;
  }
  const LayerKind* before_kind = before ? LayerRegistry::instance().find(before->config["type"]) : nullptr;
  require(before_kind != nullptr && before_kind->output_nonnegative,
          what + ": a max pool over zero pads equals Distillery's (which ignores pads) only when its input is never "
                 "negative, and " + (before ? before->label + "'s output" : std::string("the model input")) +
              " can be (put it after a relu, or pad \"same\" or \"valid\")");
}

void Translator::add_activation(const Json& activation) {
  const SourceLayer& layer = *current_;
  if (activation.is_null()) return;
  require(activation.is_string(), layer.label() + ": activation " + activation.dump() + " is not supported");
  const std::string name = activation.get<std::string>();
  if (name == "linear") return;
  if (name == "softmax") {
    require(index_ + 1 == source_count_, layer.label() + ": softmax is supported only on the output layer");
    output_activation = "softmax";  // Distillery outputs logits and applies softmax when predicting
    return;
  }
  std::string known;
  for (const LayerKind* kind : LayerRegistry::instance().kinds()) {
    if (kind->tfjs_activation.empty()) continue;
    if (kind->tfjs_activation == name) {
      add({{"type", kind->type}});
      return;
    }
    known += kind->tfjs_activation + ", ";
  }
  throw Error(layer.label() + ": activation '" + name + "' is not supported (linear, " + known +
              "and softmax on the output)");
}

void Translator::translate(const SourceLayer& layer, size_t index) {
  current_ = &layer;
  index_ = index;
  const std::string& c = layer.class_name;
  if (graph_ && c != "InputLayer") start_graph_layer(layer);
  if (c == "InputLayer") {
    require(index == 0, layer.label() + ": an InputLayer is supported only as the first layer");
    // A leading flatten stands for the input from here on.
    if (graph_) outputs_[layer.name] = planned.empty() ? outputs_[LayerGraph::kModelInputName]
                                                       : Output{planned.back().config["name"], shape_};
    return;
  } else if (c == "Activation") {
    add_activation(layer.config.value("activation", Json("linear")));
  } else if (c == "Softmax") {
    require(layer.field<int>("axis", -1) == -1, layer.label() + ": only a softmax over the last axis is supported");
    add_activation(Json("softmax"));
  } else if (const LayerKind* kind = LayerRegistry::instance().find_tfjs_class(c)) {
    if (!layer.zero_pads_from.empty()) require_zero_pads_fit(layer, *kind);
    kind->from_tfjs(layer, *this);
  } else {
    throw Error(layer.label() + " is not supported (supported: " + supported_classes() + ")");
  }
  if (!graph_) return;
  if (planned.size() == planned_before_) {  // a linear activation, a softmax output: the tensor passes through
    require(reads_.size() == 1, layer.label() + " reads " + std::to_string(reads_.size()) + " layers");
    outputs_[layer.name] = reads_[0];
  } else {
    outputs_[layer.name] = {planned.back().config["name"].get<std::string>(), shape_};
  }
}

void Translator::finish() {
  require(!planned.empty(), "the model has no layers that compute anything");
  // A sigmoid before a softmax output is just a hidden activation.
  if (planned.back().config["type"] != "sigmoid" || output_activation == "softmax") return;
  const size_t n = planned.size();
  const bool one_unit_dense = n >= 2 && planned[n - 2].config["type"] == "dense" && planned[n - 2].config["units"] == 1;
  require(one_unit_dense, planned.back().label +
                              ": a sigmoid output over several units (multi-label) is not "
                              "supported; Distillery models are single-label classifiers");
  planned.pop_back();
  planned.back().config["units"] = 2;
  planned.back().binary_output = true;
  output_activation = "sigmoid";
}

// The per-sample input shape from the first layer's batch_input_shape (or Keras 3's batch_shape).
Shape input_shape_of(const SourceLayer& first) {
  Json shape;
  for (const char* key : {"batch_input_shape", "batch_shape"})
    if (first.config.contains(key) && !first.config[key].is_null()) shape = first.config[key];
  require(!shape.is_null(), first.label() + " has no batch_input_shape: the model's input shape is unknown");
  require(shape.is_array() && shape.size() >= 2,
          first.label() + ": batch_input_shape " + shape.dump() + " must be [null, ...sample shape]");
  Shape result;
  for (size_t i = 1; i < shape.size(); ++i) {
    require(shape[i].is_number_integer() && shape[i].get<int>() > 0,
            first.label() + ": batch_input_shape " + shape.dump() + " must have fixed positive sizes");
    result.dims.push_back(shape[i].get<int>());
  }
  require(result.rank() <= 3, first.label() + ": input shape " + result.str() + " has more than 3 dimensions");
  return result;
}

int exact_root(int64_t n) {
  const int64_t r = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
  return r * r == n ? static_cast<int>(r) : 0;
}

// The image the model takes: an image input as it is; a flat or [H, W] input
// as the image it flattens (given or guessed). Returns true when a flatten
// layer must lead the stack.
bool image_input(const Shape& tfjs_input, const Shape& requested, Shape& image) {
  if (tfjs_input.rank() == 3) {
    require(requested.rank() == 0 || requested == tfjs_input,
            "the model takes images " + tfjs_input.str() + ", not " + requested.str());
    image = tfjs_input;
    return false;
  }
  if (requested.rank() != 0) {
    require(requested.rank() == 3 && requested.size() == tfjs_input.size(),
            "the input shape " + requested.str() + " does not hold the model's " + std::to_string(tfjs_input.size()) +
                " input values");
    image = requested;
    return true;
  }
  if (tfjs_input.rank() == 2) {
    image = Shape{tfjs_input[0], tfjs_input[1], 1};
    return true;
  }
  const int64_t n = tfjs_input[0];
  if (int side = exact_root(n)) {
    image = Shape{side, side, 1};
    return true;
  }
  if (n % 3 == 0)
    if (int side = exact_root(n / 3)) {
      image = Shape{side, side, 3};
      return true;
    }
  image = tfjs_input;  // not an image: the model still works on flat vectors
  return false;
}

// ------------------------------------------------- 3. weights

std::string strip_variable_suffix(const std::string& name) {
  return name.size() > 2 && name.compare(name.size() - 2, 2, ":0") == 0 ? name.substr(0, name.size() - 2) : name;
}

class WeightIndex {
 public:
  explicit WeightIndex(std::vector<TfjsWeight> weights) : weights_(std::move(weights)) {}

  // "<layer>/<weight>", or a unique name ending in "/<layer>/<weight>" (nested models, scopes).
  const TfjsWeight& find(const std::string& layer, const std::string& weight, const std::string& label) const {
    const std::string wanted = layer + "/" + weight;
    const TfjsWeight* found = nullptr;
    for (const TfjsWeight& w : weights_)
      if (strip_variable_suffix(w.name) == wanted) return w;
    for (const TfjsWeight& w : weights_) {
      const std::string name = strip_variable_suffix(w.name);
      if (name.size() > wanted.size() &&
          name.compare(name.size() - wanted.size() - 1, std::string::npos, "/" + wanted) == 0) {
        require(found == nullptr, label + ": weight '" + wanted + "' matches both '" + (found ? found->name : "") +
                                      "' and '" + w.name + "' in the manifest");
        found = &w;
      }
    }
    if (found) return *found;
    std::string names;
    for (size_t i = 0; i < weights_.size() && i < 12; ++i) names += (i ? ", " : "") + weights_[i].name;
    if (weights_.size() > 12) names += ", ...";
    throw Error(label + ": weight '" + wanted +
                "' is not in the weights manifest (it has: " + (names.empty() ? "nothing" : names) + ")");
  }

 private:
  std::vector<TfjsWeight> weights_;
};

std::vector<float> checked_values(const TfjsWeight& w, const Shape& expected, const std::string& label) {
  const std::string what = label + ": weight '" + w.name + "'";
  require(w.dtype == "float32", what + " has dtype " + w.dtype + "; Distillery reads float32 weights");
  require(w.shape == expected, what + " has shape " + w.shape.str() + " but the layer needs " + expected.str());
  for (size_t i = 0; i < w.values.size(); ++i)
    require(std::isfinite(w.values[i]), what + " holds a NaN or infinite value at " + std::to_string(i));
  return w.values;
}

void load_weights(Model& model, const std::vector<PlannedLayer>& planned, const WeightIndex& index) {
  ParamStore& params = model.params();
  for (int i = 0; i < model.num_layers(); ++i) {
    const PlannedLayer& p = planned[static_cast<size_t>(i)];
    for (int r : model.param_refs_of_layer(i)) {
      const ParamRef& ref = params.refs[static_cast<size_t>(r)];
      float* dst = params.values.data() + ref.offset;
      const TfjsWeight& w = index.find(p.source, ref.spec.name, p.label);
      if (!p.binary_output) {
        const std::vector<float> values = checked_values(w, ref.spec.shape, p.label);
        std::copy(values.begin(), values.end(), dst);
        continue;
      }
      // Two logits [0, z]: the kernel [in, 2] gets a zero column before the one-unit kernel.
      Shape single = ref.spec.shape;
      single[single.rank() - 1] = 1;
      const std::vector<float> values = checked_values(w, single, p.label);
      for (size_t k = 0; k < values.size(); ++k) {
        dst[2 * k] = 0.0f;
        dst[2 * k + 1] = values[k];
      }
    }
  }
}

// ------------------------------------------------- 4. metadata and entry points

// What Distillery's own export stores in "userDefinedMetadata"."distillery".
const Json* distillery_metadata(const Json& doc) {
  if (!doc.contains("userDefinedMetadata") || !doc["userDefinedMetadata"].is_object()) return nullptr;
  const Json& meta = doc["userDefinedMetadata"];
  if (!meta.contains("distillery") || !meta["distillery"].is_object()) return nullptr;
  return &meta["distillery"];
}

std::vector<std::string> choose_class_names(const TfjsImportOptions& options, const Json* meta, int outputs) {
  if (!options.class_names.empty()) {
    require(static_cast<int>(options.class_names.size()) == outputs, std::to_string(options.class_names.size()) +
                                                                         " class names were given but the model has " +
                                                                         std::to_string(outputs) + " outputs");
    std::set<std::string> seen;
    for (const auto& name : options.class_names)
      require(seen.insert(name).second, "the class name '" + name + "' is given twice");
    return options.class_names;
  }
  if (meta && meta->contains("class_names") && (*meta)["class_names"].is_array() &&
      static_cast<int>((*meta)["class_names"].size()) == outputs) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const Json& n : (*meta)["class_names"])
      if (n.is_string() && seen.insert(n.get<std::string>()).second) names.push_back(n.get<std::string>());
    if (static_cast<int>(names.size()) == outputs) return names;
  }
  std::vector<std::string> names;
  for (int k = 0; k < outputs; ++k) names.push_back("class_" + std::to_string(k));
  return names;
}

Preprocessing choose_preprocessing(const TfjsImportOptions& options, const Json* meta) {
  Preprocessing pre;
  if (options.input_scale >= 0.0f) {
    require(std::isfinite(options.input_scale) && options.input_scale > 0.0f, "the input scale must be positive");
    pre.scale = options.input_scale;
    return pre;
  }
  if (meta && meta->contains("preprocessing") && (*meta)["preprocessing"].is_object()) {
    const Json& p = (*meta)["preprocessing"];
    auto number = [&](const char* key, float fallback) {
      return p.contains(key) && p[key].is_number() ? static_cast<float>(p[key].get<double>()) : fallback;
    };
    pre.scale = number("scale", pre.scale);
    pre.mean = number("mean", pre.mean);
    pre.std = number("std", pre.std);
    require(std::isfinite(pre.scale) && std::isfinite(pre.mean) && std::isfinite(pre.std) && pre.std > 0.0f,
            "userDefinedMetadata.distillery.preprocessing is invalid");
  }
  return pre;
}

std::string string_field(const Json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

namespace {

// Reads top-level keys only until the answer is known, so sniffing a large
// Distillery model file ("format" comes first) does not parse its weights.
class TopologySniffer : public nlohmann::json_sax<Json> {
 public:
  bool found = false;

  bool key(string_t& name) override {
    if (depth_ != 1) return true;
    if (name == "modelTopology") return stop(true);
    format_next_ = name == "format";
    return true;
  }
  bool string(string_t& value) override {
    if (depth_ == 1 && format_next_) return value == "distillery-model" ? stop(false) : true;
    return true;
  }
  bool start_object(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return depth_ > 0 || stop(false); }
  bool end_array() override { return true; }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool stop(bool answer) {
    found = answer;
    return false;  // ends the parse
  }
  int depth_ = 0;
  bool format_next_ = false;
};

}  // namespace

bool is_tfjs_model_json(const std::string& text) {
  TopologySniffer sniffer;
  Json::sax_parse(text, &sniffer, nlohmann::detail::input_format_t::json, false);
  return sniffer.found;
}

namespace {

Model import_unguarded(const std::string& model_json, const std::vector<std::vector<uint8_t>>& shards,
                       const TfjsImportOptions& options);

}  // namespace

std::vector<std::string> tfjs_weight_paths(const std::string& model_json) {
  try {
    return tfjs_shard_paths(parse_model_json(model_json)["weightsManifest"]);
  } catch (const Json::exception& e) {
    throw_structure_error(e, "model.json");
  }
}

Model import_tfjs_model(const std::string& model_json, const std::vector<std::vector<uint8_t>>& shards,
                        const TfjsImportOptions& options) {
  try {
    return import_unguarded(model_json, shards, options);
  } catch (const Json::exception& e) {
    throw_structure_error(e, "model.json");
  }
}

namespace {

Model import_unguarded(const std::string& model_json, const std::vector<std::vector<uint8_t>>& shards,
                       const TfjsImportOptions& options) {
  const Json doc = parse_model_json(model_json);
  const Topology topology = read_topology(doc);

  const Shape tfjs_input = input_shape_of(topology.layers.front());
  Shape input;
  const bool lead_flatten = image_input(tfjs_input, options.image_shape, input);
  const bool graph = !topology.layers.back().inputs.empty();
  const std::vector<SourceLayer> layers = fold_zero_padding(topology.layers, graph);
  Translator translator(input, layers.size(), graph);
  if (lead_flatten) {
    SourceLayer added{"(input)", "Flatten", Json::object()};
    translator.translate(added, 0);
  }
  for (size_t i = 0; i < layers.size(); ++i) translator.translate(layers[i], i);
  translator.finish();

  const WeightIndex weights(decode_tfjs_weights(doc["weightsManifest"], shards));
  std::vector<Json> configs;
  for (const PlannedLayer& p : translator.planned) configs.push_back(p.config);
  Rng rng(0);  // every weight is overwritten below
  Model model = Model::from_layer_configs(configs, input, rng);
  require(model.num_outputs() >= 2, "the model has " + std::to_string(model.num_outputs()) +
                                        " output(s); a classifier needs at least two classes");
  load_weights(model, translator.planned, weights);

  const Json* meta = distillery_metadata(doc);
  model.class_names = choose_class_names(options, meta, model.num_outputs());
  model.preprocessing = choose_preprocessing(options, meta);
  const std::string meta_name = meta ? string_field(*meta, "name") : "";
  model.name = !meta_name.empty() ? meta_name : !topology.model_name.empty() ? topology.model_name : "tfjs-model";
  if (meta && meta->contains("provenance") && (*meta)["provenance"].is_object())
    model.provenance = (*meta)["provenance"];
  const Json& top = doc["modelTopology"];
  model.provenance["imported_from"] = {{"format", "tfjs-layers-model"},
                                       {"generated_by", string_field(doc, "generatedBy")},
                                       {"converted_by", string_field(doc, "convertedBy")},
                                       {"keras_version", string_field(top, "keras_version")},
                                       {"backend", string_field(top, "backend")},
                                       {"model_name", topology.model_name},
                                       {"output_activation", translator.output_activation}};
  return model;
}

}  // namespace

Model import_tfjs_files(const std::vector<FileEntry>& files, const TfjsImportOptions& options) {
  const FileEntry* json = nullptr;
  for (const FileEntry& f : files) {
    if (f.path.size() < 5 || f.path.compare(f.path.size() - 5, 5, ".json") != 0) continue;
    const std::string text(f.bytes.begin(), f.bytes.end());
    if (!is_tfjs_model_json(text)) continue;
    if (json != nullptr) throw Error("two TensorFlow.js model.json files were given: " + json->path + " and " + f.path);
    json = &f;
  }
  require(json != nullptr, "no TensorFlow.js model.json (a .json file with \"modelTopology\") among the files");
  const std::string text(json->bytes.begin(), json->bytes.end());
  std::vector<std::vector<uint8_t>> shards;
  for (const std::string& path : tfjs_weight_paths(text)) {
    const FileEntry* shard = nullptr;
    for (const FileEntry& f : files)
      if (base_name(f.path) == base_name(path)) shard = &f;
    require(shard != nullptr, json->path + " needs the weight file '" + base_name(path) + "', which was not given");
    shards.push_back(shard->bytes);
  }
  try {
    return import_tfjs_model(text, shards, options);
  } catch (const Error& e) {
    throw Error(json->path + ": " + e.what());
  }
}

}  // namespace distillery
