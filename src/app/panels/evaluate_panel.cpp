// Evaluate panel. Sections: button, comparison table, per-class accuracy,
// confusion heat map.
#include "app/panels/evaluate_panel.h"

#include <cmath>

#include "app/actions.h"
#include "app/app.h"
#include "app/panels/training_controls.h"
#include "app/widgets/charts.h"
#include "app/widgets/ui.h"

namespace distillery {

void EvaluatePanel::draw(App& app) {
  ui::section("Evaluate on the test split");
  ui::dim_text("The test split was never used for training, so these numbers say how the models do on new images.");
  ImGui::BeginDisabled(app.worker.busy() || !app.session.dataset || (!app.session.student && !app.session.teacher));
  if (ImGui::Button("  Evaluate  ")) app.run_action([&] { start_evaluation(app); });
  ImGui::EndDisabled();
  ui::tip("Measure accuracy, agreement, size and speed of the teacher and the student on the test split.");
  if (app.session.dataset) {
    ImGui::SameLine();
    ui::dim_text(ui::format("%zu test images", app.session.split.test.size()).c_str());
  }
  draw_job_progress(app);
  draw_table(app);
  // Per-class accuracy and the confusion matrix side by side when there is room.
  const float width = ImGui::GetContentRegionAvail().x;
  if (width > ImGui::GetFontSize() * 60 && ImGui::BeginTable("details", 2, ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextColumn();
    draw_per_class(app);
    ImGui::TableNextColumn();
    draw_confusion(app);
    ImGui::EndTable();
  } else {
    draw_per_class(app);
    draw_confusion(app);
  }
}

void EvaluatePanel::draw_table(App& app) {
  const auto& te = app.session.teacher_eval;
  const auto& se = app.session.student_eval;
  const QuantizedEval* qe = app.session.quantized && app.session.quantized_eval ? &*app.session.quantized_eval : nullptr;
  if (!te && !se && !qe) {
    ui::dim_text("No evaluation yet: press Evaluate.");
    return;
  }
  ui::section(qe ? "Teacher, student and quantized" : "Teacher vs student");
  const float font = ImGui::GetFontSize();
  if (ImGui::BeginTable("compare", 8, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("model", ImGuiTableColumnFlags_WidthFixed, font * (qe ? 9.5f : 6));
    ImGui::TableSetupColumn("test accuracy");
    ImGui::TableSetupColumn("agreement");
    ImGui::TableSetupColumn("KL to teacher");
    ImGui::TableSetupColumn("parameters");
    ImGui::TableSetupColumn("non-zero");
    ImGui::TableSetupColumn("bytes (float32 / sparse)");
    ImGui::TableSetupColumn("ms / image");
    ImGui::TableHeadersRow();
    auto row = [&](const char* name, const EvalReport& r, ImU32 color) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color), "%s", name);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f %%", r.accuracy * 100);
      ImGui::TableNextColumn();
      if (r.agreement >= 0) ImGui::Text("%.2f %%", r.agreement * 100);
      else ImGui::TextDisabled("-");
      ImGui::TableNextColumn();
      if (r.kl_to_teacher >= 0) ImGui::Text("%.3f nats", r.kl_to_teacher);
      else ImGui::TextDisabled("-");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(ui::thousands(r.params).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(ui::thousands(r.nonzero_params).c_str());
      ImGui::TableNextColumn();
      // Sparse: a value and a 32-bit index per non-zero weight.
      ImGui::Text("%s / %s", ui::bytes(r.params * 4.0).c_str(), ui::bytes(r.nonzero_params * 8.0).c_str());
      ImGui::TableNextColumn();
      if (r.latency_ms_per_sample >= 0) ImGui::Text("%.3f", r.latency_ms_per_sample);
      else ImGui::TextDisabled("-");
    };
    if (te) row("teacher", *te, ui::color::kTeacher);
    if (se) row("student", *se, ui::color::kAccent);
    if (qe) draw_quantized_row(*app.session.quantized, *qe);
    ImGui::EndTable();
  }
  ui::tip("Agreement: how often the student predicts the same class as the teacher (the quantized model: as the "
          "float model it came from). KL: how far its probabilities are from those, on average (KL(teacher || "
          "student) at T = 1; 0 is a perfect copy). Sparse bytes count a value and an index per non-zero weight; "
          "the quantized model's bytes are its weights as stored and its file.");
  if (te && se) {
    const double ratio = static_cast<double>(te->params) / static_cast<double>(std::max<int64_t>(1, se->nonzero_params));
    ui::success_text(ui::format("The student keeps %.1f %% of the teacher's accuracy with %.1fx fewer non-zero parameters.",
                                100.0 * se->accuracy / std::max(1e-9, te->accuracy), ratio).c_str());
  }
  if (qe) {
    const QuantizedEntry& q = *app.session.quantized;
    ui::success_text(ui::format("The %s %s agrees with its float model on %.1f %% of the test images, in a %.1fx "
                                "smaller file, at %.2fx its speed (both timed in one run).",
                                quant_mode_name(q.model->mode()), model_role_name(q.source), qe->report.agreement * 100,
                                static_cast<double>(q.float_file_bytes) / std::max<int64_t>(1, q.file_bytes),
                                qe->float_latency_ms_per_sample / std::max(1e-9, qe->report.latency_ms_per_sample))
                         .c_str());
  }
}

void EvaluatePanel::draw_quantized_row(const QuantizedEntry& q, const QuantizedEval& e) {
  const EvalReport& r = e.report;
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::color::kQuantized), "%s %s", model_role_name(q.source),
                     quant_mode_name(q.model->mode()));
  ImGui::TableNextColumn();
  ImGui::Text("%.2f %%", r.accuracy * 100);
  ImGui::TableNextColumn();
  ImGui::Text("%.2f %% (float)", r.agreement * 100);
  ImGui::TableNextColumn();
  ImGui::Text("%.4f (float)", r.kl_to_teacher);  // small: quantization moves probabilities little
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(ui::thousands(r.params).c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(ui::thousands(r.nonzero_params).c_str());
  ImGui::TableNextColumn();
  ImGui::Text("%s / file %s", ui::bytes(static_cast<double>(q.model->weight_bytes())).c_str(),
              ui::bytes(static_cast<double>(q.file_bytes)).c_str());
  ImGui::TableNextColumn();
  ImGui::Text("%.3f", r.latency_ms_per_sample);
}

