#pragma once
// Student panel: the student's architecture (editor with presets, or derived
// from the teacher by a width multiplier) with its live parameter count and
// compression ratio against the teacher; and the current student, if any.
#include "app/widgets/arch_editor.h"

namespace distillery {

class App;

struct StudentPanel {
  void draw(App& app);

  ArchEditor arch{"dense:32"};
  float width_multiplier = 0.25f;

 private:
  void draw_architecture(App& app);
  void draw_current(App& app);
};

}  // namespace distillery
