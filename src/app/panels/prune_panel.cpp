// Prune panel. Sections: settings and buttons, per-layer sparsity, pictures
// of the first layer's masks or filters.
#include "app/panels/prune_panel.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "app/actions.h"
#include "app/app.h"
#include "app/panels/training_controls.h"
#include "app/widgets/charts.h"
#include "app/widgets/enum_combo.h"
#include "app/widgets/ui.h"
#include "engine/prune/masks.h"

namespace distillery {

void PrunePanel::draw(App& app) {
  draw_settings(app);
  draw_layers(app);
}

// --- settings and buttons ----------------------------------------------------------------------

void PrunePanel::draw_settings(App& app) {
  ui::section("Pruning settings");
  ui::dim_text("Pruning removes weights (sets them to zero for good) and fine-tunes the rest to recover. Many "
               "networks keep their accuracy with most weights gone.");
  draw_method_and_schedule();
  draw_fine_tuning();

  const bool has_student = app.session.student != nullptr;
  const bool can = app.session.dataset && (has_student || app.session.teacher);
  ui::dim_text(has_student ? "Prunes the current student; the result replaces it."
                           : "There is no student yet: prunes a copy of the teacher, and the result becomes the student.");
  ImGui::BeginDisabled(app.worker.busy() || !can);
  if (ImGui::Button("  Prune  ")) app.run_action([&] { start_pruning(app, options); });
  ImGui::EndDisabled();
  ui::tip("Prune with these settings, fine-tune, and evaluate on the test split.");
  if (app.worker.busy()) {
    ImGui::SameLine();
    draw_job_controls(app);
  }
  draw_job_progress(app);
  // Fine-tuning curves while pruning runs (or after it did).
  const auto progress = app.worker.progress();
  const TrainingCurves& curves = progress ? progress->curves : app.session.curves;
  if (curves.kind == JobKind::kPrune) draw_training_curves(app, smooth_curves);
}

// What is removed and when: method (and the structured criterion), target sparsity, schedule, fine-tuning epochs.
void PrunePanel::draw_method_and_schedule() {
  const float font = ImGui::GetFontSize();
  static const ui::EnumItem<PruneMethod> kMethods[] = {{PruneMethod::kMagnitude, "magnitude"},
                                                       {PruneMethod::kGlobal, "global"},
                                                       {PruneMethod::kRandom, "random"},
                                                       {PruneMethod::kStructured, "structured"}};
  const char* method_tips =
      "magnitude: remove the smallest weights of each layer equally. global: one threshold over all layers, so "
      "layers end up with different sparsity. random: the baseline to beat. structured: remove whole neurons or "
      "filters, making the model physically smaller.";
  ImGui::SetNextItemWidth(font * 9);
  ui::enum_combo("method", options.method, kMethods);
  ui::tip(method_tips);
  if (options.method == PruneMethod::kStructured) {
    static const ui::EnumItem<NormCriterion> kCriteria[] = {{NormCriterion::l1, "l1"}, {NormCriterion::l2, "l2"}};
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 4);
    ui::enum_combo("norm", options.criterion, kCriteria);
    ui::tip("How neurons and filters are ranked: by the L1 or the L2 norm of their weights; the weakest go.");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderFloat("target sparsity", &options.sparsity, 0.0f, 0.99f, "%.2f");
  ui::tip("The fraction of weights to remove (structured: of each layer's neurons or filters).");

  static const ui::EnumItem<PruneSchedule> kSchedules[] = {
      {PruneSchedule::kOneShot, "oneshot"}, {PruneSchedule::kIterative, "iterative"}, {PruneSchedule::kPolynomial, "gradual"}};
  ImGui::SetNextItemWidth(font * 9);
  ui::enum_combo("schedule", options.schedule, kSchedules);
  ui::tip("oneshot: prune once, then fine-tune. iterative: several prune + fine-tune rounds. gradual: raise the "
          "sparsity slowly while fine-tuning (Zhu & Gupta's polynomial schedule).");
  if (options.schedule == PruneSchedule::kIterative) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 6);
    ImGui::SliderInt("rounds", &options.rounds, 2, 6);
    ui::tip("How many prune-then-fine-tune rounds; each removes the same share of the weights still left.");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  ImGui::SliderInt("fine-tune epochs", &options.finetune_epochs, 0, 10);
  ui::tip("Epochs of training after pruning (per round) so the remaining weights make up for the removed ones.");
}

// Whether fine-tuning distils from the teacher, and its step size.
void PrunePanel::draw_fine_tuning() {
  const float font = ImGui::GetFontSize();
  ImGui::Checkbox("fine-tune with the teacher", &options.use_teacher);
  ui::tip("Fine-tune by distillation (the teacher's soft targets) instead of the labels alone: usually recovers more.");
  if (options.use_teacher) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 8);
    ImGui::SliderFloat("T##prune", &options.temperature, 1.0f, 20.0f, "%.1f");
    ui::tip("Distillation temperature while fine-tuning.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 8);
    ImGui::SliderFloat("alpha##prune", &options.alpha, 0.0f, 1.0f, "%.2f");
    ui::tip("Weight of the true labels while fine-tuning; the rest follows the teacher.");
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 8);
  ImGui::SliderFloat("learning rate##prune", &options.lr, 1e-5f, 1e-2f, "%.5f", ImGuiSliderFlags_Logarithmic);
  ui::tip("Fine-tuning step size: usually smaller than for training from scratch.");
}

