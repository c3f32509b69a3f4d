#pragma once
// TensorFlow.js Layers models on disk for the native front ends: a model.json
// and the weight shards its manifest lists, relative to the model.json's
// folder. The engine converts bytes (engine/io/tfjs_import.h, tfjs_export.h);
// this file only finds, reads and writes the files. Errors read "PATH: problem".
#include <string>
#include <vector>

#include "engine/io/tfjs_import.h"
#include "engine/io/tfjs_quantization.h"
#include "engine/model/model.h"

namespace distillery {

// True when path is a folder holding model.json, or a .json file whose text
// is a TF.js model (has "modelTopology").
bool is_tfjs_model_path(const std::string& path);

// PATH is a model.json or a folder holding one. Shards are looked up at the
// manifest's relative paths, then by file name beside model.json.
Model load_tfjs_model_files(const std::string& path, const TfjsImportOptions& options = {});

// PATH is a folder (created when missing; writes model.json and weights.bin)
// or a file ending in .json (writes it and STEM.weights.bin beside it).
// Each file is written through a temporary file renamed into place.
// Returns the paths written, model.json first. `weights`: how the shard stores
// them (engine/io/tfjs_export.h).
std::vector<std::string> save_tfjs_model_files(const std::string& path, const Model& model,
                                               TfjsWeightDtype weights = TfjsWeightDtype::Float32);

}  // namespace distillery
