#include "app/jobs/quantized_measure.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "engine/io/model_json.h"
#include "engine/quant/quantized_json.h"

namespace distillery {

QuantizedModel clone_quantized(const QuantizedModel& q) {
  return QuantizedModel::assemble(q.reference().clone(), q.mode(), q.layers(), q.activations(), q.calibration());
}

namespace {

// Milliseconds of one single-image forward pass of each of two models: the
// median of 5 blocks each, a block being as many passes as fill 10 ms, the
// two models' blocks alternating so that both see the same load on a shared
// machine. A small model's pass takes a few microseconds, under the browser's
// timer resolution (5 us when cross-origin isolated), so timing passes one by
// one (measure_latency_ms) reads 0 or one tick.
std::pair<double, double> block_latency_ms(const Shape& input_shape, const LogitsFunction& a, const LogitsFunction& b) {
  using Clock = std::chrono::steady_clock;
  const Tensor input(input_shape.with_batch(1), 0.5f);
  a(input);  // warm-up: sizes the workspaces
  b(input);
  auto block = [&](const LogitsFunction& logits) {
    const Clock::time_point start = Clock::now();
    double elapsed_ms = 0;
    int passes = 0;
    do {
      logits(input);
      ++passes;
      elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    } while (elapsed_ms < 10.0);
    return elapsed_ms / passes;
  };
  std::vector<double> times_a, times_b;
  for (int i = 0; i < 5; ++i) {
    times_a.push_back(block(a));
    times_b.push_back(block(b));
  }
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  return {median(times_a), median(times_b)};
}

}  // namespace

QuantizedEval evaluate_quantized(QuantizedModel& q, Model& float_model, const Dataset& data,
                                 const std::vector<int>& test) {
  const LogitsFunction quantized = [&](const Tensor& x) -> const Tensor& { return q.forward(x); };
  const LogitsFunction floating = [&](const Tensor& x) -> const Tensor& { return float_model.forward(x, false); };
  QuantizedEval out;
  out.report = evaluate(q.reference(), quantized, data, test, &float_model);
  const auto [quantized_ms, float_ms] = block_latency_ms(float_model.input_shape(), quantized, floating);
  out.report.latency_ms_per_sample = quantized_ms;
  out.float_latency_ms_per_sample = float_ms;
  return out;
}

QuantizedEntry make_quantized_entry(QuantizedModel model, const Model& float_model, ModelRole source) {
  // The encoding the Export panel writes: a quantized file is for shipping, so compact.
  const ModelJsonOptions compact{WeightsEncoding::kBase64, -1};
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
