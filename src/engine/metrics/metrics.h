#pragma once
// Evaluation of a model on part of a dataset: what the CLI's `eval --json`
// prints and what the Evaluate panel shows.
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/data/dataset.h"
#include "engine/model/model.h"

namespace distillery {

struct EvalReport {
  int samples = 0;
  double accuracy = 0;                        // fraction 0..1
  std::vector<double> per_class_accuracy;     // NaN for a class with no samples
  std::vector<std::vector<int>> confusion;    // [true][predicted]
  double agreement = -1;                      // with the teacher; -1 when none
  double teacher_accuracy = -1;               // -1 when no teacher
  double kl_to_teacher = -1;                  // mean KL(teacher || model) at T = 1, nats; -1 when no teacher
  int64_t params = 0;
  int64_t nonzero_params = 0;
  double latency_ms_per_sample = 0;           // batch-1 inference, median
};

// indices: which samples to use (empty = all). teacher may be null.
EvalReport evaluate(Model& model, const Dataset& data, const std::vector<int>& indices, Model* teacher = nullptr);

// Inference logits of a batch of preprocessed inputs: how evaluate() runs a
// model that is not a float Model (a QuantizedModel, engine/quant).
using LogitsFunction = std::function<const Tensor&(const Tensor& inputs)>;
// description: the float model `logits` stands for (input shape, classes,
// preprocessing, parameter counts).
EvalReport evaluate(const Model& description, const LogitsFunction& logits, const Dataset& data,
                    const std::vector<int>& indices, Model* teacher = nullptr);

// Median milliseconds of one single-sample forward pass over `repeats` runs.
double measure_latency_ms(Model& model, int repeats = 50);
double measure_latency_ms(const Shape& input_shape, const LogitsFunction& logits, int repeats = 50);

// Arg-max class of each row of logits.
std::vector<int> predicted_classes(const Tensor& logits);

}  // namespace distillery
