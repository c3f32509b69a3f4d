#include "native/model_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/error.h"
#include "engine/io/json_limits.h"
#include "native/file_writing.h"

namespace distillery {
namespace {

namespace fs = std::filesystem;

std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(path + ": is a folder, not a model file");
  // Refused before reading: the engine would refuse the text anyway (json_limits.h).
  const uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > uintmax_t(JsonLimits{}.max_bytes))
    throw Error(path + ": the file is " + std::to_string(size) + " bytes, over the limit of " +
                std::to_string(JsonLimits{}.max_bytes) + " bytes for a model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(path + ": cannot read (" + std::strerror(errno) + ")");
  return text.str();
}

}  // namespace

std::string read_model_file_text(const std::string& path) {
  std::string text = read_whole_file(path);
  if (text.empty()) throw Error(path + ": the file is empty");
  return text;
}

Model load_model_file(const std::string& path) {
  const std::string text = read_model_file_text(path);
  try {
    return load_model_json(text);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

void save_model_file(const std::string& path, const Model& model, const ModelJsonOptions& options) {
  std::string text;
  try {
    text = save_model_json(model, options);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  write_file_atomically(path, text.data(), text.size());
}

}  // namespace distillery
