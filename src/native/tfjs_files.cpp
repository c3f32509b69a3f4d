#include "native/tfjs_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/text.h"
#include "engine/core/error.h"
#include "engine/io/tfjs_export.h"
#include "native/dataset_files.h"
#include "native/file_writing.h"

namespace distillery {
namespace {

namespace fs = std::filesystem;

// The model.json of PATH (itself, or inside the folder).
std::string model_json_path(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const std::string inside = (fs::path(path) / "model.json").string();
    require(fs::exists(inside, ec), path + ": the folder holds no model.json");
    return inside;
  }
  require(fs::exists(path, ec), path + ": no such file or folder");
  return path;
}

std::string shard_path(const std::string& json_path, const std::string& manifest_path) {
  const fs::path folder = fs::path(json_path).parent_path();
  std::error_code ec;
  const fs::path relative = (folder / manifest_path).lexically_normal();
  if (manifest_path.find("://") == std::string::npos && fs::is_regular_file(relative, ec)) return relative.string();
  const fs::path beside = folder / fs::path(manifest_path).filename();
  if (fs::is_regular_file(beside, ec)) return beside.string();
  throw Error(json_path + ": the weight file '" + manifest_path + "' is not there (looked for " +
              relative.string() + ")");
}


}  // namespace

bool is_tfjs_model_path(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fs::exists(fs::path(path) / "model.json", ec);
  if (!fs::is_regular_file(path, ec) || !ends_with(path, ".json")) return false;
  return is_tfjs_model_json(read_text_file(path));
}

Model load_tfjs_model_files(const std::string& path, const TfjsImportOptions& options) {
  const std::string json_path = model_json_path(path);
  const std::string text = read_text_file(json_path);
  std::vector<std::vector<uint8_t>> shards;
  try {
    for (const std::string& manifest_path : tfjs_weight_paths(text))
      shards.push_back(read_file_bytes(shard_path(json_path, manifest_path)));
    return import_tfjs_model(text, shards, options);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.rfind(json_path, 0) == 0) throw;
    throw Error(json_path + ": " + message);
  }
}

std::vector<std::string> save_tfjs_model_files(const std::string& path, const Model& model,
                                               TfjsWeightDtype weights) {
  std::string json_path, weights_name;
  if (ends_with(path, ".json")) {
    json_path = path;
    weights_name = fs::path(path).stem().string() + ".weights.bin";
  } else {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) throw Error(path + ": cannot create the folder (" + ec.message() + ")");
    json_path = (fs::path(path) / "model.json").string();
    weights_name = "weights.bin";
  }
  TfjsModelFiles files;
  try {
    files = export_tfjs_model(model, weights_name, weights);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  const std::string weights_path = (fs::path(json_path).parent_path() / weights_name).string();
  // Weights first: a model.json never points at weights that are not there yet.
  write_file_atomically(weights_path, files.weights.data(), files.weights.size());
  write_file_atomically(json_path, files.model_json.data(), files.model_json.size());
  return {json_path, weights_path};
}

}  // namespace distillery
