#pragma once
// Quantize panel: post-training quantization of the student (or the
// teacher): the mode, the calibration images and method, the Quantize
// button, and what it cost and saved (accuracy and agreement with the float
// model, file bytes, ms per image). It sits between Prune and Evaluate, the
// order a user shrinks a model in: distil, prune, quantize, then compare.
#include "app/options.h"

namespace distillery {

class App;

struct QuantizePanel {
  void draw(App& app);

  QuantizeRequest request;
  // Settings given elsewhere (the JS API, a restored session) shown as if typed here.
  void apply(const QuantizeRequest& given) { request = given; }

 private:
  void draw_settings(App& app);
  void draw_result(App& app);
};

}  // namespace distillery
