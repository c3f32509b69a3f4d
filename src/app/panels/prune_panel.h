#pragma once
// Prune panel: method, target sparsity, schedule and fine-tuning (with or
// without the teacher); per-layer sparsity bars; pictures of the first
// layer's masks (dense) or filters (conv).
#include "app/options.h"
#include "app/widgets/texture.h"

namespace distillery {

class App;
class Model;

struct PrunePanel {
  void draw(App& app);

  PruneOptions options;
  bool smooth_curves = true;
  // Options given elsewhere (the JS API) shown as if typed here.
  void apply(const PruneOptions& given) { options = given; }

  ui::Texture mask_pictures;
  int mask_pictures_version = -1;
  int mask_columns = 0, mask_rows = 0, mask_count = 0;
  std::string mask_caption;

 private:
  void draw_settings(App& app);
  void draw_method_and_schedule();
  void draw_fine_tuning();
  void draw_layers(App& app);
  void rebuild_pictures(App& app, const Model& model);
};

}  // namespace distillery
