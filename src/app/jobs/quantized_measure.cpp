#include "app/jobs/quantized_measure.h"

#include <algorithm>

#include "engine/io/model_json.h"
#include "engine/quant/quantized_json.h"

namespace distillery {

QuantizedModel clone_quantized(const QuantizedModel& q) {
  return QuantizedModel::assemble(q.reference().clone(), q.mode(), q.layers(), q.activations(), q.calibration());
}

QuantizedEval evaluate_quantized(QuantizedModel& q, Model& float_model, const Dataset& data,
                                 const std::vector<int>& test) {
  QuantizedEval out;
  out.report = evaluate(q.reference(), [&](const Tensor& x) -> const Tensor& { return q.forward(x); }, data, test,
                        &float_model);
  out.float_latency_ms_per_sample = measure_latency_ms(float_model);
  return out;
}

QuantizedEntry make_quantized_entry(QuantizedModel model, const Model& float_model, ModelRole source) {
  // The encoding the Export panel writes: a quantized file is for shipping, so compact.
  const ModelJsonOptions compact{"base64", -1};
  QuantizedEntry entry;
  entry.source = source;
  entry.file_bytes = static_cast<int64_t>(save_quantized_model_json(model, compact).size());
  entry.float_file_bytes = static_cast<int64_t>(save_model_json(float_model, compact).size());
  entry.float32_weight_bytes = float32_weight_bytes(float_model);
  entry.model = std::make_shared<QuantizedModel>(std::move(model));
  return entry;
}

nlohmann::json quantized_json(const QuantizedEntry& entry, const QuantizedEval* eval) {
  const QuantizedModel& q = *entry.model;
  nlohmann::json out = {{"model", model_role_name(entry.source)},
                        {"mode", quant_mode_name(q.mode())},
                        {"calibration_samples", q.calibration().samples},
                        {"file_bytes", entry.file_bytes},
                        {"float_file_bytes", entry.float_file_bytes},
                        {"weight_bytes", q.weight_bytes()},
                        {"float32_weight_bytes", entry.float32_weight_bytes}};
  if (q.mode() == QuantMode::Int8) out["calibration_method"] = calibration_method_name(q.calibration().method);
  if (!eval) return out;
  const EvalReport& r = eval->report;
  out["accuracy"] = r.accuracy;
  out["float_accuracy"] = r.teacher_accuracy;
  out["agreement"] = r.agreement;
  out["kl_to_float"] = r.kl_to_teacher;
  out["samples"] = r.samples;
  out["ms_per_sample"] = r.latency_ms_per_sample;
  out["float_ms_per_sample"] = eval->float_latency_ms_per_sample;
  out["speedup"] = eval->float_latency_ms_per_sample / std::max(1e-9, r.latency_ms_per_sample);
  return out;
}

}  // namespace distillery
