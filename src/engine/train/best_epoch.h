#pragma once
// Keeping the best epoch: remembers the weights after the epoch with the best
// validation accuracy and puts them back when training ends (Keras's
// restore_best_weights, without stopping early). Used through a callback, so
// the training loop itself does not change.
//
//   BestEpochKeeper keeper;
//   TrainingRun run(model, data, split.train, split.val, config, teacher,
//                   keep_best_epoch(callbacks, keeper, model));
//   run.run();
//   keeper.restore(model);
#include <vector>

#include "engine/model/model.h"
#include "engine/train/trainer.h"

namespace distillery {

class BestEpochKeeper {
 public:
  // After each epoch: copies the model's numbers (weights and batch-norm
  // statistics, all in the flat buffer) when the epoch beats the best so far:
  // higher validation accuracy, or the same with lower validation loss. Epochs
  // without validation (NaN) are ignored.
  void observe(const EpochReport& report, const Model& model);
  // Puts the best epoch's numbers back. False (and the model untouched) when
  // no epoch had a validation result. Throws Error for a model of another size.
  bool restore(Model& model) const;

  bool has_best() const { return best_epoch_ >= 0; }
  int best_epoch() const { return best_epoch_; }  // 0-based, -1 before any
  float best_val_accuracy() const { return best_accuracy_; }
  float best_val_loss() const { return best_loss_; }

 private:
  std::vector<float> best_values_;
  int best_epoch_ = -1;
  float best_accuracy_ = 0;
  float best_loss_ = 0;
};

// callbacks with the keeper observing every epoch (before callbacks.on_epoch).
// keeper and model must outlive the run.
TrainCallbacks keep_best_epoch(TrainCallbacks callbacks, BestEpochKeeper& keeper, const Model& model);

}  // namespace distillery
