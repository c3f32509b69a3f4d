#pragma once
// TeacherLogits: the teacher's logits over every sample of a dataset, computed
// once before training (the engine's TrainingRun looks them up per batch), one
// chunk per step so the single-thread page stays responsive and pause/stop
// answer quickly.
#include <memory>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/data/dataset.h"
#include "engine/model/model.h"

namespace distillery {

class TeacherLogits {
 public:
  TeacherLogits(Model& teacher, const Dataset& data);
  // Computes the next chunk; returns false once all samples are done.
  bool step();
  bool done() const { return done_ >= data_.size(); }
  double fraction() const { return data_.size() ? static_cast<double>(done_) / data_.size() : 1.0; }
  // [data.size(), classes], indexed by sample.
  const Tensor& logits() const { return logits_; }
  // Share of `indices` whose arg-max logit is the label (-1 when empty).
  float accuracy(const std::vector<int>& indices) const;

 private:
  Model& teacher_;
  const Dataset& data_;
  Tensor logits_;
  Tensor inputs_;
  int done_ = 0;
};

}  // namespace distillery
