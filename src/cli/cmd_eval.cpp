// distillery eval: accuracy, per-class accuracy, confusion, size and latency
// of a model on a dataset, optionally against a teacher (agreement).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/cli_data.h"
#include "cli/commands.h"
#include "cli/flag_groups.h"
#include "cli/training_session.h"
#include "engine/core/error.h"
#include "engine/metrics/metrics.h"
#include "engine/model/arch_spec.h"
#include "native/model_files.h"
#include "native/quantized_model_files.h"

namespace distillery {
namespace {

// NaN (a class without samples) becomes null: JSON has no NaN.
nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json report_json(const EvalReport& r, const Model& model, const ArgParser& args, const Model* teacher) {
  nlohmann::json per_class = nlohmann::json::array();
  for (double a : r.per_class_accuracy) per_class.push_back(number_or_null(a));
  nlohmann::json out = {{"model", args.get("--model")},
                        {"data", args.get("--data")},
                        {"samples", r.samples},
                        {"accuracy", r.accuracy},
                        {"class_names", model.class_names},
                        {"per_class_accuracy", per_class},
                        {"confusion", r.confusion},
                        {"params", r.params},
                        {"nonzero_params", r.nonzero_params},
                        {"latency_ms_per_sample", r.latency_ms_per_sample},
                        {"arch", describe_arch(model)}};
  if (teacher) {
    out["teacher"] = args.get("--teacher");
    out["agreement"] = r.agreement;
    out["teacher_accuracy"] = r.teacher_accuracy;
    out["kl_to_teacher"] = r.kl_to_teacher;
    out["teacher_params"] = teacher->parameter_count();
  }
  return out;
}

void print_table(const EvalReport& r, const Model& model, const ArgParser& args, const Model* teacher) {
  std::printf("model      %s (%s)\n", args.get("--model").c_str(), describe_arch(model).c_str());
  std::printf("data       %s, %d samples\n", args.get("--data").c_str(), r.samples);
  std::printf("accuracy   %.4f\n", r.accuracy);
  if (teacher) {
    std::printf("teacher    %s: accuracy %.4f, %s params\n", args.get("--teacher").c_str(), r.teacher_accuracy,
                with_thousands(teacher->parameter_count()).c_str());
    std::printf("agreement  %.4f (mean KL to the teacher %.4f nats)\n", r.agreement, r.kl_to_teacher);
  }
  std::printf("params     %s (%s non-zero)\n", with_thousands(r.params).c_str(),
              with_thousands(r.nonzero_params).c_str());
  std::printf("latency    %.4f ms per sample (batch 1)\n\n", r.latency_ms_per_sample);

  size_t width = 5;
  for (const std::string& name : model.class_names) width = std::max(width, name.size());
  width = std::min<size_t>(width, 24);
  const int classes = model.num_outputs();
  std::printf("%-*s  accuracy  samples   confusion (rows: true, columns: predicted)\n", int(width), "class");
  for (int k = 0; k < classes; ++k) {
    int total = 0;
    for (int v : r.confusion[k]) total += v;
    const double a = r.per_class_accuracy[k];
    std::printf("%-*.*s  ", int(width), int(width), model.class_names[k].c_str());
    if (std::isnan(a))
      std::printf("%8s", "-");
    else
      std::printf("%8.4f", a);
    std::printf("  %7d  ", total);
    for (int v : r.confusion[k]) std::printf(" %6d", v);
    std::printf("\n");
  }
}

}  // namespace

int run_eval(const Args& argv) {
  ArgParser args("eval", "Measure a model on a dataset: accuracy, per-class accuracy, confusion matrix,\n"
                         "parameters and latency; with --teacher also the teacher-student agreement.\n"
                         "The data is brought to the model's input size and colour.");
  args.add_required("--model", "MODEL.json", "the model to evaluate");
  args.add_required("--data", "PATH", "image folder, .zip, .csv or IDX file");
  add_labels_flag(args);
  args.add_value("--teacher", "MODEL.json", "also report the teacher's accuracy and the agreement with it");
  args.add_switch("--json", "print one JSON object on stdout instead of a table");
  if (!args.parse(argv)) return 0;

  const std::string model_path = args.get("--model");
  AnyModelFile file = load_any_model_file(model_path);
  const Model& model = file.model;
  const bool has_teacher = args.has("--teacher");
  Model teacher = has_teacher ? load_teacher_for(args.get("--teacher"), model) : Model();
  const Dataset data = load_data_for_model(args.get("--data"), args.get("--labels"), model, model_path);
  Model* teacher_or_null = has_teacher ? &teacher : nullptr;
  const EvalReport report =
      evaluate(model, [&](const Tensor& x) -> const Tensor& { return file.forward(x); }, data, {}, teacher_or_null);
  const QuantizedModel* quantized = file.quantized ? &file.quantized_model : nullptr;

  if (args.has("--json")) {
    nlohmann::json j = report_json(report, model, args, teacher_or_null);
    if (quantized) {
      j["quantization"] = quant_mode_name(quantized->mode());
      j["weight_bytes"] = quantized->weight_bytes();
    }
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    if (quantized)
      std::printf("quantized  %s, weights %lld bytes\n", quant_mode_name(quantized->mode()),
                  (long long)quantized->weight_bytes());
    print_table(report, model, args, teacher_or_null);
  }
  return 0;
}

}  // namespace distillery
