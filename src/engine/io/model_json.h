#pragma once
// The Distillery model file: one JSON document, versioned and self-describing
// (schema in docs/MODEL_FORMAT.md). It takes and returns text, not paths: the
// browser has no disk (src/native/model_files.h reads and writes files).
//
//   std::string text = save_model_json(model, {"base64", 2});
//   Model again = load_model_json(text);   // bit-identical weights and masks
#include <string>

#include "engine/model/model.h"

namespace distillery {

constexpr const char* kModelFormatName = "distillery-model";
constexpr int kModelFormatVersion = 1;

struct ModelJsonOptions {
  // "array": weights as plain JSON numbers (readable, diffable);
  // "base64": little-endian float32 bytes in base64 (about 3x smaller).
  std::string weights_encoding = "array";
  // Spaces per level; < 0 writes one compact line.
  int indent = 2;
};

// Throws Error for an unknown encoding or weights that are NaN or infinite
// (naming the layer and tensor).
std::string save_model_json(const Model& model, const ModelJsonOptions& options = {});

// Parses and validates a model file: format name, version, known layer types,
// shapes, weight lengths, masks, class names. Every Error names the layer
// index/type and the field at fault, e.g.
//   layer 2 (dense): weights.kernel has shape [3, 4] but the layer needs [784, 128]
Model load_model_json(const std::string& text);

}  // namespace distillery
