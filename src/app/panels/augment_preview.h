#pragma once
// The Distil panel's preview of a training batch: a few training images as
// the student sees them (augmented and mixed by the engine's BatchAugmenter
// with the very random draws training makes at step N; on these fixed images
// rather than that step's shuffled batch) and as the teacher sees
// them (the same images in consistent mode; the plain images in cached mode,
// whose logits were computed once without augmentation). Redrawn when the
// settings change; "Next batch" moves to the next step's random draws.
#include <string>
#include <vector>

#include "app/options.h"
#include "app/widgets/texture.h"

namespace distillery {

class App;

struct AugmentPreview {
  void draw(App& app, const DistillOptions& options);

  static constexpr int kImages = 8;
  int step = 0;  // the training step whose random draws are shown

 private:
  void rebuild(App& app, const DistillOptions& options);
  void draw_row(const char* title, const ui::Texture& grid, bool captions);

  std::string key_;  // what the grids were drawn for: data, teacher, settings, step
  ui::Texture student_grid_, teacher_grid_;
  int count_ = 0;
  std::vector<std::string> main_caption_, mix_caption_;  // per image: its label (and weight), its partner's
};

}  // namespace distillery