void EvaluatePanel::draw_per_class(App& app) {
  const auto& te = app.session.teacher_eval;
  const auto& se = app.session.student_eval;
  if (!app.session.dataset || (!te && !se)) return;
  ui::section("Accuracy per class");
  std::vector<ui::BarSeries> series;
  auto values = [](const EvalReport& r) {
    std::vector<float> v;
    for (double a : r.per_class_accuracy) v.push_back(static_cast<float>(a));
    return v;
  };
  if (te && !te->per_class_accuracy.empty()) series.push_back({"teacher", values(*te), ui::color::kTeacher});
  if (se && !se->per_class_accuracy.empty()) series.push_back({"student", values(*se), ui::color::kAccent});
  ui::horizontal_bars("per_class", app.session.dataset->class_names, series, 1.0f, "%.1f%%", true);
  ui::tip("Orange: teacher, teal: student. Classes that look alike (shirt, T-shirt, pullover) are the hard ones.");
}

void EvaluatePanel::draw_confusion(App& app) {
  const auto& te = app.session.teacher_eval;
  const auto& se = app.session.student_eval;
  if (!app.session.dataset || (!te && !se)) return;
  ui::section("Confusion matrix");
  if (te && se) {
    int which = show_teacher_confusion ? 1 : 0;
    ImGui::RadioButton("student", &which, 0);
    ui::tip("Show the student's confusion matrix.");
    ImGui::SameLine();
    ImGui::RadioButton("teacher", &which, 1);
    ui::tip("Show the teacher's confusion matrix.");
    show_teacher_confusion = which == 1;
  }
  const EvalReport& r = (show_teacher_confusion && te) || !se ? *te : *se;
  ui::dim_text("Rows: true class. Columns: predicted class (same order). Off the diagonal: the mix-ups.");
  ui::confusion_heatmap("confusion", r.confusion, app.session.dataset->class_names,
                        std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 32));
}

}  // namespace distillery
