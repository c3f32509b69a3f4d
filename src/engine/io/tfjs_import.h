#pragma once
// Importing a TensorFlow.js Layers model (model.json + weight shards), as
// written by TF.js' model.save() or by `tensorflowjs_converter` from a Keras
// model, into a Distillery Model. Bytes in, Model out: no file access.
//
//   TfjsImportOptions options;
//   options.class_names = {"cat", "dog"};
//   Model m = import_tfjs_model(json_text, {shard1_bytes, shard2_bytes}, options);
//
// Supported: Sequential and functional models (branches, residual adds) of
// InputLayer, Dense, Conv2D, DepthwiseConv2D, MaxPooling2D, AveragePooling2D,
// GlobalAveragePooling2D, Flatten, Dropout, Activation, ReLU (max_value 6 is a
// relu6), LeakyReLU, Softmax (as the output), BatchNormalization, and in
// functional models Add and Concatenate, with float32 weights, stored plain or
// quantized the way TF.js stores them (uint8, uint16 or float16:
// tensorflowjs_converter --quantize_*, or export_tfjs_model's TfjsWeightDtype),
// which are dequantized to the same float32 values tf.loadLayersModel computes.
// Layer activations linear/relu/relu6/sigmoid/tanh become
// activation layers; a softmax output is dropped (Distillery models output
// logits and apply softmax when predicting); a one-unit sigmoid output becomes
// two logits [0, z], whose softmax is [1 - sigmoid(z), sigmoid(z)].
// A ZeroPadding2D before a "valid" Conv2D, DepthwiseConv2D or (on an input
// that is never negative, after a relu) MaxPooling2D becomes that layer's
// explicit padding [[top, bottom], [left, right]]; anywhere else it is refused.
// Weights are matched by name ("<layer>/kernel"), never by position: TF.js
// stores trainable weights before non-trainable ones.
// A flat input of s*s (or s*s*3) values becomes an s x s gray (RGB) image
// followed by a flatten layer, so MLPs trained on flattened images take images.
// Errors name the TF.js layer and its class, e.g.
//   layer 'lstm_1' (LSTM) is not supported (supported: Dense, Conv2D, ...)
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/shape.h"
#include "engine/data/file_entry.h"
#include "engine/model/model.h"

namespace distillery {

struct TfjsImportOptions {
  // Pixel multiplier recorded as the model's preprocessing; < 0 means "the
  // value Distillery exported with (userDefinedMetadata), else 1/255".
  float input_scale = -1.0f;
  // One name per output; empty means the exported names, else "class_0", ...
  std::vector<std::string> class_names;
  // The image a flat (or [H, W]) input is read as; empty means guessed
  // (s*s -> [s, s, 1], s*s*3 -> [s, s, 3]).
  Shape image_shape;
};

// Shard file paths that model.json's weightsManifest lists, in the order
// import_tfjs_model() wants their bytes. Throws Error for a text that is not
// a TF.js Layers model.json.
std::vector<std::string> tfjs_weight_paths(const std::string& model_json);

// True when the text looks like a TF.js model.json (has "modelTopology").
bool is_tfjs_model_json(const std::string& text);

// Throws Error naming the problem (layer and class, weight name, shard).
Model import_tfjs_model(const std::string& model_json, const std::vector<std::vector<uint8_t>>& shards,
                        const TfjsImportOptions& options = {});

// The same from uploaded files (browser multi-select, drag-and-drop or an
// unpacked ZIP): the model.json is the entry holding "modelTopology"; shards
// are matched to the manifest by file name. Throws Error naming a missing shard.
Model import_tfjs_files(const std::vector<FileEntry>& files, const TfjsImportOptions& options = {});

}  // namespace distillery
