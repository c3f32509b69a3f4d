#include "native/quantized_model_files.h"

#include "engine/core/error.h"
#include "native/file_writing.h"
#include "native/model_files.h"

namespace distillery {

bool model_file_is_quantized(const std::string& path) { return is_quantized_model_json(read_model_file_text(path)); }

QuantizedModel load_quantized_model_file(const std::string& path) {
  const std::string text = read_model_file_text(path);
  try {
    return load_quantized_model_json(text);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

void save_quantized_model_file(const std::string& path, const QuantizedModel& model, const ModelJsonOptions& options) {
  std::string text;
  try {
    text = save_quantized_model_json(model, options);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  write_file_atomically(path, text.data(), text.size());
}

AnyModelFile load_any_model_file(const std::string& path) {
  AnyModelFile file;
  file.quantized = model_file_is_quantized(path);
  if (file.quantized) {
    file.quantized_model = load_quantized_model_file(path);
    file.model = file.quantized_model.reference().clone();
  } else {
    file.model = load_model_file(path);
  }
  return file;
}

}  // namespace distillery
