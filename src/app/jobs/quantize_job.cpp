#include "app/jobs/quantize_job.h"

#include <algorithm>

#include "app/jobs/quantized_measure.h"
#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/data/batch.h"

namespace distillery {

std::vector<int> draw_calibration_indices(const std::vector<int>& pool, int count, uint64_t seed) {
  std::vector<int> chosen = pool;
  Rng rng(seed);
  rng.shuffle(chosen);
  chosen.resize(std::min(chosen.size(), static_cast<size_t>(std::max(0, count))));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

QuantizeJob::QuantizeJob(const QuantizeRequest& request, std::unique_ptr<Model> source,
                         std::shared_ptr<const Dataset> data, DataSplit split, int source_version)
    : request_(request), source_(std::move(source)), data_(std::move(data)), split_(std::move(split)),
      source_version_(source_version) {
  update_progress([&](JobProgress& p) {
    p.title = title();
    p.phase = request_.engine.mode == QuantMode::Int8 ? "calibrating and quantizing" : "quantizing the weights";
  });
}

std::string QuantizeJob::title() const {
  return std::string("Quantizing ") + model_role_name(request_.model) + " (" + quant_mode_name(request_.engine.mode) +
         ")";
}

bool QuantizeJob::step() {
  if (stage_ == 0) {
    // Only int8 calibrates; the weight-only modes need no images.
    Tensor calibration(source_->input_shape().with_batch(0));
    if (request_.engine.mode == QuantMode::Int8) {
      const std::vector<int> chosen = draw_calibration_indices(split_.train, request_.calibration, request_.seed);
      gather_batch(*data_, chosen.data(), static_cast<int>(chosen.size()), source_->preprocessing, calibration);
    }
    quantized_ = quantize_model(*source_, calibration, request_.engine);
    update_progress([](JobProgress& p) {
      p.fraction = 0.4;
      p.phase = "measuring the file";
    });
  } else if (stage_ == 1) {
    entry_ = make_quantized_entry(std::move(*quantized_), *source_, request_.model);
    quantized_.reset();
    update_progress([](JobProgress& p) {
      p.fraction = 0.5;
      p.phase = "evaluating on the test split";
    });
  } else if (stage_ == 2) {
    eval_ = evaluate_quantized(*entry_->model, *source_, *data_, split_.test);
    update_progress([](JobProgress& p) { p.fraction = 1.0; });
  }
  return ++stage_ < 3;
}

nlohmann::json QuantizeJob::apply(Session& session, bool /*stopped*/) {
  const int version_now = request_.model == ModelRole::kStudent ? session.student_version : session.teacher_version;
  require(version_now == source_version_ && session.model_of(request_.model),
          std::string("the ") + model_role_name(request_.model) + " changed while it was quantized: quantize it again");
  session.set_quantized(std::move(*entry_));
  session.quantized_eval = eval_;
  return quantized_json(*session.quantized, &*session.quantized_eval);
}

}  // namespace distillery
