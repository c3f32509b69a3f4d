#pragma once
// Teacher panel: load a teacher model (JSON), or train one here with an
// architecture editor; a summary table of its layers, shapes and parameters.
#include <string>

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

 private:
  void draw_load(App& app);
  void draw_summary(App& app);
  void draw_train(App& app);
};

}  // namespace distillery
