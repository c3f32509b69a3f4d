#include "cli/cli_data.h"

#include <filesystem>
#include <map>

#include "cli/progress.h"
#include "engine/core/error.h"
#include "engine/data/dataset_ops.h"
#include "native/dataset_files.h"
#include "native/model_files.h"

namespace distillery {
void require_exists(const std::string& path) {
  std::error_code ec;
  require(std::filesystem::exists(path, ec), path + ": no such file or folder");
}

namespace {

// Loader errors usually name the path already; make sure they do.
Dataset load_naming_path(const std::string& path, const std::string& labels_path, const DatasetOptions& options) {
  require_exists(path);
  if (!labels_path.empty()) require_exists(labels_path);
  try {
    return load_dataset_from_path(path, labels_path, options);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.find(path) != std::string::npos) throw;
    throw Error(path + ": " + message);
  }
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Dataset load_training_data(const std::string& path, const std::string& labels_path) {
  Dataset data = load_naming_path(path, labels_path, {});
  require(data.size() > 0, path + ": the dataset has no samples");
  require_two_classes(data, path);
  return data;
}

void require_two_classes(const Dataset& data, const std::string& path) {
  std::vector<int> counts = data.class_counts();
  int present = 0;
  for (int c : counts) present += c > 0;
  if (present >= 2) return;
  std::string only = "none";
  for (size_t k = 0; k < counts.size(); ++k)
    if (counts[k] > 0) only = "'" + data.class_names[k] + "'";
  throw Error(path + ": the dataset has only one class (" + only + "); a classifier needs at least two");
}

Model load_teacher_for(const std::string& teacher_path, const Model& model) {
  Model teacher = load_model_file(teacher_path);
  require(teacher.input_shape() == model.input_shape(), teacher_path + ": the teacher takes input " +
                                                            teacher.input_shape().str() + " but the model " +
                                                            model.input_shape().str());
  require(teacher.class_names == model.class_names, teacher_path + ": the teacher's classes differ from the model's");
  return teacher;
}

void require_image_model(const Model& model, const std::string& model_path) {
  const Shape& in = model.input_shape();
  require(in.rank() == 3 && (in[2] == 1 || in[2] == 3),
          model_path + ": the model takes input " + in.str() + ", not images [height, width, 1 or 3]");
}

void align_classes(Dataset& data, const std::vector<std::string>& class_names, const std::string& data_path,
                   const std::string& model_path) {
  if (data.class_names == class_names) return;
  std::map<std::string, int> model_index;
  for (size_t k = 0; k < class_names.size(); ++k) model_index[class_names[k]] = static_cast<int>(k);
  std::vector<int> mapping;
  std::string unknown;
  for (const std::string& name : data.class_names) {
    auto it = model_index.find(name);
    if (it == model_index.end() && unknown.empty()) unknown = name;
    mapping.push_back(it == model_index.end() ? -1 : it->second);
  }
  if (!unknown.empty()) {
    require(data.class_names.size() == class_names.size(),
            data_path + ": class '" + unknown + "' is not one of the classes of " + model_path + " (" +
                join(class_names) + ")");
    note("note: the classes of " + data_path + " (" + join(data.class_names) + ") are matched by position to those of " +
         model_path + " (" + join(class_names) + ")");
    for (size_t k = 0; k < mapping.size(); ++k) mapping[k] = static_cast<int>(k);
  }
  for (int& label : data.labels) label = mapping[static_cast<size_t>(label)];
  data.class_names = class_names;
}

Dataset load_data_for_model(const std::string& path, const std::string& labels_path, const Model& model,
                            const std::string& model_path) {
  require_image_model(model, model_path);
  DatasetOptions options;
  options.height = model.input_shape()[0];
  options.width = model.input_shape()[1];
  options.channels = model.input_shape()[2];
  Dataset data = load_naming_path(path, labels_path, options);
  require(data.size() > 0, path + ": the dataset has no samples");
  if (data.sample_shape() != model.input_shape()) data = conform_dataset(data, model.input_shape());
  align_classes(data, model.class_names, path, model_path);
  return data;
}

}  // namespace distillery
