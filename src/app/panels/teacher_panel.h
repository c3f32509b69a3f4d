#pragma once
// Teacher panel: load a teacher model (Distillery JSON, ONNX, or a TensorFlow.js
// Layers model: model.json + .bin files, or a ZIP of them), or train one here
// with an architecture editor; a summary table of its layers, shapes and parameters.
#include <cstdint>
#include <string>
#include <vector>

#include "app/model_upload.h"
#include "app/options.h"
#include "app/widgets/arch_editor.h"

namespace distillery {

class App;

struct TeacherPanel {
  void draw(App& app);

  std::string path_input;  // desktop: a model file to load
  ArchEditor arch{"conv:32:3,pool:2,conv:64:3,pool:2,dense:128"};
  TrainOptions train;
  bool smooth_curves = true;
  // Options given elsewhere (the JS API) shown as if typed here.
  void apply(const TrainOptions& options) {
    train = options;
    arch.set_spec(options.arch);
  }
  // TF.js and ONNX models record no preprocessing (unless Distillery exported them):
  // by default pixels are scaled by 1/255; the user may say otherwise.
  bool custom_tfjs_scale = false;
  float tfjs_scale = 1.0f / 255.0f;

  ModelImportSettings import_settings() const { return {custom_tfjs_scale ? tfjs_scale : -1.0f}; }

 private:
  // The summary of the teacher, rebuilt when it changes: counting non-zero
  // weights every frame cost milliseconds per frame for a big teacher.
  struct LayerRow {
    std::string type, shape;
    int64_t params = 0, nonzero = 0;
  };
  std::vector<LayerRow> rows_;
  std::string arch_;
  int rows_version_ = -1;

  void refresh_summary(App& app);
  void draw_load(App& app);
  void draw_tfjs_note();
  void draw_summary(App& app);
  void draw_train(App& app);
};

}  // namespace distillery
