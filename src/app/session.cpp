#include "app/session.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/core/rng.h"

namespace distillery {

DataSplit make_split(int n, const SplitSettings& settings) {
  std::vector<int> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[i] = i;
  Rng rng(settings.seed);
  rng.shuffle(order);
  const int test = std::clamp(static_cast<int>(std::lround(n * settings.test_fraction)), n > 2 ? 1 : 0, n);
  const int val = std::clamp(static_cast<int>(std::lround(n * settings.val_fraction)), 0, n - test);
  DataSplit split;
  split.test.assign(order.begin(), order.begin() + test);
  split.val.assign(order.begin() + test, order.begin() + test + val);
  split.train.assign(order.begin() + test + val, order.end());
  for (auto* part : {&split.train, &split.val, &split.test}) std::sort(part->begin(), part->end());
  return split;
}

std::string BaselineComparison::line() const {
  char text[160];
  std::snprintf(text, sizeof text, "distilled %.1f %% vs alone %.1f %% (%+.1f points, same seed and schedule)",
                distilled_accuracy * 100, alone_accuracy * 100, gain() * 100);
  return text;
}

void Session::set_dataset(std::shared_ptr<const Dataset> data, std::string source) {
  dataset = std::move(data);
  if (unlabeled && (!dataset || unlabeled->sample_shape() != dataset->sample_shape())) set_unlabeled(nullptr, "");
  dataset_source = std::move(source);
  ++dataset_version;
  resplit();
}

void Session::set_unlabeled(std::shared_ptr<const Dataset> images, std::string source) {
  unlabeled = std::move(images);
  unlabeled_source = unlabeled ? std::move(source) : std::string();
  ++unlabeled_version;
}

void Session::resplit() {
  split = dataset ? make_split(dataset->size(), split_settings) : DataSplit{};
  // Evaluations were on the old test split.
  teacher_eval.reset();
  student_eval.reset();
  quantized_eval.reset();
}

void Session::set_teacher(std::shared_ptr<Model> model, std::string source) {
  teacher = std::move(model);
  teacher_source = std::move(source);
  teacher_eval.reset();
  ++teacher_version;
  // A quantized teacher stood for the model just replaced.
  if (quantized && quantized->source == ModelRole::kTeacher) set_quantized(std::nullopt);
}

void Session::set_student(std::shared_ptr<Model> model, StudentRecipe recipe) {
  student = std::move(model);
  student_recipe = std::move(recipe);
  student_eval.reset();
  baseline_curves = TrainingCurves{};
  comparison.reset();
  baseline_student.reset();
  ++student_version;
  if (quantized && quantized->source == ModelRole::kStudent) set_quantized(std::nullopt);
}

void Session::set_quantized(std::optional<QuantizedEntry> entry) {
  quantized = std::move(entry);
  quantized_eval.reset();
  ++quantized_version;
}

std::string model_data_mismatch(const Model& model, const Dataset& data, const std::string& model_name) {
  if (model.input_shape() != data.sample_shape())
    return "the " + model_name + " expects images of shape " + model.input_shape().str() + " but the dataset's are " +
           data.sample_shape().str();
  if (model.num_outputs() != data.num_classes())
    return "the " + model_name + " has " + std::to_string(model.num_outputs()) + " outputs but the dataset has " +
           std::to_string(data.num_classes()) + " classes";
  return "";
}

}  // namespace distillery
