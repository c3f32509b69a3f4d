#pragma once
// Distil panel: temperature, alpha and training settings; start / pause /
// resume / stop; progress with ETA and samples/s; live loss and accuracy
// curves with the teacher's accuracy as a reference line; and the
// temperature explainer (the teacher's probabilities for one image at T = 1
// and at the chosen T, side by side).
#include <vector>

#include "app/options.h"
#include "app/widgets/texture.h"

namespace distillery {

class App;

struct DistilPanel {
  void draw(App& app);

  DistillOptions options;
  bool smooth_curves = true;

  // Temperature explainer: which test image, and the teacher's logits for it.
  int explainer_sample = 0;
  std::vector<float> explainer_logits;
  int explainer_key[3] = {-1, -1, -1};  // teacher version, dataset version, sample
  ui::Texture explainer_image;

 private:
  void draw_settings(App& app);
  void draw_curves(App& app);
  void draw_explainer(App& app);
};

// Softmax of logits / T (what the explainer draws).
std::vector<float> softened(const std::vector<float>& logits, float temperature);

}  // namespace distillery
