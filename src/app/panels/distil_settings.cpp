// Distil panel, settings and buttons: presets, the distillation loss and its
// knobs, teacher mode, training and augmentation settings, the baseline
// checkbox, and Distil / Train student alone.
#include "app/actions.h"
#include "app/app.h"
#include "app/panels/augment_controls.h"
#include "app/panels/distil_panel.h"
#include "app/panels/training_controls.h"
#include "app/widgets/ui.h"

namespace distillery {

namespace {

// The losses the combo offers (ce is the "Train student alone" button), in the engine's names.
constexpr LossKind kDistillLosses[] = {LossKind::kHinton, LossKind::kDecoupled, LossKind::kLogitMse};
constexpr TeacherMode kTeacherModes[] = {TeacherMode::kConsistent, TeacherMode::kCached};

const char* loss_tip(LossKind kind) {
  switch (kind) {
    case LossKind::kHinton: return "kd: Hinton's distillation: match the teacher's probabilities softened at temperature T.";
    case LossKind::kDecoupled:
      return "dkd: decoupled KD (Zhao et al. 2022): the teacher's confidence in the true class and its ranking of the "
             "other classes are weighted separately (the two weights below).";
    case LossKind::kLogitMse: return "mse: match the teacher's raw logits (Ba and Caruana 2014); T is not used.";
    case LossKind::kCrossEntropy: return "ce: labels only, no teacher.";
  }
  return "";
}

}  // namespace

void DistilPanel::draw_presets() {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("preset");
  const TrainingPreset* current = matching_training_preset(options.train);
  for (const TrainingPreset& p : training_presets()) {
    ImGui::SameLine();
    // The preset the settings match is lit; the others look like ordinary buttons.
    const bool on = current == &p;
    ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(on ? ui::color::kAccent : IM_COL32(52, 58, 72, 255)));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(on ? IM_COL32(10, 14, 18, 255) : IM_COL32(215, 218, 226, 255)));
    if (ImGui::Button(p.name)) apply_training_preset(p, options.train);
    ImGui::PopStyleColor(2);
    ui::tip(ui::format("%s\n%d epochs, augment %s, %s schedule, %d warm-up epoch%s.", p.description, p.epochs,
                       p.augment, lr_schedule_name(p.schedule), p.warmup_epochs, p.warmup_epochs == 1 ? "" : "s")
                .c_str());
  }
  ImGui::SameLine();
  ui::dim_text(current ? "(the settings below are this preset's; change any to make your own)"
                       : "(your own settings: a preset sets epochs, augmentation, schedule and warm-up)");
}

void DistilPanel::draw_loss_settings() {
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 8);
  ImGui::SliderFloat("temperature T", &options.temperature, 1.0f, 20.0f, "%.1f");
  ui::tip("Softens the teacher's probabilities: at higher T the student also learns which wrong classes the teacher "
          "finds similar. See the explainer below.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 8);
  ImGui::SliderFloat("alpha", &options.alpha, 0.0f, 1.0f, "%.2f");
  ui::tip("Weight of the true labels in the loss; the rest (1 - alpha) is copying the teacher. Unlabeled images "
          "learn from the teacher only.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 5);
  if (ImGui::BeginCombo("loss", loss_name(options.loss))) {
    for (LossKind kind : kDistillLosses) {
      if (ImGui::Selectable(loss_name(kind), options.loss == kind)) options.loss = kind;
      ui::tip(loss_tip(kind));
    }
    ImGui::EndCombo();
  }
  ui::tip(loss_tip(options.loss));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 7.5f);
  if (ImGui::BeginCombo("teacher", teacher_mode_name(options.teacher_mode))) {
    for (TeacherMode mode : kTeacherModes)
      if (ImGui::Selectable(teacher_mode_name(mode), options.teacher_mode == mode)) options.teacher_mode = mode;
    ImGui::EndCombo();
  }
  ui::tip("consistent: the teacher runs on every augmented, mixed batch the student sees (function matching, Beyer et "
          "al. 2022). cached: its outputs are computed once on the plain images: faster, but they teach less.");
  if (options.loss == LossKind::kDecoupled) {
    ImGui::SetNextItemWidth(font * 8);
    ImGui::SliderFloat("target weight", &options.dkd_target_weight, 0.0f, 4.0f, "%.2f");
    ui::tip("dkd: weight of the target-class term (how sure the teacher is of the true class).");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 8);
    ImGui::SliderFloat("non-target weight", &options.dkd_nontarget_weight, 0.0f, 16.0f, "%.1f");
    ui::tip("dkd: weight of the non-target term (how the teacher ranks the wrong classes: its 'dark knowledge').");
  }
}

void DistilPanel::draw_settings(App& app) {
  ui::section("Distillation settings");
  if (!loss_needs_teacher(options.loss)) options.loss = LossKind::kHinton;  // ce is the button below
  draw_presets();
  draw_loss_settings();
  draw_train_options(options.train, "distil");
  draw_augment_options(options.train.augment, "distil_augment");
  ImGui::Checkbox("Compare with the student alone", &options.baseline);
  ui::tip("After distilling, train the same student without the teacher (same seed, so the same starting weights; "
          "same split, augmentation and schedule; labelled images only) and report the gain. Takes about twice as long.");
  draw_buttons(app);
}

void DistilPanel::draw_buttons(App& app) {
  const std::string& arch = app.student_panel.arch.spec();
  std::string student = "Student: " + arch + "  (change it in the Student panel)";
  if (app.session.unlabeled)
    student += ui::format("   + %d unlabeled images join the training split", app.session.unlabeled->size());
  ui::dim_text(student.c_str());

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
    alone.loss = LossKind::kCrossEntropy;
    alone.baseline = false;
    app.run_action([&] { start_distillation(app, alone); });
  }
  ImGui::EndDisabled();
  ui::tip("The baseline by hand: the same student trained on the labels only, without a teacher.");
  if (busy) {
    ImGui::SameLine();
    draw_job_controls(app);
  }
  if (!ready && !busy) ui::dim_text("Distilling needs a dataset (Data panel) and a teacher (Teacher panel).");
  draw_job_progress(app);
}

}  // namespace distillery
