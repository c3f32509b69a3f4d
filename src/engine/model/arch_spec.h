#pragma once
// Architecture specs: the short text people type for --arch, turned into the
// layer configs Model::from_layer_configs takes.
//
//   conv:32:3,pool:2,conv:64:3,pool:2,dense:128     dense:256,dense:128
//
// Tokens (comma separated, case sensitive):
//   conv:FILTERS:KERNEL[:OPT...]  conv2d, same padding, then ReLU. KERNEL is
//                                 "3" or "3x5". OPT: sN (stride N), valid,
//                                 same, or an activation (relu, tanh,
//                                 sigmoid, relu6, leaky_relu, linear = none)
//   pool:K[:sN][:same]            maxpool2d (stride K unless sN)
//   avgpool:K[:sN][:same]         avgpool2d
//   gap                           global_avg_pool2d: each channel's mean, flat after it
//   dwconv:K[:STRIDE]             depthwise_conv2d (one KxK filter per channel),
//                                 same padding, no activation (add one, or bn first)
//   bn                            batch_norm with Keras' defaults
//   dense:UNITS[:ACT]             dense, then ReLU unless ACT says otherwise
//   dropout:P                     dropout with rate P in [0, 1)
//   flatten, relu, relu6, tanh, sigmoid, leaky_relu[:ALPHA]   the layer itself
//   res:FILTERS[:STRIDE], mbconv:FILTERS:EXPANSION[:STRIDE]
//                                 residual blocks, a small graph each (arch_blocks.h)
// A flatten goes before the first dense unless one is already there (and the
// input is an image), and a final dense with one unit per class ends the
// model without an activation: the model outputs logits.
//
// A JSON architecture is accepted too, detected by a leading '[' or '{': an
// array of layer configs, or an object with "layers" (so a model file works;
// its weights are ignored). Flatten is added the same way; the final dense is
// added unless the last layer already is a dense with one unit per class.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/model.h"

namespace distillery {

// Throws Error naming the bad token and its 1-based position, e.g.
//   unknown layer 'conv3' at position 2 (known: conv, pool, ...)
// input_rank is the rank of the per-sample input (3 for images, 1 for flat).
std::vector<nlohmann::json> parse_arch_spec(const std::string& spec, int num_classes, int input_rank = 3);

// The model's layers as a spec that parse_arch_spec reads back to the same
// stack (the automatic flatten and final dense left out), e.g.
//   "conv:32:3,pool:2,dense:128". Layers the grammar cannot express appear
// by their type name.
std::string describe_arch(const Model& model);

// For editors that show a spec token by token, so they need no grammar of their own:
// the tokens of a text spec (trimmed, empty ones dropped; a JSON spec is one token),
std::vector<std::string> arch_spec_tokens(const std::string& spec);
// the layer configs one token stands for (throws like parse_arch_spec; `after_flat`:
// whether the layers before it end flat), and back: the one token for such configs.
std::vector<nlohmann::json> parse_arch_token(const std::string& token, bool after_flat = false);
std::string arch_token_for(const std::vector<nlohmann::json>& layers);

}  // namespace distillery
