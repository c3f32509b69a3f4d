// distillery quantize: post-training quantization of a model file (int8 with
// calibrated activations, or weight-only int8 / float16), with a report of
// what it costs (agreement with the float model) and saves (bytes).
#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/cli_data.h"
#include "cli/commands.h"
#include "cli/flag_groups.h"
#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/data/batch.h"
#include "engine/metrics/metrics.h"
#include "engine/quant/qat.h"
#include "engine/train/trainer.h"
#include "native/model_files.h"
#include "native/quantized_model_files.h"

namespace distillery {
namespace {

// `count` distinct samples drawn with the seed (all of them when there are fewer).
std::vector<int> calibration_indices(int available, int count, uint64_t seed) {
  std::vector<int> indices = all_indices(available);
  Rng rng(seed);
  const int n = std::min(count, available);
  for (int i = 0; i < n; ++i) std::swap(indices[size_t(i)], indices[size_t(i) + rng.below(uint32_t(available - i))]);
  indices.resize(size_t(n));
  return indices;
}

// --qat-epochs: quantization-aware fine-tuning on all of --data before PTQ, distilled from --teacher when given.
TrainConfig qat_config(const ArgParser& args, bool teacher) {
  TrainConfig config;
  config.epochs = args.get_whole("--qat-epochs", 0);
  config.learning_rate = float(args.get_double("--qat-lr", 1e-4, 0.0, 1e9));
  config.seed = uint64_t(args.get_int("--seed", 42, 0, 2147483647));
  config.loss = teacher ? LossKind::kHinton : LossKind::kCrossEntropy;
  return config;
}

double fraction_agreeing(const Tensor& a, const Tensor& b) {
  const std::vector<int> pa = predicted_classes(a), pb = predicted_classes(b);
  int same = 0;
  for (size_t i = 0; i < pa.size(); ++i) same += pa[i] == pb[i];
  return pa.empty() ? 1.0 : double(same) / double(pa.size());
}

void declare_quantize_flags(ArgParser& args) {
  args.add_required("--model", "MODEL.json", "the float model to quantize");
  args.add_required("--out", "Q.json", "where to write the quantized model");
  args.add_named("--mode", "MODE", quant_mode_names(), QuantMode::Int8,
                 "int8 runs on integer kernels; the others only shrink the weights");
  args.add_value("--data", "PATH", "training images to calibrate on (required for int8): folder, .zip, .csv or IDX");
  add_labels_flag(args);
  args.add_value("--calibration", "N", "images drawn from --data to calibrate on", "500");
  args.add_named("--calibration-method", "NAME", calibration_method_names(), CalibrationMethod::MinMax,
                 "percentile clips outliers");
  args.add_value("--percentile", "P", "with percentile: the range covers P% of the values (and 100 - P)", "99.99");
  add_seed_flag(args, "which calibration images are drawn");
  add_weights_encoding_flag(args, WeightsEncoding::kBase64, "base64 is smaller, the point of quantizing");
  args.add_value("--qat-epochs", "E", "quantization-aware fine-tuning on --data first: E epochs with int8-rounded "
                                    "weights and activations in the forward pass (straight-through gradient)", "0");
  args.add_value("--teacher", "T.json", "with --qat-epochs: distil from this teacher (kd loss) while fine-tuning");
  args.add_value("--qat-lr", "LR", "with --qat-epochs: the learning rate (Adam)", "0.0001");
  args.add_switch("--json", "print one JSON object on stdout instead of the summary");
}

// --qat-epochs: the model fine-tuned with fake quantization (and the teacher, if given).
Model fine_tune_for_qat(const ArgParser& args, const Model& model, const Dataset& data, const TrainConfig& qat) {
  Model teacher = args.has("--teacher") ? load_model_file(args.get("--teacher")) : Model();
  TrainCallbacks report;
  if (!args.has("--json"))
    report.on_epoch = [](const EpochReport& e) {
      std::printf("QAT epoch %d/%d  loss %.4f  acc %.4f  %.0f samples/s\n", e.epoch + 1, e.epochs, e.train_loss,
                  e.train_accuracy, e.samples_per_second);
    };
  Model tuned = quantization_aware_finetune(model, data, all_indices(data.size()), qat,
                                            args.has("--teacher") ? TeacherSignal(&teacher) : TeacherSignal(), report);
  tuned.provenance["quantization_aware_training"] = {
      {"epochs", qat.epochs}, {"learning_rate", qat.learning_rate}, {"loss", loss_name(qat.loss)},
      {"teacher", args.get("--teacher")}, {"data", args.get("--data")}};
  return tuned;
}

// What was written and what it cost, as the summary or one JSON line.
struct QuantizeReport {
  std::string model_path, out;
  QuantizeOptions options;
  TrainConfig qat;
  int calibration_samples = 0;
  int64_t float_weight_bytes = 0, weight_bytes = 0;
  size_t float_file = 0, quantized_file = 0;
  double agreement = -1;  // with the float model on the calibration images; < 0 when there were none
};

void print_quantize_report(const ArgParser& args, const QuantizeReport& r) {
  const bool int8 = r.options.mode == QuantMode::Int8;
  if (args.has("--json")) {
    nlohmann::json j = {{"model", r.model_path},
                        {"out", r.out},
                        {"mode", quant_mode_name(r.options.mode)},
                        {"calibration_samples", r.calibration_samples},
                        {"float32_weight_bytes", r.float_weight_bytes},
                        {"weight_bytes", r.weight_bytes},
                        {"float32_file_bytes", r.float_file},
                        {"file_bytes", r.quantized_file}};
    if (int8) j["calibration_method"] = calibration_method_name(r.options.calibration);
    if (r.qat.epochs > 0)
      j["qat"] = {{"epochs", r.qat.epochs}, {"teacher", args.get("--teacher")}, {"lr", r.qat.learning_rate}};
    if (r.agreement >= 0) j["agreement_with_float"] = r.agreement;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  std::printf("quantized  %s -> %s (%s)\n", r.model_path.c_str(), r.out.c_str(), quant_mode_name(r.options.mode));
  if (int8)
    std::printf("calibrated on %d images of %s (%s)\n", r.calibration_samples, args.get("--data").c_str(),
                calibration_method_name(r.options.calibration));
  std::printf("weights    %lld -> %lld bytes (%.2fx smaller)\n", (long long)r.float_weight_bytes,
              (long long)r.weight_bytes, double(r.float_weight_bytes) / double(std::max<int64_t>(1, r.weight_bytes)));
  std::printf("file       %zu bytes (the float32 model in the same encoding: %zu, %.2fx)\n", r.quantized_file,
              r.float_file, double(r.float_file) / double(std::max<size_t>(1, r.quantized_file)));
  if (r.agreement >= 0) std::printf("agreement  %.4f with the float model on the calibration images\n", r.agreement);
}

}  // namespace

int run_quantize(const Args& argv) {
  ArgParser args("quantize", "Quantize a trained model after training (no retraining): int8 runs on integer\n"
                             "kernels with activation ranges calibrated on --data; int8-weights and float16\n"
                             "only shrink the file (float compute). eval and predict take the result.");
  declare_quantize_flags(args);
  if (!args.parse(argv)) return 0;

  QuantizeReport report;
  QuantizeOptions& options = report.options;
  options.mode = args.get_named("--mode", quant_mode_names());
  options.calibration =
      args.get_named("--calibration-method", calibration_method_names());
  options.percentile = args.get_double("--percentile", -1e300, 1e300);  // the engine checks the range
  const int calibration_count = args.get_whole("--calibration", 500);
  checked_for_command(args, [&] {
    validate(options);
    validate_calibration_count(calibration_count);
  });
  const uint64_t seed = read_seed(args);
  ModelJsonOptions json_options = model_json_options(args);
  json_options.indent = json_options.weights_encoding == WeightsEncoding::kBase64 ? -1 : 2;  // base64 is for small files
  require(options.mode != QuantMode::Int8 || args.has("--data"),
          "--data: the int8 mode calibrates activation ranges on training images; "
          "give --data (int8-weights and float16 need none)");

  report.model_path = args.get("--model");
  const TrainConfig& qat = report.qat = qat_config(args, args.has("--teacher"));
  require(qat.epochs > 0 || (!args.has("--teacher") && !args.has("--qat-lr")),
          "--teacher and --qat-lr apply to quantization-aware fine-tuning: give --qat-epochs E");
  require(qat.epochs == 0 || args.has("--data"), "--qat-epochs: fine-tuning trains on --data; give --data");
  if (qat.epochs > 0) validate_train_config(qat);
  Model model = load_model_file(report.model_path);
  Model tuned;  // with --qat-epochs: the fine-tuned model, which is quantized; the report compares with `model`
  Tensor calibration(model.input_shape().with_batch(0));
  if (args.has("--data")) {
    const Dataset data = load_data_for_model(args.get("--data"), args.get("--labels"), model, report.model_path);
    require(data.size() > 0, args.get("--data") + ": there are no images to calibrate on");
    if (qat.epochs > 0) tuned = fine_tune_for_qat(args, model, data, qat);
    const std::vector<int> indices = calibration_indices(data.size(), calibration_count, seed);
    gather_batch(data, indices.data(), int(indices.size()), model.preprocessing, calibration);
  }
  QuantizedModel quantized = quantize_model(qat.epochs > 0 ? tuned : model, calibration, options);

  if (calibration.rows() > 0)
    report.agreement = fraction_agreeing(quantized.predict_logits(calibration), model.predict_logits(calibration));
  report.out = args.get("--out");
  save_quantized_model_file(report.out, quantized, json_options);
  report.quantized_file = save_quantized_model_json(quantized, json_options).size();
  report.float_file = save_model_json(model, json_options).size();
  report.calibration_samples = calibration.rows();
  report.float_weight_bytes = float32_weight_bytes(model);
  report.weight_bytes = quantized.weight_bytes();
  print_quantize_report(args, report);
  return 0;
}

}  // namespace distillery
