// TF.js Layers model export (see tfjs_export.h).
//
// Sections:
//   1. Layer configs in TF.js' dialect: each kind's to_tfjs, with activation folding
//   2. Weights: manifest entries and the little-endian shard
//   3. export_tfjs_model: the model.json document
#include "engine/io/tfjs_export.h"

#include <cctype>
#include <map>

#include "engine/core/error.h"
#include "engine/io/float_text.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/layers/layer_registry.h"
#include "engine/layers/window_config.h"
#include "engine/model/layer_graph.h"

namespace distillery {
namespace {

using OrderedJson = nlohmann::ordered_json;

// The TF.js version whose configs this writer follows and is tested against.
constexpr const char* kTfjsLayersVersion = "tfjs-layers 4.22.0";

// ---------------------------------------------------------------- 1. layers

struct ExportedLayer {
  std::string class_name;
  OrderedJson config;
  int model_layer = -1;  // the Distillery layer whose weights it carries (-1: none)
  std::vector<std::string> inputs;  // a functional model's: the TF.js layers it reads
};

constexpr const char* kInputLayerName = "input_1";

double short_float(float v) { return float_to_json_double(v); }

class LayerWriter {
 public:
  explicit LayerWriter(const Model& model) : model_(model) {}

  std::vector<ExportedLayer> write() {
    if (!model_.is_chain()) return write_graph();
    for (int i = 0; i < model_.num_layers(); ++i) i = write_layer(i);
    end_with_softmax();
    layers_.front().config["batch_input_shape"] = batch_input_shape();
    layers_.front().config["dtype"] = "float32";
    return std::move(layers_);
  }

  // A functional model: an InputLayer, then each layer with the TF.js names
  // of the layers it reads.
  std::vector<ExportedLayer> write_graph() {
    ExportedLayer input{"InputLayer", OrderedJson::object(), -1, {}};
    input.config["batch_input_shape"] = batch_input_shape();
    input.config["dtype"] = "float32";
    input.config["sparse"] = false;
    input.config["name"] = kInputLayerName;
    layers_.push_back(std::move(input));
    const LayerGraph& graph = model_.graph();
    readers_ = graph.consumer_counts();
    tfjs_names_.assign(static_cast<size_t>(model_.num_layers()), "");
    for (int i = 0; i < model_.num_layers(); ++i) {
      const size_t first = layers_.size();
      const int last = write_layer(i);
      for (int source : graph.inputs[static_cast<size_t>(i)])
        layers_[first].inputs.push_back(source == LayerGraph::kModelInput ? kInputLayerName
                                                                          : tfjs_names_[static_cast<size_t>(source)]);
      // A ZeroPadding2D written in front of the layer feeds it.
      for (size_t k = first + 1; k < layers_.size(); ++k)
        layers_[k].inputs.push_back(layers_[k - 1].config["name"].get<std::string>());
      const std::string written = layers_.back().config["name"].get<std::string>();  // the layer, not its pad
      for (int k = i; k <= last; ++k) tfjs_names_[static_cast<size_t>(k)] = written;
      i = last;
    }
    const std::string output = layers_.back().config["name"].get<std::string>();
    end_with_softmax();
    if (layers_.back().inputs.empty() && layers_.size() > 1 && layers_.back().config["name"] != output)
      layers_.back().inputs.push_back(output);
    return std::move(layers_);
  }

 private:
  // Keras-style unique names per class: dense_1, dense_2, conv2d_1, ...
  std::string next_name(const std::string& prefix) { return prefix + "_" + std::to_string(++counters_[prefix]); }

  OrderedJson& add(const std::string& class_name, const std::string& prefix, int model_layer = -1) {
    ExportedLayer layer{class_name, OrderedJson::object(), model_layer, {}};
    layer.config["name"] = next_name(prefix);
    layer.config["trainable"] = true;
    layers_.push_back(std::move(layer));
    return layers_.back().config;
  }

  // The TF.js name of the activation layer right after layer i ("" for none or one TF.js cannot fold).
  // In a graph it folds only when it is the one reader of layer i.
  std::string next_activation(int i) const {
    if (i + 1 >= model_.num_layers()) return "";
    if (!model_.is_chain()) {
      const std::vector<int>& reads = model_.graph().inputs[static_cast<size_t>(i + 1)];
      if (readers_[static_cast<size_t>(i)] != 1 || reads.size() != 1 || reads[0] != i) return "";
    }
    const LayerKind* next = LayerRegistry::instance().find(model_.layer(i + 1).type());
    return next != nullptr ? next->tfjs_activation : "";
  }

