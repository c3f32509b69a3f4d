#pragma once
// LayerKind: everything the engine knows about one layer type, written in that
// layer's own file and registered with one line in builtin_layers.cpp: how to
// build it, how structured pruning follows channels through it, how it reads
// and writes as a TF.js Layers class, and its architecture-spec token.
// The formats' generic machinery (activation folding, weights, the output
// softmax, the automatic flatten and final dense) stays in tfjs_import/export
// and arch_spec; a kind only says what is particular to its type.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/layers/layer.h"

namespace distillery {

class TfjsSource;  // engine/io/tfjs_dialect.h
class TfjsTarget;
struct TfjsLayer;
class ArchToken;  // engine/model/arch_token.h

// How channels (the last axis) flow through a layer, for structured pruning.
enum class ChannelFlow {
  blocked,      // cannot be traced: structured pruning refuses the model (the default)
  weighted,     // a kernel [..., in, out] whose outputs can be removed (dense, conv2d)
  per_channel,  // one [C] parameter per channel, which follows the kept channels (batch_norm)
  preserved,    // each channel maps on its own (activations, pooling, dropout)
  flattened,    // NHWC flatten: channel c at position p becomes input p * C + c
  // A kernel [..., C, 1] and a bias [C] that map channel c to channel c alone
  // (depthwise_conv2d): no outputs of its own to remove, its filters and biases
  // follow the kept channels into the next weighted layer.
  depthwise,
  joined,       // add: its inputs and its output are one set of channels, kept or removed together
  concatenated, // concatenate: its output's channels are its inputs' side by side
};

struct LayerKind {
  std::string type;  // the model-file "type", e.g. "dense"
  std::function<LayerPtr(const nlohmann::json& config)> create;

  ChannelFlow channels = ChannelFlow::blocked;
  std::string width_key;  // weighted: the config key of the output width ("units", "filters")
  // A relu, sigmoid, tanh (...) right after it is written as part of it: Keras'
  // "activation" argument, an arch token's option (dense, conv2d).
  bool takes_activation = false;
  // Its output is one vector per sample whatever its input (dense, flatten,
  // gap): the arch spec needs no flatten after it and refuses images after it.
  bool output_flat = false;

  // TF.js Layers. `tfjs_classes` are read by `from_tfjs`; `to_tfjs` writes one
  // (empty: the exporter refuses the layer). `tfjs_activation` names an
  // activation layer that TF.js also writes as an "activation" string.
  std::vector<std::string> tfjs_classes;
  std::function<void(const TfjsSource& source, TfjsTarget& target)> from_tfjs;
  std::function<TfjsLayer(const nlohmann::json& config)> to_tfjs;
  std::string tfjs_activation;
  // How explicit pads ("padding": [[top, bottom], [left, right]], which no
  // Keras layer holds) travel in TF.js: as a ZeroPadding2D in front of the
  // layer padded "valid". Exact for a convolution; for a max pool only on an
  // input that is never negative (a zero then never beats the window's real
  // cells, which Distillery's pads never do); refused otherwise (an average
  // pool: Distillery divides edge windows by their real cells, TF.js by all).
  enum class ZeroPads { refused, exact, exact_when_input_nonnegative };
  ZeroPads tfjs_zero_pads = ZeroPads::refused;
  // Its outputs are never negative (relu, relu6, sigmoid): see tfjs_zero_pads.
  bool output_nonnegative = false;

  // Architecture spec. `arch_tokens` are read by `from_arch`; `to_arch` writes
  // the token back (empty: the type name). `arch_activation`: usable as a
  // conv/dense option and folded into their token (relu, tanh, ...).
  std::vector<std::string> arch_tokens;
  std::function<void(ArchToken& token)> from_arch;
  std::function<std::string(const nlohmann::json& config)> to_arch;
  bool arch_activation = false;
};

// The usual `create`: the layer's constructor from its JSON config.
template <typename L>
LayerPtr construct_layer(const nlohmann::json& config) {
  return std::make_unique<L>(config);
}

}  // namespace distillery
