#include "engine/metrics/metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/losses/losses.h"
#include "engine/train/trainer.h"

namespace distillery {

std::vector<int> predicted_classes(const Tensor& logits) {
  const int n = logits.rows();
  const int64_t c = logits.row_size();
  std::vector<int> out(n);
  for (int i = 0; i < n; ++i) {
    const float* row = logits.data() + i * c;
    out[i] = static_cast<int>(std::max_element(row, row + c) - row);
  }
  return out;
}

namespace {

struct Predictions {
  std::vector<int> classes;
  std::vector<float> probabilities;  // [samples, classes] when asked for
};

// Predicted class (and probabilities) of every chosen sample, in chunks.
Predictions predict_all(const LogitsFunction& logits_of, const Preprocessing& preprocessing, const Dataset& data,
                        const std::vector<int>& indices, bool probabilities) {
  Predictions out;
  out.classes.reserve(indices.size());
  Tensor inputs, p;
  const int chunk = 256;
  for (size_t begin = 0; begin < indices.size(); begin += chunk) {
    const int count = static_cast<int>(std::min<size_t>(chunk, indices.size() - begin));
    gather_batch(data, indices.data() + begin, count, preprocessing, inputs);
    const Tensor& logits = logits_of(inputs);
    const auto predicted = predicted_classes(logits);
    out.classes.insert(out.classes.end(), predicted.begin(), predicted.end());
    if (probabilities) {
      softmax(logits, 1.0f, p);
      out.probabilities.insert(out.probabilities.end(), p.data(), p.data() + p.size());
    }
  }
  return out;
}

// Mean over samples of KL(teacher || student), in nats.
double mean_kl(const std::vector<float>& teacher, const std::vector<float>& student, size_t samples) {
  double total = 0;
  for (size_t i = 0; i < teacher.size(); ++i)
    if (teacher[i] > 0) total += teacher[i] * (std::log(teacher[i]) - std::log(std::max(student[i], 1e-30f)));
  return samples ? total / static_cast<double>(samples) : 0.0;
}

void check_fits(const Model& model, const Dataset& data, const char* role) {
  require(data.sample_shape() == model.input_shape(), std::string("the ") + role + " expects images " +
                                                          model.input_shape().str() + " but the data has " +
                                                          data.sample_shape().str());
  require(model.num_outputs() == data.num_classes(), std::string("the ") + role + " has " +
                                                         std::to_string(model.num_outputs()) +
                                                         " classes but the data has " +
                                                         std::to_string(data.num_classes()));
}

// A float model in inference mode.
LogitsFunction inference_of(Model& model) {
  return [&model](const Tensor& inputs) -> const Tensor& { return model.forward(inputs, false); };
}

}  // namespace

double measure_latency_ms(Model& model, int repeats) {
  return measure_latency_ms(model.input_shape(), inference_of(model), repeats);
}

double measure_latency_ms(const Shape& input_shape, const LogitsFunction& logits, int repeats) {
  Tensor input(input_shape.with_batch(1), 0.5f);
  logits(input);  // warm-up: sizes the workspaces
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    logits(input);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

EvalReport evaluate(Model& model, const Dataset& data, const std::vector<int>& chosen, Model* teacher) {
  return evaluate(model, inference_of(model), data, chosen, teacher);
}

EvalReport evaluate(const Model& model, const LogitsFunction& logits, const Dataset& data,
                    const std::vector<int>& chosen, Model* teacher) {
  check_fits(model, data, "model");
  if (teacher) check_fits(*teacher, data, "teacher");
  const std::vector<int> indices = chosen.empty() ? all_indices(data.size()) : chosen;
  require(!indices.empty(), "there are no samples to evaluate");
  const int classes = data.num_classes();

  EvalReport report;
  report.samples = static_cast<int>(indices.size());
  report.confusion.assign(classes, std::vector<int>(classes, 0));
  const Predictions student = predict_all(logits, model.preprocessing, data, indices, teacher != nullptr);
  const std::vector<int>& predicted = student.classes;
  int correct = 0;
  for (size_t i = 0; i < indices.size(); ++i) {
    const int truth = data.labels[indices[i]];
    ++report.confusion[truth][predicted[i]];
    correct += predicted[i] == truth;
  }
  report.accuracy = static_cast<double>(correct) / indices.size();
  for (int k = 0; k < classes; ++k) {
    int total = 0;
    for (int v : report.confusion[k]) total += v;
    report.per_class_accuracy.push_back(total ? static_cast<double>(report.confusion[k][k]) / total
                                              : std::numeric_limits<double>::quiet_NaN());
  }
  if (teacher) {
    const Predictions teacher_out = predict_all(inference_of(*teacher), teacher->preprocessing, data, indices, true);
    const std::vector<int>& teacher_predicted = teacher_out.classes;
    int agree = 0, teacher_correct = 0;
    for (size_t i = 0; i < indices.size(); ++i) {
      agree += teacher_predicted[i] == predicted[i];
      teacher_correct += teacher_predicted[i] == data.labels[indices[i]];
    }
    report.agreement = static_cast<double>(agree) / indices.size();
    report.teacher_accuracy = static_cast<double>(teacher_correct) / indices.size();
    report.kl_to_teacher = mean_kl(teacher_out.probabilities, student.probabilities, indices.size());
  }
  report.params = model.parameter_count();
  report.nonzero_params = model.nonzero_parameter_count();
  report.latency_ms_per_sample = measure_latency_ms(model.input_shape(), logits);
  return report;
}

}  // namespace distillery
