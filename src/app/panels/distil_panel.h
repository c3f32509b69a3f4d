#pragma once
// Distil panel: presets, temperature, alpha, loss (kd, dkd with its two
// weights, mse), teacher mode, training and augmentation settings and the
// student-alone baseline; start / pause / resume / stop; progress with ETA
// and samples/s; a preview of a training batch as the student and the
// teacher see it; live loss and accuracy curves (both runs with a baseline,
// then the verdict line); and the temperature explainer (the teacher's
// probabilities for one image at T = 1 and at a T to explore, side by side).
#include <vector>

#include "app/options.h"
#include "app/panels/augment_preview.h"
#include "app/widgets/texture.h"

namespace distillery {

class App;

struct DistilPanel {
  void draw(App& app);

  DistillOptions options = first_distil_options();
  bool smooth_curves = true;
  // Options given elsewhere (the JS API) shown as if typed here. A run alone
  // (loss ce) keeps the panel's distillation settings: only its training ones show.
  void apply(const DistillOptions& given) {
    if (loss_needs_teacher(given.loss)) options = given;
    else options.train = given.train;
  }
  AugmentPreview preview;

  // Temperature explainer: which test image, the temperature it shows (its
  // own, so exploring does not change the run's), and the teacher's logits.
  int explainer_sample = 0;
  float explainer_temperature = 4.0f;
  std::vector<float> explainer_logits;
  int explainer_key[3] = {-1, -1, -1};  // teacher version, dataset version, sample
  ui::Texture explainer_image;

 private:
  // distil_settings.cpp
  void draw_settings(App& app);
  void draw_presets();
  void draw_loss_settings();
  void draw_buttons(App& app);
  // distil_panel.cpp
  void draw_curves(App& app);
  void draw_comparison(App& app);
  void draw_explainer(App& app);
};

// Softmax of logits / T (what the explainer draws).
std::vector<float> softened(const std::vector<float>& logits, float temperature);

}  // namespace distillery
