#pragma once
// Model uploads: what the Teacher panel's picker, a drop and the JS API's
// loadTeacherFiles() hand over, turned into a Model. Accepted:
//   - a Distillery model JSON file
//   - a TensorFlow.js Layers model: model.json with its .bin weight shards
//   - an ONNX model (.onnx, e.g. from torch.onnx.export)
//   - a ZIP archive holding any of them
// Bytes in, Model out: the caller decides whether it becomes the teacher.
#include <memory>
#include <string>
#include <vector>

#include "engine/core/name_table.h"
#include "engine/data/dataset.h"
#include "engine/data/file_entry.h"
#include "engine/model/model.h"

namespace distillery {

struct ModelImportSettings {
  // Pixel multiplier for TF.js and ONNX models; < 0 means "what the file
  // records (a Distillery export), else 1/255".
  float tfjs_input_scale = -1.0f;
};

// The kind of model file an upload held. Its name is what loadTeacherFiles()
// returns as "format".
enum class ModelFileFormat { kDistillery, kTfjs, kOnnx };
const NameTable<ModelFileFormat>& model_file_format_names();
inline const char* model_file_format_name(ModelFileFormat f) { return model_file_format_names().name(f); }

struct ImportedModel {
  std::shared_ptr<Model> model;
  std::string source;  // e.g. "model.json + 2 weight files (TF.js)"
  ModelFileFormat format = ModelFileFormat::kDistillery;
};

// With a dataset, a TF.js or ONNX model takes its class names when the counts match
// (else the names the file records, else class_0, ...), and a flat input
// (an MLP on flattened pixels) is read as the dataset's image shape when the
// sizes match. Throws Error naming the problem: a missing shard, an
// unsupported layer, a file that is no model.
ImportedModel import_model_files(const std::vector<FileEntry>& files, const ModelImportSettings& settings,
                                 const Dataset* dataset);

// Whether dropped files are a model rather than a dataset or images: one
// .json file; .json with .bin files; one .onnx file; or a ZIP listing a
// .json and a .bin, or one .onnx.
bool looks_like_model_upload(const std::vector<FileEntry>& files);

}  // namespace distillery
