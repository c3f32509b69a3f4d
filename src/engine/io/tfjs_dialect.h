#pragma once
// The TF.js Layers (Keras) dialect as layer kinds read and write it: a source
// layer's config with checked accessors, the import's target, and a layer as
// the exporter writes it. See layers/layer_kind.h.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/layers/window_config.h"

namespace distillery {

// One TF.js layer being imported.
class TfjsSource {
 public:
  TfjsSource(std::string name, std::string class_name, nlohmann::json config)
      : name(std::move(name)), class_name(std::move(class_name)), config(std::move(config)) {}

  std::string name;
  std::string class_name;
  nlohmann::json config;
  // The layers it reads, in a functional model that is not a chain (empty otherwise).
  std::vector<std::string> inputs;
  // The pads of a ZeroPadding2D that fed it, folded into it, and that layer's
  // label (empty: none). See fold_zero_padding in tfjs_import.cpp.
  Padding zero_pads;
  std::string zero_pads_from;

  std::string label() const { return "layer '" + name + "' (" + class_name + ")"; }
  // label(), led by the ZeroPadding2D folded into it, if any: errors about
  // its padding name the layer whose pads they are.
  std::string padded_label() const {
    return zero_pads_from.empty() ? label() : zero_pads_from + " pads the input of " + label();
  }

  // A config field, or the fallback when missing or null; a wrong type is an Error naming the layer.
  template <typename T>
  T field(const char* key, T fallback) const {
    if (!config.contains(key) || config[key].is_null()) return fallback;
    try {
      return config[key].get<T>();
    } catch (const nlohmann::json::exception&) {
      throw Error(label() + ": \"" + key + "\" has the wrong type (" + config[key].dump() + ")");
    }
  }
  // An int or a pair (Keras writes both); a one-element list becomes a pair.
  nlohmann::json window(const char* key, const nlohmann::json& fallback) const;
  // "valid" or "same"; anything else is refused. With a ZeroPadding2D folded
  // in front (zero_pads_from), the layer must be "valid" and gets its pads.
  nlohmann::json padding() const;
  void require_channels_last() const;
  // An int or a list of ones (Keras writes [1, 1] for dilation 1).
  void require_all_ones(const char* key) const;
};

// Where an imported layer goes: Distillery layer configs in order.
class TfjsTarget {
 public:
  virtual ~TfjsTarget() = default;
  // Weights, if the layer has any, are the source layer's.
  virtual void add(nlohmann::json config) = 0;
  // A Keras "activation" string: linear, relu, sigmoid, tanh, softmax on the output.
  virtual void add_activation(const nlohmann::json& activation) = 0;
  // Rank of the per-sample input the next layer receives.
  virtual int input_rank() const = 0;
};

// A Distillery layer as a TF.js class. The exporter adds "name", "trainable"
// and, for kinds that take one, "activation".
struct TfjsLayer {
  std::string class_name;         // "Dense"
  std::string name_prefix;        // Keras-style names: dense_1, dense_2, ...
  nlohmann::ordered_json config;  // the class's own fields
};

// Keras' layer for explicit pads, which its Conv2D and pooling layers cannot
// hold: the exporter writes one in front of a layer with explicit pads, the
// importer folds it into the layer it feeds (LayerKind::tfjs_zero_pads).
constexpr const char* kTfjsZeroPaddingClass = "ZeroPadding2D";
// A ZeroPadding2D's "padding": an int n, [h, w] (symmetric) or [[top, bottom],
// [left, right]]; channels_last only. Errors name the layer.
Padding read_zero_padding(const TfjsSource& source);

// [h, w] from an int or a pair, as TF.js writes windows.
nlohmann::ordered_json tfjs_pair(const nlohmann::json& value);
// A float as the shortest decimal that reads back to it.
double tfjs_float(const nlohmann::json& value);

}  // namespace distillery
