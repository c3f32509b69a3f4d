// Quantize panel. Sections: settings and the button, the quantized model's figures.
#include "app/panels/quantize_panel.h"

#include <algorithm>

#include "app/actions.h"
#include "app/app.h"
#include "app/panels/training_controls.h"
#include "app/widgets/enum_combo.h"
#include "app/widgets/ui.h"

namespace distillery {

void QuantizePanel::draw(App& app) {
  draw_settings(app);
  draw_result(app);
}

// --- settings and the button ---------------------------------------------------------------------

void QuantizePanel::draw_settings(App& app) {
  ui::section("Quantization settings");
  ui::dim_text("Quantization stores each weight in fewer bits. int8 also runs on integer kernels: a smaller and "
               "faster model. The float model stays as it is.");
  const float font = ImGui::GetFontSize();
  // Labels are the engine's names, the ones the JS API and the CLI take.
  static const ui::EnumItem<QuantMode> kModes[] = {{QuantMode::Int8, quant_mode_name(QuantMode::Int8)},
                                                   {QuantMode::Int8Weights, quant_mode_name(QuantMode::Int8Weights)},
                                                   {QuantMode::Float16, quant_mode_name(QuantMode::Float16)}};
  ImGui::SetNextItemWidth(font * 9);
  ui::enum_combo("mode", request.engine.mode, kModes);
  ui::tip("int8: int8 weights per output channel, int32 biases, int8 activations; predictions run on integer "
          "kernels. int8-weights: int8 weights, float compute (a 4x smaller file). float16: half-precision "
          "weights, float compute (a 2x smaller file).");

  const bool int8 = request.engine.mode == QuantMode::Int8;
  ImGui::BeginDisabled(!int8);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderInt("calibration images", &request.calibration, 1, 5000, "%d",
                   ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  ui::tip("Training images the int8 mode runs through the model to learn each activation's range (drawn from the "
          "training split, never the test split). A few hundred are enough.");
  static const ui::EnumItem<CalibrationMethod> kMethods[] = {
      {CalibrationMethod::MinMax, calibration_method_name(CalibrationMethod::MinMax)},
      {CalibrationMethod::Percentile, calibration_method_name(CalibrationMethod::Percentile)}};
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 8);
  ui::enum_combo("range", request.engine.calibration, kMethods);
  ui::tip("minmax: each range covers every value seen. percentile: it covers all but the rarest outliers, so the "
          "common values get finer steps.");
  if (request.engine.calibration == CalibrationMethod::Percentile) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 8);
    float percentile = static_cast<float>(request.engine.percentile);
    if (ImGui::SliderFloat("percentile", &percentile, 99.0f, 100.0f, "%.3f", ImGuiSliderFlags_AlwaysClamp))
      request.engine.percentile = percentile;
    ui::tip("The share of the values each range covers (and 100 minus it at the low end).");
  }
  ImGui::EndDisabled();

  const Session& s = app.session;
  if (s.teacher) {
    int which = request.model == ModelRole::kTeacher ? 1 : 0;
    ImGui::RadioButton("student", &which, 0);
    ui::tip("Quantize the current student (pruned or not: pruned weights stay exactly zero).");
    ImGui::SameLine();
    ImGui::RadioButton("teacher", &which, 1);
    ui::tip("Quantize the teacher instead, e.g. to see what quantization alone buys without distillation.");
    request.model = which == 1 ? ModelRole::kTeacher : ModelRole::kStudent;
  } else {
    request.model = ModelRole::kStudent;
  }
  const std::shared_ptr<Model>& source = s.model_of(request.model);
  ui::dim_text(!s.dataset ? "Load a dataset first: the result is measured on its test split."
               : !source  ? "There is no student yet: distil one first (or choose the teacher)."
                          : "Quantizes a copy; the result shows in Evaluate and downloads from Export.");
  ImGui::BeginDisabled(app.worker.busy() || !s.dataset || !source);
  if (ImGui::Button("  Quantize  ")) app.run_action([&] { start_quantization(app, request); });
  ImGui::EndDisabled();
  ui::tip("Quantize with these settings and measure the result on the test split against the float model.");
  draw_job_progress(app);
}

// --- the quantized model's figures ----------------------------------------------------------------

void QuantizePanel::draw_result(App& app) {
  const Session& s = app.session;
  if (!s.quantized) return;
  const QuantizedEntry& q = *s.quantized;
  const QuantizedModel& model = *q.model;
  ui::section(ui::format("Quantized %s (%s)", model_role_name(q.source), quant_mode_name(model.mode())).c_str());
  const float key_width = ImGui::GetFontSize() * 11;
  ui::key_value("File", ui::format("%s (float: %s, %.1fx smaller)", ui::bytes(static_cast<double>(q.file_bytes)).c_str(),
                                   ui::bytes(static_cast<double>(q.float_file_bytes)).c_str(),
                                   static_cast<double>(q.float_file_bytes) / std::max<int64_t>(1, q.file_bytes)),
                key_width);
  ui::key_value("Weights as stored", ui::format("%s (float32: %s)", ui::bytes(static_cast<double>(model.weight_bytes())).c_str(),
                                                ui::bytes(static_cast<double>(q.float32_weight_bytes)).c_str()),
                key_width);
  const CalibrationInfo& c = model.calibration();
  ui::key_value("Calibration",
                model.mode() == QuantMode::Int8
                    ? ui::format("%d training images, %s", c.samples, calibration_method_name(c.method)) +
                          (c.method == CalibrationMethod::Percentile ? ui::format(" %.3f", c.percentile) : "")
                    : std::string("none: the weights only"),
                key_width);
  if (!s.quantized_eval) {
    ui::dim_text("Not measured on the current test split: press Evaluate.");
    return;
  }
  const QuantizedEval& e = *s.quantized_eval;
  const EvalReport& r = e.report;
  ui::key_value("Test accuracy", ui::format("%.2f %% (float %.2f %%, %+.2f points)", r.accuracy * 100,
                                            r.teacher_accuracy * 100, (r.accuracy - r.teacher_accuracy) * 100),
                key_width);
  ui::key_value("Agreement with float", ui::format("%.2f %% of %d test images", r.agreement * 100, r.samples), key_width);
  ui::tip("How often the quantized model predicts the same class as the float model it came from.");
  ui::key_value("ms / image", ui::format("%.4f (float %.4f: %.2fx as fast%s)", r.latency_ms_per_sample,
                                         e.float_latency_ms_per_sample,
                                         e.float_latency_ms_per_sample / std::max(1e-9, r.latency_ms_per_sample),
                                         model.mode() == QuantMode::Int8 ? "" : ", float compute"),
                key_width);
  ui::tip("One image at a time: the median of 5 blocks of 10 ms of passes, the quantized and the float model's "
          "blocks alternating, on this machine.");
}

}  // namespace distillery
