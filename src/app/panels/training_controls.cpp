#include "app/panels/training_controls.h"

#include <algorithm>
#include <cmath>

#include "app/app.h"
#include "app/widgets/plot.h"
#include "app/widgets/enum_combo.h"
#include "app/widgets/ui.h"

namespace distillery {

void draw_train_options(TrainOptions& o, const char* id) {
  ImGui::PushID(id);
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 7);
  ImGui::SliderInt("epochs", &o.epochs, 1, 30);
  ui::tip("How many times training goes through the whole training split.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 7);
  int batch_log = static_cast<int>(std::lround(std::log2(std::max(1, o.batch))));
  if (ImGui::SliderInt("batch", &batch_log, 3, 9, "")) o.batch = 1 << batch_log;
  ImGui::SameLine(0, 0);
  ImGui::Text(" %d", o.batch);
  ui::tip("Images per optimisation step: bigger batches give smoother but fewer steps per epoch.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 7);
  ImGui::SliderFloat("learning rate", &o.lr, 1e-4f, 1e-1f, "%.4f", ImGuiSliderFlags_Logarithmic);
  ui::tip("How big each optimisation step is: too high and training is unstable, too low and it crawls.");

  static const ui::EnumItem<OptimizerKind> kOptimizers[] = {
      {OptimizerKind::kAdam, "adam"}, {OptimizerKind::kAdamW, "adamw"}, {OptimizerKind::kSgd, "sgd"}};
  ImGui::SetNextItemWidth(font * 7);
  ui::enum_combo("optimiser", o.optimizer, kOptimizers);
  ui::tip("Adam adapts the step size per weight (a good default); SGD with momentum is the classic; AdamW adds weight decay.");
  ImGui::SameLine();
  static const ui::EnumItem<LrSchedule> kSchedules[] = {{LrSchedule::kConstant, "constant"},
                                                        {LrSchedule::kCosine, "cosine"}};
  ImGui::SetNextItemWidth(font * 7);
  ui::enum_combo("schedule", o.schedule, kSchedules);
  ui::tip("Constant keeps the learning rate; cosine lowers it smoothly to zero by the end of training.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  ImGui::SliderInt("warm-up", &o.warmup_epochs, 0, std::max(0, std::min(o.epochs, 5)), "%d ep");
  o.warmup_epochs = std::clamp(o.warmup_epochs, 0, o.epochs);
  ui::tip("Epochs at the start in which the learning rate rises linearly from zero: steadier first steps, "
          "especially with mixup or a high learning rate.");
  ImGui::SameLine();
  int seed = static_cast<int>(o.seed);
  ImGui::SetNextItemWidth(font * 6);
  if (ImGui::InputInt("seed", &seed)) o.seed = static_cast<uint64_t>(std::max(0, seed));
  ui::tip("Starting weights and shuffling come from this number: the same seed gives the same result.");
  ImGui::PopID();
}

void draw_job_controls(App& app) {
  if (!app.worker.busy()) return;
  if (app.worker.paused()) {
    if (ImGui::Button("Resume")) app.worker.resume();
    ui::tip("Continue training from where it paused.");
  } else {
    if (ImGui::Button("Pause")) app.worker.pause();
    ui::tip("Hold training after the current batch; nothing is lost.");
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(app.worker.stopping());
  if (ImGui::Button("Stop")) app.worker.stop();
  ImGui::EndDisabled();
  ui::tip("End training now: the model keeps what it learned so far and is evaluated.");
}

void draw_job_progress(App& app) {
  const auto p = app.worker.progress();
  if (!p) return;
  std::string overlay = p->title + ": " + p->phase;
  if (p->epochs > 0 && p->epoch > 0) overlay += ui::format("  -  epoch %d/%d", p->epoch, p->epochs);
  ImGui::ProgressBar(static_cast<float>(p->fraction), ImVec2(-1, 0), overlay.c_str());
  ui::tip("How far the running job is.");
  std::string line;
  if (p->samples_per_second > 0) line += ui::format("%.0f samples/s", p->samples_per_second);
  if (p->eta_seconds >= 0) line += "   ETA " + ui::duration(p->eta_seconds);
  line += "   elapsed " + ui::duration(p->elapsed_seconds);
  if (std::isfinite(p->loss) && p->epoch > 0) line += ui::format("   batch loss %.3f   batch accuracy %.1f %%", p->loss, p->accuracy * 100);
  if (app.worker.paused()) line += "   (paused)";
  ui::dim_text(line.c_str());
}

namespace {

// How one run's curves are drawn: label prefix and colours (the distilled
// run and the run alone of a baseline comparison share the axes).
struct RunStyle {
  std::string prefix;   // "" for a single run, else "distilled: " / "alone: "
  ImU32 batches;        // train curves over batches
  ImU32 faint;          // the raw batch values under the smoothed line
  ImU32 validation;     // per-epoch validation values
  bool epoch_train;     // also the per-epoch train accuracy (single run only: fewer lines)
};

void add_run_series(const TrainingCurves& c, const RunStyle& style, bool smooth_curves,
                    std::vector<ui::PlotSeries>& loss, std::vector<ui::PlotSeries>& accuracy) {
  const std::vector<float> loss_line = smooth_curves ? ui::smooth(c.batch_loss, 0.9f) : c.batch_loss;
  const std::vector<float> acc_line = smooth_curves ? ui::smooth(c.batch_accuracy, 0.9f) : c.batch_accuracy;
  if (smooth_curves) loss.push_back({"", c.batch_epoch, c.batch_loss, style.faint, 1.0f});
  loss.push_back({style.prefix + "train loss (batches)", c.batch_epoch, loss_line, style.batches, 2.0f});
  std::vector<float> ex, val_loss, train_acc, val_acc;
  for (const EpochReport& e : c.epochs) {
    ex.push_back(static_cast<float>(e.epoch + 1));
    val_loss.push_back(e.val_loss);
    train_acc.push_back(e.train_accuracy);
    val_acc.push_back(e.val_accuracy);
  }
  loss.push_back({style.prefix + "validation loss (epochs)", ex, val_loss, style.validation, 2.0f, true});
  accuracy.push_back({style.prefix + "train (batches)", c.batch_epoch, acc_line, style.batches, 2.0f});
  if (style.epoch_train) accuracy.push_back({"train (epochs)", ex, train_acc, IM_COL32(170, 235, 225, 255), 1.5f, true});
  accuracy.push_back({style.prefix + "validation (epochs)", ex, val_acc, style.validation, 2.0f, true});
}

}  // namespace

void draw_training_curves(App& app, bool& smooth_curves) {
  const auto progress = app.worker.progress();
  const bool live = progress && progress->curves.kind.has_value();  // the running job draws curves
  const TrainingCurves& curves = live ? progress->curves : app.session.curves;
  const TrainingCurves& baseline = live ? progress->baseline_curves : app.session.baseline_curves;
  const bool compared = !baseline.batch_epoch.empty();
  std::string title = curves.title.empty() ? "Training curves" : "Training curves: " + curves.title;
  if (compared) title += " and the same student alone";
  ui::section(title.c_str());
  ImGui::Checkbox("smooth batch curves", &smooth_curves);
  ui::tip("Batch losses are noisy: show a moving average over them (the faint line is the raw values).");

  std::vector<ui::PlotSeries> loss_series, acc_series;
  if (!compared) {
    add_run_series(curves, {"", ui::color::kAccent, IM_COL32(64, 196, 180, 60), ui::color::kValidation, true},
                   smooth_curves, loss_series, acc_series);
  } else {
    add_run_series(curves, {"distilled: ", ui::color::kAccent, IM_COL32(64, 196, 180, 50), ui::color::kValidation, false},
                   smooth_curves, loss_series, acc_series);
    add_run_series(baseline, {"alone: ", ui::color::kBaseline, IM_COL32(214, 122, 214, 50), ui::color::kBaselineValidation,
                              false},
                   smooth_curves, loss_series, acc_series);
  }

  const int epochs = progress && progress->epochs > 0 ? progress->epochs : static_cast<int>(curves.epochs.size());
  ui::PlotOptions loss_options;
  loss_options.title = "Loss";
  loss_options.x_label = "epoch";
  loss_options.x_min = 0;
  loss_options.x_max = static_cast<float>(std::max(1, epochs));
  loss_options.empty_text = "press Distil to see the loss fall";
  ui::PlotOptions acc_options = loss_options;
  acc_options.title = "Accuracy";
  acc_options.y_percent = true;
  acc_options.empty_text = "accuracy appears here while training";
  if (curves.teacher_val_accuracy >= 0)
    acc_options.references.push_back({"teacher (validation)", curves.teacher_val_accuracy, ui::color::kTeacher});

  const float font = ImGui::GetFontSize();
  const float width = ImGui::GetContentRegionAvail().x;
  const float height = std::max(font * (compared ? 15 : 13), std::min(font * 18, width * 0.32f));
  ui::line_plot("loss", loss_series, loss_options, ImVec2((width - font * 0.5f) / 2, height));
  if (compared) ui::tip("Train losses differ in kind (the distilled run's includes the teacher's term); the validation "
                        "loss is the same cross-entropy on the labels for both runs.");
  ImGui::SameLine(0, font * 0.5f);
  ui::line_plot("accuracy", acc_series, acc_options, ImVec2((width - font * 0.5f) / 2, height));
}

}  // namespace distillery
