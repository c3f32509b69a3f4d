#include "app/panels/training_controls.h"

#include <algorithm>
#include <cmath>

#include "app/app.h"
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

  const char* optimizers[] = {"adam", "adamw", "sgd"};
  int opt = o.optimizer == "sgd" ? 2 : o.optimizer == "adamw" ? 1 : 0;
  ImGui::SetNextItemWidth(font * 7);
  if (ImGui::Combo("optimiser", &opt, optimizers, 3)) o.optimizer = optimizers[opt];
  ui::tip("Adam adapts the step size per weight (a good default); SGD with momentum is the classic; AdamW adds weight decay.");
  ImGui::SameLine();
  const char* schedules[] = {"constant", "cosine"};
  int sched = o.schedule == "cosine" ? 1 : 0;
  ImGui::SetNextItemWidth(font * 7);
  if (ImGui::Combo("schedule", &sched, schedules, 2)) o.schedule = schedules[sched];
  ui::tip("Constant keeps the learning rate; cosine lowers it smoothly to zero by the end of training.");
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

}  // namespace distillery
