// Distil panel. Sections: settings and buttons, curves, temperature explainer.
#include "app/panels/distil_panel.h"

#include <algorithm>
#include <cmath>

#include "app/actions.h"
#include "app/app.h"
#include "app/panels/training_controls.h"
#include "app/widgets/charts.h"
#include "app/widgets/plot.h"
#include "app/widgets/ui.h"
#include "engine/data/batch.h"

namespace distillery {

std::vector<float> softened(const std::vector<float>& logits, float temperature) {
  std::vector<float> p(logits.size());
  if (logits.empty()) return p;
  const float top = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (size_t i = 0; i < logits.size(); ++i) sum += p[i] = std::exp((logits[i] - top) / temperature);
  for (float& v : p) v = static_cast<float>(v / sum);
  return p;
}

void DistilPanel::draw(App& app) {
  draw_settings(app);
  draw_curves(app);
  draw_explainer(app);
}

// --- settings and buttons ----------------------------------------------------------------------

void DistilPanel::draw_settings(App& app) {
  ui::section("Distillation settings");
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderFloat("temperature T", &options.temperature, 1.0f, 20.0f, "%.1f");
  ui::tip("Softens the teacher's probabilities: at higher T the student also learns which wrong classes the teacher "
          "finds similar. See the explainer below.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderFloat("alpha", &options.alpha, 0.0f, 1.0f, "%.2f");
  ui::tip("Weight of the true labels in the loss; the rest (1 - alpha) is copying the teacher's soft targets.");
  ImGui::SameLine();
  const char* losses[] = {"kd", "mse"};
  int loss = options.loss == "mse" ? 1 : 0;
  ImGui::SetNextItemWidth(font * 5);
  if (ImGui::Combo("loss", &loss, losses, 2)) options.loss = losses[loss];
  ui::tip("kd: Hinton's distillation (soft targets at temperature T). mse: match the teacher's raw logits.");
  if (options.loss == "ce") options.loss = "kd";
  draw_train_options(options.train, "distil");

  const std::string& arch = app.student_panel.arch.spec();
  ui::dim_text(("Student: " + arch + "  (change it in the Student panel)").c_str());

  const bool busy = app.worker.busy();
  const bool ready = app.session.dataset && app.session.teacher;
  ImGui::BeginDisabled(busy || !ready);
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(IM_COL32(40, 140, 128, 255)));
  if (ImGui::Button("  Distil  ")) {
    options.train.arch = arch;
    app.run_action([&] { start_distillation(app, options); });
  }
  ImGui::PopStyleColor();
  ui::tip("Train a new student from scratch to match the teacher (and the labels). It replaces the current student.");
  ImGui::SameLine();
  ImGui::EndDisabled();
  ImGui::BeginDisabled(busy || !app.session.dataset);
  if (ImGui::Button("Train student alone")) {
    DistillOptions alone = options;
    alone.train.arch = arch;
    alone.loss = "ce";
    app.run_action([&] { start_distillation(app, alone); });
  }
  ImGui::EndDisabled();
  ui::tip("The baseline: the same student trained on the labels only, without a teacher. Compare its accuracy.");
  if (busy) {
    ImGui::SameLine();
    draw_job_controls(app);
  }
  if (!ready && !busy) ui::dim_text("Distilling needs a dataset (Data panel) and a teacher (Teacher panel).");
  draw_job_progress(app);
}

// --- curves ------------------------------------------------------------------------------------

void DistilPanel::draw_curves(App& app) { draw_training_curves(app, smooth_curves); }

// --- temperature explainer ------------------------------------------------------------------------

void DistilPanel::draw_explainer(App& app) {
  ui::section("What does the temperature do?");
  if (!app.session.teacher || !app.session.dataset || app.session.split.test.empty()) {
    ui::dim_text("Load a dataset and a teacher to see the teacher's soft targets for an image.");
    return;
  }
  Model& teacher = *app.session.teacher;
  const Dataset& d = *app.session.dataset;
  if (!model_data_mismatch(teacher, d, "teacher").empty()) return;
  const auto& test = app.session.split.test;
  const float font = ImGui::GetFontSize();
  explainer_sample = std::clamp(explainer_sample, 0, static_cast<int>(test.size()) - 1);

  ImGui::SetNextItemWidth(font * 12);
  ImGui::SliderInt("test image", &explainer_sample, 0, static_cast<int>(test.size()) - 1);
  ui::tip("Pick an image from the test split to see what the teacher says about it.");
  ImGui::SameLine();
  if (ImGui::Button("Next")) explainer_sample = (explainer_sample + 1) % static_cast<int>(test.size());
  ui::tip("Show the next test image.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderFloat("T##explainer", &options.temperature, 1.0f, 20.0f, "%.1f");
  ui::tip("The same temperature as in the settings above: drag it and watch the orange bars flatten.");

  const int index = test[explainer_sample];
  const int key[3] = {app.session.teacher_version, app.session.dataset_version, index};
  if (!std::equal(key, key + 3, explainer_key)) {
    std::copy(key, key + 3, explainer_key);
    Tensor input;
    gather_batch(d, &index, 1, teacher.preprocessing, input);
    const Tensor& logits = teacher.forward(input, false);
    explainer_logits.assign(logits.data(), logits.data() + logits.size());
    explainer_image = ui::Texture(app.platform, d.image(index), d.width, d.height, d.channels);
  }

  const float image_size = font * 7;
  ImGui::BeginGroup();
  ImGui::Image(explainer_image.id(), ImVec2(image_size, image_size));
  ImGui::Text("true class:");
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::color::kAccent), "%s", d.class_names[d.labels[index]].c_str());
  ImGui::EndGroup();
  ImGui::SameLine();
  ui::BarSeries hard{"teacher at T = 1", softened(explainer_logits, 1.0f), IM_COL32(122, 162, 247, 255)};
  ui::BarSeries soft{ui::format("teacher at T = %.1f (soft targets)", options.temperature),
                     softened(explainer_logits, options.temperature), ui::color::kTeacher};
  ImGui::BeginGroup();
  ui::column_bars("explainer", d.class_names, {hard, soft}, 1.0f, ImVec2(-1, font * 12));
  ui::dim_text("At T = 1 the teacher is nearly certain; at higher T its second guesses show. Those small "
               "probabilities carry the teacher's knowledge of which classes look alike (a shirt is more like a "
               "T-shirt than a boot), and the student learns them too.");
  ImGui::EndGroup();
}

}  // namespace distillery
