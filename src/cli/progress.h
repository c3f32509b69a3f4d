#pragma once
// Training progress on stderr: one line per epoch (loss, accuracy, validation
// accuracy, samples/s), and a live progress bar within the epoch when stderr
// is a terminal (never in logs or pipes, so captured output stays clean).
#include <chrono>
#include <cstdio>
#include <string>

#include "engine/train/trainer.h"

namespace distillery {

class TrainingProgress {
 public:
  // label prefixes every line, e.g. "train" or "distill".
  explicit TrainingProgress(std::string label, std::FILE* out = stderr);

  void on_batch(const BatchReport& report);
  void on_epoch(const EpochReport& report);
  // Callbacks for a TrainingRun that report here.
  TrainCallbacks callbacks();

 private:
  void clear_bar();

  std::string label_;
  std::FILE* out_;
  bool interactive_;
  bool bar_shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

// A one-line note on stderr (e.g. "teacher logits over 600 samples in 0.2 s").
// Not prefixed "distillery:", which marks errors.
void note(const std::string& text);

}  // namespace distillery