  // Returns the last model layer written: a folded activation is consumed too.
  int write_layer(int i) {
    const Layer& layer = model_.layer(i);
    const LayerKind* kind = LayerRegistry::instance().find(layer.type());
    if (kind == nullptr || !kind->to_tfjs)
      throw Error("layer " + std::to_string(i) + " (" + layer.type() + ") has no TensorFlow.js counterpart in this exporter");
    nlohmann::json layer_config = layer.config();
    if (read_padding(layer_config, layer.type()).kind == Padding::Kind::kExplicit)
      layer_config["padding"] = write_explicit_pads(i, *kind, layer_config);
    TfjsLayer written = kind->to_tfjs(layer_config);
    OrderedJson& config = add(written.class_name, written.name_prefix, i);
    for (auto& field : written.config.items()) config[field.key()] = field.value();
    if (!kind->takes_activation) return i;
    const std::string activation = next_activation(i);
    config["activation"] = activation.empty() ? "linear" : activation;
    return activation.empty() ? i : i + 1;
  }

  std::string label(int i) const { return "layer " + std::to_string(i) + " (" + model_.layer(i).type() + ")"; }

  // Layer i's explicit pads in Keras' terms: "same" when they are TensorFlow's
  // "same" for its input, else a ZeroPadding2D written here and "valid".
  std::string write_explicit_pads(int i, const LayerKind& kind, const nlohmann::json& config) {
    const Layer& layer = model_.layer(i);
    const Padding pads = read_padding(config, layer.type());
    const bool pool = config.contains("pool_size");
    const IntPair window = read_int_pair(config, layer.type(), pool ? "pool_size" : "kernel_size");
    const IntPair strides = read_int_pair(config, layer.type(), "strides", pool ? window : IntPair{1, 1});
    if (padding_pixels(Padding{Padding::Kind::kSame}, layer.input_shape(), window, strides) == pads) return "same";
    const std::string what = label(i) + ": explicit padding " + padding_json(pads).dump();
    require(kind.tfjs_zero_pads != LayerKind::ZeroPads::refused,
            what + " has no TensorFlow.js form: Keras pads \"same\" or \"valid\", and a ZeroPadding2D in front "
                   "would change its edge windows (Distillery averages a window's real cells, TF.js would count "
                   "the zeros too)");
    if (kind.tfjs_zero_pads == LayerKind::ZeroPads::exact_when_input_nonnegative) {
      const int source = producer(i);
      const LayerKind* before = source < 0 ? nullptr : LayerRegistry::instance().find(model_.layer(source).type());
      require(before != nullptr && before->output_nonnegative,
              what + " goes to TensorFlow.js as a ZeroPadding2D, which leaves the max unchanged only when the "
                     "input is never negative, and its input (" +
                  (source < 0 ? std::string("the model input") : label(source)) +
                  ") can be: put the max pool after a relu, or pad \"same\" or \"valid\"");
    }
    OrderedJson& zero = add(kTfjsZeroPaddingClass, "zero_padding2d");
    zero["padding"] = OrderedJson::array({OrderedJson::array({pads.top, pads.bottom}),
                                          OrderedJson::array({pads.left, pads.right})});
    zero["data_format"] = "channels_last";
    return "valid";
  }

  // The one layer whose output layer i reads (-1: the model input, or several).
  int producer(int i) const {
    if (model_.is_chain()) return i - 1;
    const std::vector<int>& reads = model_.graph().inputs[static_cast<size_t>(i)];
    return reads.size() == 1 ? reads[0] : -1;
  }

  // Distillery models output logits; TF.js users expect probabilities.
  void end_with_softmax() {
    ExportedLayer& last = layers_.back();
    if (last.class_name == "Dense" && last.config["activation"] == "linear") {
      last.config["activation"] = "softmax";
      return;
    }
    add("Activation", "activation")["activation"] = "softmax";
  }

  OrderedJson batch_input_shape() const {
    OrderedJson shape = OrderedJson::array({nullptr});
    for (int d : model_.input_shape().dims) shape.push_back(d);
    return shape;
  }

