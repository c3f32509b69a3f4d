// TF.js Layers model export (see tfjs_export.h).
//
// Sections:
//   1. Layer configs in TF.js' dialect (with activation folding)
//   2. Weights: manifest entries and the little-endian shard
//   3. export_tfjs_model: the model.json document
#include "engine/io/tfjs_export.h"

#include <cctype>
#include <cmath>
#include <map>

#include "engine/core/error.h"
#include "engine/io/float_text.h"
#include "engine/io/tfjs_weights.h"
#include "engine/layers/activations.h"
#include "engine/layers/batch_norm.h"
#include "engine/layers/conv2d.h"
#include "engine/layers/dense.h"
#include "engine/layers/dropout.h"
#include "engine/layers/pooling2d.h"

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
};

OrderedJson pair(IntPair p) { return OrderedJson::array({p.h, p.w}); }
double short_float(float v) { return float_to_json_double(v); }

// Distillery's conv initialisers as the VarianceScaling they are, so a round trip keeps them.
OrderedJson initializer_json(const std::string& name) {
  const bool he = name == "he_uniform";
  OrderedJson config;
  config["scale"] = he ? 2 : 1;
  config["mode"] = he ? "fan_in" : "fan_avg";
  config["distribution"] = "uniform";
  config["seed"] = nullptr;
  return OrderedJson{{"class_name", "VarianceScaling"}, {"config", config}};
}

bool is_plain_activation(const std::string& type) { return type == "relu" || type == "sigmoid" || type == "tanh"; }

class LayerWriter {
 public:
  explicit LayerWriter(const Model& model) : model_(model) {}

  std::vector<ExportedLayer> write() {
    for (int i = 0; i < model_.num_layers(); ++i) i = write_layer(i);
    end_with_softmax();
    layers_.front().config["batch_input_shape"] = batch_input_shape();
    layers_.front().config["dtype"] = "float32";
    return std::move(layers_);
  }

 private:
  // Keras-style unique names per class: dense_1, dense_2, conv2d_1, ...
  std::string next_name(const std::string& prefix) { return prefix + "_" + std::to_string(++counters_[prefix]); }

  OrderedJson& add(const std::string& class_name, const std::string& prefix, int model_layer = -1) {
    ExportedLayer layer{class_name, OrderedJson::object(), model_layer};
    layer.config["name"] = next_name(prefix);
    layer.config["trainable"] = true;
    layers_.push_back(std::move(layer));
    return layers_.back().config;
  }

  // A relu/sigmoid/tanh right after layer i folds into its activation; returns the last layer index consumed.
  int fold_activation(int i, OrderedJson& config) {
    config["activation"] = "linear";
    if (i + 1 < model_.num_layers() && is_plain_activation(model_.layer(i + 1).type())) {
      config["activation"] = model_.layer(i + 1).type();
      return i + 1;
    }
    return i;
  }

  int write_layer(int i) {
    const Layer& layer = model_.layer(i);
    const std::string type = layer.type();
    if (const auto* dense = dynamic_cast<const Dense*>(&layer)) {
      OrderedJson& c = add("Dense", "dense", i);
      c["units"] = dense->units();
      const int last = fold_activation(i, c);
      c["use_bias"] = dense->use_bias();
      return last;
    }
    if (const auto* conv = dynamic_cast<const Conv2D*>(&layer)) {
      OrderedJson& c = add("Conv2D", "conv2d", i);
      c["filters"] = conv->filters();
      c["kernel_size"] = pair(conv->kernel_size());
      c["strides"] = pair(conv->strides());
      c["padding"] = conv->same_padding() ? "same" : "valid";
      c["data_format"] = "channels_last";
      c["dilation_rate"] = OrderedJson::array({1, 1});
      const int last = fold_activation(i, c);
      c["use_bias"] = conv->use_bias();
      c["kernel_initializer"] = initializer_json(layer.config().value("kernel_initializer", "glorot_uniform"));
      return last;
    }
    if (const auto* pool = dynamic_cast<const Pooling2D*>(&layer)) {
      const bool max = type == "maxpool2d";
      OrderedJson& c = add(max ? "MaxPooling2D" : "AveragePooling2D", max ? "max_pooling2d" : "average_pooling2d");
      c["pool_size"] = pair(pool->pool_size());
      c["padding"] = pool->same_padding() ? "same" : "valid";
      c["strides"] = pair(pool->strides());
      c["data_format"] = "channels_last";
      return i;
    }
    if (type == "flatten") {
      add("Flatten", "flatten");
      return i;
    }
    if (const auto* dropout = dynamic_cast<const Dropout*>(&layer)) {
      add("Dropout", "dropout")["rate"] = short_float(dropout->rate());
      return i;
    }
    if (is_plain_activation(type)) {
      add("Activation", "activation")["activation"] = type;
      return i;
    }
    if (const auto* leaky = dynamic_cast<const LeakyReLU*>(&layer)) {
      add("LeakyReLU", "leaky_re_lu")["alpha"] = short_float(leaky->alpha());
      return i;
    }
    if (const auto* bn = dynamic_cast<const BatchNorm*>(&layer)) {
      OrderedJson& c = add("BatchNormalization", "batch_normalization", i);
      c["axis"] = -1;
      c["momentum"] = short_float(bn->momentum());
      c["epsilon"] = short_float(bn->epsilon());
      c["center"] = bn->center();
      c["scale"] = bn->scale();
      return i;
    }
    throw Error("layer " + std::to_string(i) + " (" + type + ") has no TensorFlow.js counterpart in this exporter");
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
};

// ---------------------------------------------------------------- 2. weights

// Manifest entries and shard bytes; trainable weights first, then the others,
// as TF.js itself saves them.
void write_weights(const Model& model, const std::vector<ExportedLayer>& layers, OrderedJson& entries,
                   std::vector<uint8_t>& bytes) {
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
          require(std::isfinite(values[k]), "layer " + std::to_string(layer.model_layer) + " (" +
                                                model.layer(layer.model_layer).type() + "): weights." +
                                                ref.spec.name + " holds a NaN or infinite value");
        }
        OrderedJson entry;
        entry["name"] = layer.config["name"].get<std::string>() + "/" + ref.spec.name;
        entry["shape"] = ref.spec.shape.dims;
        entry["dtype"] = "float32";
        entries.push_back(std::move(entry));
        append_float32_le(values.data(), values.size(), bytes);
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

TfjsModelFiles export_tfjs_model(const Model& model, const std::string& weights_path) {
  require(model.num_layers() > 0, "the model has no layers");
  require(!weights_path.empty(), "the weights file needs a name");
  const std::vector<ExportedLayer> layers = LayerWriter(model).write();

  OrderedJson layer_list = OrderedJson::array();
  for (const ExportedLayer& layer : layers)
    layer_list.push_back(OrderedJson{{"class_name", layer.class_name}, {"config", layer.config}});
  OrderedJson topology;
  topology["class_name"] = "Sequential";
  topology["config"] = {{"name", safe_model_name(model.name)}, {"layers", std::move(layer_list)}};
  topology["keras_version"] = kTfjsLayersVersion;
  topology["backend"] = "tensor_flow.js";

  TfjsModelFiles files;
  files.weights_path = weights_path;
  OrderedJson entries = OrderedJson::array();
  write_weights(model, layers, entries, files.weights);

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
