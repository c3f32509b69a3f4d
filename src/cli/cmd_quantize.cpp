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

double fraction_agreeing(const Tensor& a, const Tensor& b) {
  const std::vector<int> pa = predicted_classes(a), pb = predicted_classes(b);
  int same = 0;
  for (size_t i = 0; i < pa.size(); ++i) same += pa[i] == pb[i];
  return pa.empty() ? 1.0 : double(same) / double(pa.size());
}

}  // namespace

int run_quantize(const Args& argv) {
  ArgParser args("quantize", "Quantize a trained model after training (no retraining): int8 runs on integer\n"
                             "kernels with activation ranges calibrated on --data; int8-weights and float16\n"
                             "only shrink the file (float compute). eval and predict take the result.");
  args.add_required("--model", "MODEL.json", "the float model to quantize");
  args.add_required("--out", "Q.json", "where to write the quantized model");
  args.add_value("--mode", "MODE", "int8, int8-weights or float16", "int8");
  args.add_value("--data", "PATH", "training images to calibrate on (required for int8): folder, .zip, .csv or IDX");
  add_labels_flag(args);
  args.add_value("--calibration", "N", "images drawn from --data to calibrate on", "500");
  args.add_value("--calibration-method", "NAME", "minmax, or percentile (clips outliers)", "minmax");
  args.add_value("--percentile", "P", "with percentile: the range covers P% of the values (and 100 - P)", "99.99");
  add_seed_flag(args, "which calibration images are drawn");
  args.add_value("--weights-encoding", "ENC", "array or base64 (smaller; the point of quantizing)", "base64");
  args.add_switch("--json", "print one JSON object on stdout instead of the summary");
  if (!args.parse(argv)) return 0;

  QuantizeOptions options;
  options.mode = parse_quant_mode(args.get_choice("--mode", "int8", {"int8", "int8-weights", "float16"}));
  options.calibration =
      parse_calibration_method(args.get_choice("--calibration-method", "minmax", {"minmax", "percentile"}));
  options.percentile = args.get_double("--percentile", 99.99, 50.000001, 100.0);
  validate(options);
  const int calibration_count = args.get_int("--calibration", 500, 1, 1000000);
  const uint64_t seed = read_seed(args);
  ModelJsonOptions json_options = model_json_options(args, "base64");
  json_options.indent = json_options.weights_encoding == "base64" ? -1 : 2;  // base64 is for small files
  const bool int8 = options.mode == QuantMode::Int8;
  require(!int8 || args.has("--data"), "--data: the int8 mode calibrates activation ranges on training images; "
                                       "give --data (int8-weights and float16 need none)");

  const std::string model_path = args.get("--model");
  Model model = load_model_file(model_path);
  Tensor calibration(model.input_shape().with_batch(0));
  if (args.has("--data")) {
    const Dataset data = load_data_for_model(args.get("--data"), args.get("--labels"), model, model_path);
    require(data.size() > 0, args.get("--data") + ": there are no images to calibrate on");
    const std::vector<int> indices = calibration_indices(data.size(), calibration_count, seed);
    gather_batch(data, indices.data(), int(indices.size()), model.preprocessing, calibration);
  }
  QuantizedModel quantized = quantize_model(model, calibration, options);

  // What quantization changed on the calibration images (or nothing to compare with).
  double agreement = -1;
  if (calibration.rows() > 0)
    agreement = fraction_agreeing(quantized.predict_logits(calibration), model.predict_logits(calibration));

  const std::string out = args.get("--out");
  save_quantized_model_file(out, quantized, json_options);
  const size_t quantized_file = save_quantized_model_json(quantized, json_options).size();
  const size_t float_file = save_model_json(model, json_options).size();

  if (args.has("--json")) {
    nlohmann::json j = {{"model", model_path},
                        {"out", out},
                        {"mode", quant_mode_name(options.mode)},
                        {"calibration_samples", calibration.rows()},
                        {"float32_weight_bytes", float32_weight_bytes(model)},
                        {"weight_bytes", quantized.weight_bytes()},
                        {"float32_file_bytes", float_file},
                        {"file_bytes", quantized_file}};
    if (int8) j["calibration_method"] = calibration_method_name(options.calibration);
    if (agreement >= 0) j["agreement_with_float"] = agreement;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("quantized  %s -> %s (%s)\n", model_path.c_str(), out.c_str(), quant_mode_name(options.mode));
  if (int8)
    std::printf("calibrated on %d images of %s (%s)\n", calibration.rows(), args.get("--data").c_str(),
                calibration_method_name(options.calibration));
  std::printf("weights    %lld -> %lld bytes (%.2fx smaller)\n", (long long)float32_weight_bytes(model),
              (long long)quantized.weight_bytes(),
              double(float32_weight_bytes(model)) / double(std::max<int64_t>(1, quantized.weight_bytes())));
  std::printf("file       %zu bytes (the float32 model in the same encoding: %zu, %.2fx)\n", quantized_file,
              float_file, double(float_file) / double(std::max<size_t>(1, quantized_file)));
  if (agreement >= 0) std::printf("agreement  %.4f with the float model on the calibration images\n", agreement);
  return 0;
}

}  // namespace distillery
