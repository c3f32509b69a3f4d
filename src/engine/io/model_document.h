#pragma once
// A model file read once for readers that build on the float reader: the
// quantized reader needs the document (its "quantization" section) and each
// tensor as stored (dtype, integers, scales), which load_model_json decodes
// and then drops. Only they include this; everyone else calls load_model_json.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/model_json.h"

namespace distillery {

struct ModelDocument {
  Model model;                       // what load_model_json returns
  nlohmann::json doc;                // the parsed file
  std::vector<StoredTensor> tensors;  // one per ParamRef of `model`, in its order
};

// load_model_json's checks and errors, keeping the document and the tensors.
ModelDocument load_model_document(const std::string& text);

}  // namespace distillery
