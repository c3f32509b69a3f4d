#pragma once
// QuantizeJob: post-training quantization of a copy of the student or the
// teacher (engine/quant/quantized_model.h), then what it costs and saves.
// Steps, each one slice in the single-thread page:
//   1. draw the calibration images from the training split, quantize
//   2. the file sizes: quantized JSON against the float model's
//   3. the quantized model on the test split against the float one
// The result becomes the session's quantized model; the float model is untouched.
#include <memory>
#include <optional>

#include "app/options.h"
#include "app/training_worker.h"

namespace distillery {

class QuantizeJob : public Job {
 public:
  // source: a copy of the model quantized; source_version: the session's
  // version of it now, so a result is not applied to a model replaced since.
  QuantizeJob(const QuantizeRequest& request, std::unique_ptr<Model> source, std::shared_ptr<const Dataset> data,
              DataSplit split, int source_version);
  std::string title() const override;
  JobKind kind() const override { return JobKind::kQuantize; }
  bool step() override;
  nlohmann::json apply(Session& session, bool stopped) override;

 private:
  QuantizeRequest request_;
  std::unique_ptr<Model> source_;
  std::shared_ptr<const Dataset> data_;
  DataSplit split_;
  int source_version_;
  int stage_ = 0;
  std::optional<QuantizedModel> quantized_;
  std::optional<QuantizedEntry> entry_;
  std::optional<QuantizedEval> eval_;
};

// `count` distinct indices of `pool` drawn with `seed` (all of them when it holds fewer), sorted.
std::vector<int> draw_calibration_indices(const std::vector<int>& pool, int count, uint64_t seed);

}  // namespace distillery
