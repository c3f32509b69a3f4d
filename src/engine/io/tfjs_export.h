#pragma once
// Exporting a Distillery Model as a TensorFlow.js Layers model: model.json
// text and one weight shard, which tf.loadLayersModel() loads. Model in,
// bytes out: no file access (src/native/tfjs_files.h writes them to disk).
//
//   TfjsModelFiles files = export_tfjs_model(model);
//   // files.model_json -> "model.json", files.weights -> files.weights_path ("weights.bin")
//
// The topology is a Sequential model in TF.js' own dialect (keras_version
// "tfjs-layers ...", snake_case configs, layer names like "dense_1").
// Activations right after a dense/conv layer fold into its "activation"; the
// output gets a softmax (Distillery models output logits), so TF.js' predict()
// gives the probabilities that `distillery predict` prints. Pruned weights are
// written as zeros; a structured-pruned model is simply the smaller model.
// Explicit pads (PyTorch's, from ONNX) that are TensorFlow's "same" for the
// layer's input are written "same"; others as a ZeroPadding2D in front of the
// layer padded "valid" (a max pool's only when its input is never negative;
// an average pool's never: see LayerKind::tfjs_zero_pads).
// Class names, preprocessing, name and provenance travel in
// "userDefinedMetadata"."distillery", which import_tfjs_model() reads back.
// The input is the preprocessed image, x = (pixel * scale - mean) / std.
//
// `weights` chooses how the shard stores them: float32, or TF.js's own
// quantized forms (tfjs_quantization.h), which tf.loadLayersModel reads
// unchanged and dequantizes to float32 when it loads: uint8 (4x smaller, one
// affine range per tensor, within half a step of each weight, pruned zeros
// exactly 0), uint16 (2x) or float16 (2x). Every weight tensor is stored the
// chosen way, as tensorflowjs_converter --quantize_* does. TF.js computes in
// float either way; a quantized Distillery model exports as the float model
// it stands for (its dequantized weights), stored the chosen way.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/tfjs_quantization.h"
#include "engine/model/model.h"

namespace distillery {

struct TfjsModelFiles {
  std::string model_json;
  std::vector<uint8_t> weights;  // little-endian values of the chosen dtype, in manifest order
  std::string weights_path;      // the shard's name in the manifest, relative to model.json
};

// Throws Error naming a layer TF.js cannot express, a non-finite weight, or
// one beyond float16's range when storing float16.
TfjsModelFiles export_tfjs_model(const Model& model, const std::string& weights_path = "weights.bin",
                                 TfjsWeightDtype weights = TfjsWeightDtype::Float32);

}  // namespace distillery
