#include "engine/train/best_epoch.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/core/error.h"

namespace distillery {

void BestEpochKeeper::observe(const EpochReport& report, const Model& model) {
  if (std::isnan(report.val_accuracy)) return;
  const bool better = best_epoch_ < 0 || report.val_accuracy > best_accuracy_ ||
                      (report.val_accuracy == best_accuracy_ && report.val_loss < best_loss_);
  if (!better) return;
  best_values_ = model.params().values;
  best_epoch_ = report.epoch;
  best_accuracy_ = report.val_accuracy;
  best_loss_ = report.val_loss;
}

bool BestEpochKeeper::restore(Model& model) const {
  if (!has_best()) return false;
  require(model.params().values.size() == best_values_.size(),
          "keep best epoch: the model has " + std::to_string(model.params().values.size()) +
              " numbers, the kept epoch " + std::to_string(best_values_.size()));
  // Copied in place: layers hold pointers into the buffer.
  std::copy(best_values_.begin(), best_values_.end(), model.params().values.begin());
  return true;
}

TrainCallbacks keep_best_epoch(TrainCallbacks callbacks, BestEpochKeeper& keeper, const Model& model) {
  auto inner = std::move(callbacks.on_epoch);
  callbacks.on_epoch = [inner = std::move(inner), &keeper, &model](const EpochReport& report) {
    keeper.observe(report, model);
    if (inner) inner(report);
  };
  return callbacks;
}

}  // namespace distillery
