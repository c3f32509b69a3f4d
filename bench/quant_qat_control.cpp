// The control for bench/quant_qat.sh: the same fine-tuning as
// `quantize --qat-epochs E --teacher T` (kd, Adam at LR, batch 64, seed 42,
// all training images) but in float, without fake quantization, then the same
// int8 PTQ (500 calibration images). What QAT adds over "one more epoch of
// distillation" is the difference between the two.
//
//   quant_qat_control STUDENT.json TEACHER.json TRAIN_IDX TEST_IDX [EPOCHS=1] [LR=1e-4]
//
// Prints: student, float accuracy after fine-tuning, int8 accuracy after PTQ of it. One thread.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/core/settings.h"
#include "engine/data/batch.h"
#include "engine/metrics/metrics.h"
#include "engine/quant/quantized_model.h"
#include "engine/train/trainer.h"
#include "native/dataset_files.h"
#include "native/model_files.h"

using namespace distillery;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: quant_qat_control STUDENT.json TEACHER.json TRAIN_IDX TEST_IDX [EPOCHS] [LR]\n");
    return 2;
  }
  try {
    set_thread_count(1);
    Model student = load_model_file(argv[1]);
    Model teacher = load_model_file(argv[2]);
    const Dataset train = load_dataset_from_path(argv[3]);
    const Dataset test = load_dataset_from_path(argv[4]);
    TrainConfig config;
    config.epochs = argc > 5 ? std::atoi(argv[5]) : 1;
    config.learning_rate = argc > 6 ? float(std::atof(argv[6])) : 1e-4f;
    config.seed = 42;
    config.loss = LossKind::kHinton;
    TrainingRun(student, train, all_indices(train.size()), {}, config, &teacher).run();

    // 500 calibration images drawn as `distillery quantize --seed 42` draws them.
    std::vector<int> indices = all_indices(train.size());
    Rng rng(42);
    const int n = std::min(500, train.size());
    for (int i = 0; i < n; ++i)
      std::swap(indices[size_t(i)], indices[size_t(i) + rng.below(uint32_t(train.size() - i))]);
    indices.resize(size_t(n));
    Tensor calibration;
    gather_batch(train, indices.data(), n, student.preprocessing, calibration);
    QuantizedModel q = quantize_model(student, calibration, {QuantMode::Int8});

    const double float_accuracy = evaluate(student, test, {}).accuracy;
    const double int8_accuracy =
        evaluate(student, [&](const Tensor& x) -> const Tensor& { return q.forward(x); }, test, {}).accuracy;
    std::printf("%s %.4f %.4f\n", argv[1], float_accuracy, int8_accuracy);
  } catch (const Error& e) {
    std::fprintf(stderr, "quant_qat_control: %s\n", e.what());
    return 1;
  }
  return 0;
}
