#pragma once
// Reading and writing model files for the native front ends. Errors read
// "FILE: problem", e.g. "teacher.json: layer 3 (dense): weights.kernel is missing".
#include <string>

#include "engine/io/model_json.h"
#include "engine/model/model.h"

namespace distillery {

// Throws Error "PATH: problem" when the file cannot be read or is no valid model.
Model load_model_file(const std::string& path);
// The file's text, with the same checks (not a folder, within the size limit, not empty).
std::string read_model_file_text(const std::string& path);

// Writes through a temporary file renamed into place, so an interrupted or
// failed save never leaves half a model behind. Throws Error "PATH: problem".
void save_model_file(const std::string& path, const Model& model, const ModelJsonOptions& options = {});

}  // namespace distillery
