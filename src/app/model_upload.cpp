// Model uploads. Sections: recognising files, TF.js and ONNX import, the entry point.
#include "app/model_upload.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "app/zip_archive.h"
#include "engine/core/error.h"
#include "engine/data/zip.h"
#include "engine/io/model_json.h"
#include "engine/io/onnx_import.h"
#include "engine/io/onnx_model.h"
#include "engine/io/tfjs_import.h"
#include "engine/layers/layer_registry.h"

namespace distillery {

// --- recognising files ----------------------------------------------------------------

namespace {

bool has_suffix(const std::string& path, const std::string& suffix) {
  if (path.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), path.rbegin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(b)) == a; });
}

bool is_json(const std::string& path) { return has_suffix(path, ".json"); }
bool is_bin(const std::string& path) { return has_suffix(path, ".bin"); }
bool is_onnx(const std::string& path) { return has_suffix(path, ".onnx"); }

// A .json with only .bin files beside it (at least one .json).
bool json_with_shards(const std::vector<std::string>& paths) {
  int json = 0;
  for (const std::string& p : paths) {
    if (is_json(p)) ++json;
    else if (!is_bin(p)) return false;
  }
  return json >= 1;
}

std::string text_of(const FileEntry& f) { return std::string(f.bytes.begin(), f.bytes.end()); }

}  // namespace

bool looks_like_model_upload(const std::vector<FileEntry>& files) {
  if (files.empty()) return false;
  if (files.size() == 1 && is_onnx(files[0].path)) return true;
  std::vector<std::string> paths;
  for (const FileEntry& f : files) paths.push_back(f.path);
  if (json_with_shards(paths)) return true;
  if (files.size() == 1 && is_zip(files[0].bytes)) {
    const std::vector<std::string> names = zip_entry_names(files[0].bytes);
    std::vector<std::string> kept;
    for (const std::string& n : names)
      if (!n.empty() && n.back() != '/' && n.find("__MACOSX/") == std::string::npos) kept.push_back(n);
    if (kept.size() == 1 && is_onnx(kept[0])) return true;
    return json_with_shards(kept) && std::any_of(kept.begin(), kept.end(), is_bin);
  }
  return false;
}

// --- TF.js and ONNX import ---------------------------------------------------------------

namespace {

std::string shard_count_text(size_t files) {
  const size_t shards = files - 1;
  return shards == 1 ? "1 weight file" : std::to_string(shards) + " weight files";
}

// An ONNX file by name, or by its first bytes when the name says nothing (not .json/.bin).
bool is_onnx_file(const FileEntry& f) {
  return is_onnx(f.path) || (!is_json(f.path) && !is_bin(f.path) && looks_like_onnx_model(f.bytes));
}

// TF.js and ONNX imports take the same options; `import` is one of them.
using ForeignImport = std::function<Model(const TfjsImportOptions&)>;

Model import_foreign_for_dataset(const ForeignImport& import, const ModelImportSettings& settings,
                                 const Dataset* dataset) {
  TfjsImportOptions options;
  options.input_scale = settings.tfjs_input_scale;
  Model model = import(options);
  if (!dataset) return model;
  // A flat input guessed as s x s gray may be the dataset's s' x s'' x c image.
  const Shape want = dataset->sample_shape();
  if (model.input_shape() != want && model.input_shape().size() == want.size() && model.num_layers() > 0 &&
      LayerRegistry::instance().kind(model.layer(0).type()).channels == ChannelFlow::flattened) {
    options.image_shape = want;
    try {
      model = import(options);
    } catch (const Error&) {
      // Keep the guess: the mismatch is reported by the caller with both shapes.
    }
  }
  if (model.num_outputs() == dataset->num_classes()) model.class_names = dataset->class_names;
  return model;
}

// What the source line says after the file name: which foreign format was read.
const char* format_suffix(ModelFileFormat format) {
  switch (format) {
    case ModelFileFormat::kTfjs: return " (TF.js)";
    case ModelFileFormat::kOnnx: return " (ONNX)";
    case ModelFileFormat::kDistillery: return "";
  }
  return "";
}

}  // namespace

const NameTable<ModelFileFormat>& model_file_format_names() {
  static const NameTable<ModelFileFormat> table("model file format", {{ModelFileFormat::kDistillery, "distillery"},
                                                                      {ModelFileFormat::kTfjs, "tfjs"},
                                                                      {ModelFileFormat::kOnnx, "onnx"}});
  return table;
}

// --- the entry point --------------------------------------------------------------------

ImportedModel import_model_files(const std::vector<FileEntry>& files, const ModelImportSettings& settings,
                                 const Dataset* dataset) {
  require(!files.empty(), "no model files were given");
  ImportedModel out;
  if (files.size() == 1 && is_zip(files[0].bytes)) {
    const std::vector<FileEntry> inside = unzip(files[0].bytes, files[0].path);
    require(!inside.empty(), files[0].path + ": the ZIP archive holds no files");
    const bool nested = std::any_of(inside.begin(), inside.end(), [](const FileEntry& f) { return is_zip(f.bytes); });
    require(!nested, files[0].path + ": a ZIP inside the ZIP is not read; unpack it first");
    try {
      out = import_model_files(inside, settings, dataset);
    } catch (const Error& e) {
      throw Error(files[0].path + ": " + e.what());
    }
    out.source = files[0].path + format_suffix(out.format);
    return out;
  }

  if (files.size() == 1 && is_onnx_file(files[0])) {
    const FileEntry& f = files[0];
    try {
      out.model = std::make_shared<Model>(import_foreign_for_dataset(
          [&](const TfjsImportOptions& options) { return import_onnx_model(f.bytes, options); }, settings, dataset));
    } catch (const Error& e) {
      throw Error(f.path + ": " + e.what());
    }
    out.format = ModelFileFormat::kOnnx;
    out.source = f.path + format_suffix(out.format);
    return out;
  }

  const bool any_tfjs = std::any_of(files.begin(), files.end(), [](const FileEntry& f) {
    return is_json(f.path) && is_tfjs_model_json(text_of(f));
  });
  if (any_tfjs) {
    out.model = std::make_shared<Model>(import_foreign_for_dataset(
        [&](const TfjsImportOptions& options) { return import_tfjs_files(files, options); }, settings, dataset));
    const auto json = std::find_if(files.begin(), files.end(), [](const FileEntry& f) { return is_json(f.path); });
    out.format = ModelFileFormat::kTfjs;
    out.source = json->path + " + " + shard_count_text(files.size()) + format_suffix(out.format);
    return out;
  }
  const bool any_bin = std::any_of(files.begin(), files.end(), [](const FileEntry& f) { return is_bin(f.path); });
  require(!any_bin, "there are .bin weight files but no TF.js model.json (a .json file with \"modelTopology\"); "
                    "pick the model.json together with them");
  require(files.size() == 1, "pick one model file: a Distillery model .json, an ONNX .onnx, or a TF.js model.json "
                             "with its .bin files, or a ZIP of them");
  try {
    out.model = std::make_shared<Model>(load_model_json(text_of(files[0])));
  } catch (const Error& e) {
    throw Error(files[0].path + ": " + e.what());
  }
  out.source = files[0].path;
  out.format = ModelFileFormat::kDistillery;
  return out;
}

}  // namespace distillery
