// Distil panel. Sections: curves and the verdict, temperature explainer (the settings and
// buttons are in distil_settings.cpp, the batch preview in augment_preview.cpp).
#include "app/panels/distil_panel.h"

#include <algorithm>
#include <cmath>

#include "app/actions.h"
#include "app/app.h"
#include "app/panels/training_controls.h"
#include "app/widgets/charts.h"
#include "app/widgets/plot.h"
#include "app/widgets/item_locator.h"
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
  preview.draw(app, options);
  draw_curves(app);
  draw_comparison(app);
  draw_explainer(app);
}

// --- curves and the verdict --------------------------------------------------------------------

void DistilPanel::draw_curves(App& app) { draw_training_curves(app, smooth_curves); }

void DistilPanel::draw_comparison(App& app) {
  if (!app.session.comparison || app.worker.busy()) return;
  const BaselineComparison& c = *app.session.comparison;
  const std::string line = c.line();
  if (c.gain() > 0) ui::success_text(line.c_str());
  else ImGui::TextUnformatted(line.c_str());
  ui::remember_item("gain line");  // tests check that it was drawn
  ui::tip("Test accuracy of the distilled student and of the same student trained alone: same seed (so the same "
          "starting weights), split, augmentation and schedule; only the teacher differs.");
}

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
  ImGui::SliderFloat("T##explainer", &explainer_temperature, 1.0f, 20.0f, "%.1f");
  ui::tip(ui::format("Drag it and watch the orange bars flatten. Only this picture changes: the run distils at the "
                     "temperature of the settings above (now T = %.1f).", options.temperature).c_str());

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
  ui::BarSeries soft{ui::format("teacher at T = %.1f (soft targets)", explainer_temperature),
                     softened(explainer_logits, explainer_temperature), ui::color::kTeacher};
  ImGui::BeginGroup();
  ui::column_bars("explainer", d.class_names, {hard, soft}, 1.0f, ImVec2(-1, font * 12));
  ui::dim_text("At T = 1 the teacher is nearly certain of a plain image; at higher T its second guesses show. "
               "Those small probabilities carry the teacher's knowledge of which classes look alike (a shirt is "
               "more like a T-shirt than a boot), and the student learns them too. On the shifted and mixed "
               "images a run trains on, the teacher is unsure already at T = 1, which is why T = 1 with the "
               "teacher's targets alone (alpha 0) taught best in our measurements on Fashion-MNIST.");
  ImGui::EndGroup();
}

}  // namespace distillery