// --- per-layer sparsity and pictures ----------------------------------------------------------------

void PrunePanel::draw_layers(App& app) {
  const Model* model = app.session.student ? app.session.student.get() : app.session.teacher.get();
  if (!model) return;
  ui::section(app.session.student ? "Student: sparsity per layer" : "Teacher: sparsity per layer");
  std::vector<std::string> names;
  std::vector<float> values;
  for (int i = 0; i < model->num_layers(); ++i) {
    if (model->param_refs_of_layer(i).empty()) continue;
    names.push_back(std::to_string(i + 1) + " " + model->layer(i).type() + " " + model->layer(i).output_shape().str());
    values.push_back(static_cast<float>(layer_sparsity(*model, i)));
  }
  ui::horizontal_bars("sparsity", names, {{"", values, ui::color::kTeacher}}, 1.0f, "%.1f%%", true);
  ui::tip("Share of each layer's weights that are pruned (masked to zero).");
  ui::key_value("Overall", ui::percent(global_sparsity(model->params())) + " of prunable weights removed, " +
                               ui::thousands(model->nonzero_parameter_count()) + " of " +
                               ui::thousands(model->parameter_count()) + " parameters non-zero");

  const int version = (app.session.student ? app.session.student_version : -app.session.teacher_version - 1);
  if (mask_pictures_version != version) {
    mask_pictures_version = version;
    rebuild_pictures(app, *model);
  }
  if (!mask_pictures.valid()) return;
  ui::section(mask_caption.c_str());
  const float font = ImGui::GetFontSize();
  const float cell = font * 3.2f;
  const int per_row = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / (cell + 3)));
  for (int i = 0; i < mask_count; ++i) {
    if (i % per_row) ImGui::SameLine(0, 3);
    ui::grid_image(mask_pictures, i, mask_columns, mask_rows, ImVec2(cell, cell));
  }
}

namespace {

// A first-layer kernel seen as one picture per output: [height, width] positions,
// `channels` inputs per position (channel 0 is drawn), `outputs` columns.
struct KernelPictures {
  int height, width, channels, outputs;
  int shown;   // at most this many pictures
  float gain;  // weights are drawn as tanh(w * gain): conv weights are larger than dense ones
  const char* caption;
};

// Dense on a flattened image: each unit's incoming weights as the image; conv [kh, kw, in, out]: each filter.
std::optional<KernelPictures> first_layer_pictures(const Shape& kernel, const Shape& input) {
  if (kernel.rank() == 2 && input.rank() == 3 && kernel[0] == input.size())
    return KernelPictures{input[0], input[1], input[2], kernel[1], 32, 8.0f,
                          "First layer: what each neuron looks at (red +, blue -, black = pruned)"};
  if (kernel.rank() == 4)
    return KernelPictures{kernel[0], kernel[1], kernel[2], kernel[3], 64, 3.0f,
                          "First layer's filters (red +, blue -, black = pruned)"};
  return std::nullopt;
}

}  // namespace

void PrunePanel::rebuild_pictures(App& app, const Model& model) {
  mask_pictures.reset();
  mask_count = 0;
  for (int i = 0; i < model.num_layers(); ++i) {
    const auto refs = model.param_refs_of_layer(i);
    if (refs.empty()) continue;
    const ParamRef& kernel = model.params().refs[refs[0]];
    const std::optional<KernelPictures> view = first_layer_pictures(kernel.spec.shape, model.input_shape());
    if (!view) break;
    const float* w = model.params().values.data() + kernel.offset;
    const float* m = model.params().masks.data() + kernel.offset;
    const int count = std::min(view->outputs, view->shown);
    ui::ImageGridBuilder grid(count, 8, view->width, view->height);
    for (int u = 0; u < count; ++u)
      for (int y = 0; y < view->height; ++y)
        for (int x = 0; x < view->width; ++x) {
          const int64_t k = (static_cast<int64_t>(y) * view->width + x) * view->channels * view->outputs + u;
          uint8_t* px = grid.cell_rgba(u, x, y);
          const bool kept = m[k] != 0.0f;
          const float v = std::tanh(w[k] * view->gain);
          px[0] = kept ? static_cast<uint8_t>(v > 0 ? 64 + 160 * v : 64) : 18;
          px[1] = kept ? static_cast<uint8_t>(64 + 110 * std::fabs(v)) : 18;
          px[2] = kept ? static_cast<uint8_t>(v < 0 ? 64 - 160 * v : 64) : 18;
          px[3] = 255;
        }
    mask_pictures = grid.upload(app.platform);
    mask_columns = grid.columns();
    mask_rows = grid.rows();
    mask_count = count;
    mask_caption = view->caption;
    break;
  }
}

}  // namespace distillery