  const Model& model_;
  std::vector<ExportedLayer> layers_;
  std::map<std::string, int> counters_;
  // Graphs only: how many layers read each layer, and the TF.js layer that outputs it.
  std::vector<int> readers_;
  std::vector<std::string> tfjs_names_;
};

// ---------------------------------------------------------------- 2. weights

// Manifest entries and shard bytes; trainable weights first, then the others,
// as TF.js itself saves them.
void write_weights(const Model& model, const std::vector<ExportedLayer>& layers, TfjsWeightDtype dtype,
                   OrderedJson& entries, std::vector<uint8_t>& bytes) {
  const ParamStore& params = model.params();
  for (bool trainable : {true, false}) {
    for (const ExportedLayer& layer : layers) {
      if (layer.model_layer < 0) continue;
      for (int r : model.param_refs_of_layer(layer.model_layer)) {
        const ParamRef& ref = params.refs[static_cast<size_t>(r)];
        if (ref.spec.trainable != trainable) continue;
        std::vector<float> values(static_cast<size_t>(ref.size()));
        for (size_t k = 0; k < values.size(); ++k) {
          const size_t at = static_cast<size_t>(ref.offset) + k;
          values[k] = params.values[at] * params.masks[at];  // pruned weights are exactly zero
        }
        const std::string label = "layer " + std::to_string(layer.model_layer) + " (" +
                                  model.layer(layer.model_layer).type() + "): weights." + ref.spec.name;
        TfjsEncodedWeight encoded = encode_tfjs_weight(values.data(), values.size(), dtype, label);
        OrderedJson entry;
        entry["name"] = layer.config["name"].get<std::string>() + "/" + ref.spec.name;
        entry["shape"] = ref.spec.shape.dims;
        entry["dtype"] = "float32";  // what TF.js holds after loading; "quantization" says how it is stored
        if (!encoded.quantization.is_null()) entry["quantization"] = std::move(encoded.quantization);
        entries.push_back(std::move(entry));
        bytes.insert(bytes.end(), encoded.bytes.begin(), encoded.bytes.end());
      }
    }
  }
}

// TF.js scopes weight names by the model name: keep it to [A-Za-z0-9_.-].
std::string safe_model_name(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ? c : '_';
  if (out.empty() || !std::isalpha(static_cast<unsigned char>(out[0]))) out = "distillery_" + out;
  return out;
}

// A functional model's config, in the form tf.LayersModel.toJSON writes.
OrderedJson functional_config(const std::vector<ExportedLayer>& layers, const std::string& name) {
  OrderedJson list = OrderedJson::array();
  for (const ExportedLayer& layer : layers) {
    OrderedJson node = OrderedJson::array();
    for (const std::string& input : layer.inputs) node.push_back(OrderedJson::array({input, 0, 0, OrderedJson::object()}));
    OrderedJson entry;
    entry["class_name"] = layer.class_name;
    entry["config"] = layer.config;
    entry["name"] = layer.config["name"];
    entry["inbound_nodes"] = layer.inputs.empty() ? OrderedJson::array() : OrderedJson::array({node});
    list.push_back(std::move(entry));
  }
  OrderedJson config;
  config["name"] = name;
  config["layers"] = std::move(list);
  config["input_layers"] = OrderedJson::array({OrderedJson::array({kInputLayerName, 0, 0})});
  config["output_layers"] = OrderedJson::array({OrderedJson::array({layers.back().config["name"], 0, 0})});
  return config;
}

OrderedJson distillery_metadata(const Model& model) {
  OrderedJson meta;
  meta["name"] = model.name;
  meta["class_names"] = model.class_names;
  meta["input_shape"] = model.input_shape().dims;
  meta["preprocessing"] = {{"scale", short_float(model.preprocessing.scale)},
                           {"mean", short_float(model.preprocessing.mean)},
                           {"std", short_float(model.preprocessing.std)}};
  meta["input"] = "x = (pixel * scale - mean) / std, pixels 0..255, NHWC";
  meta["provenance"] = OrderedJson(model.provenance);
  return meta;
}

}  // namespace

// ---------------------------------------------------------------- 3. document

TfjsModelFiles export_tfjs_model(const Model& model, const std::string& weights_path, TfjsWeightDtype weights) {
  require(model.num_layers() > 0, "the model has no layers");
  require(!weights_path.empty(), "the weights file needs a name");
  const std::vector<ExportedLayer> layers = LayerWriter(model).write();

  OrderedJson topology;
  if (model.is_chain()) {
    OrderedJson layer_list = OrderedJson::array();
    for (const ExportedLayer& layer : layers)
      layer_list.push_back(OrderedJson{{"class_name", layer.class_name}, {"config", layer.config}});
    topology["class_name"] = "Sequential";
    topology["config"] = {{"name", safe_model_name(model.name)}, {"layers", std::move(layer_list)}};
  } else {
    topology["class_name"] = "Model";
    topology["config"] = functional_config(layers, safe_model_name(model.name));
  }
  topology["keras_version"] = kTfjsLayersVersion;
  topology["backend"] = "tensor_flow.js";

  TfjsModelFiles files;
  files.weights_path = weights_path;
  OrderedJson entries = OrderedJson::array();
  write_weights(model, layers, weights, entries, files.weights);

  OrderedJson doc;
  doc["format"] = "layers-model";
  doc["generatedBy"] = "Distillery";
  doc["convertedBy"] = "Distillery (distillery convert / export_tfjs_model)";
  doc["modelTopology"] = std::move(topology);
  OrderedJson group;
  group["paths"] = OrderedJson::array({weights_path});
  group["weights"] = std::move(entries);
  doc["weightsManifest"] = OrderedJson::array({std::move(group)});
  doc["userDefinedMetadata"] = {{"distillery", distillery_metadata(model)}};
  files.model_json = doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return files;
}

}  // namespace distillery
