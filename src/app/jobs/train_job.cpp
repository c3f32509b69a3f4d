// TrainJob phases: the teacher (cached logits, or its validation accuracy) -> training ->
// evaluation; see train_job.h.
#include "app/jobs/train_job.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/metrics/metrics.h"

namespace distillery {

TrainJob::TrainJob(TrainJobSettings settings, std::unique_ptr<Model> model, std::shared_ptr<const Dataset> data,
                   DataSplit split, std::unique_ptr<Model> teacher)
    : settings_(std::move(settings)), model_(std::move(model)), data_(std::move(data)), split_(std::move(split)),
      teacher_(std::move(teacher)) {
  const bool needs_teacher = loss_needs_teacher(settings_.config.loss);
  const bool cached = needs_teacher && settings_.config.teacher_mode == TeacherMode::kCached;
  require(!settings_.resume_from || settings_.resume_from->checkpoint,
          "the saved training run has no checkpoint to continue from");
  require(!needs_teacher || teacher_, std::string("the '") + loss_name(settings_.config.loss) + "' loss needs a teacher: load one first");
  phase_ = cached ? Phase::kTeacherLogits : needs_teacher ? Phase::kTeacherReference : Phase::kTrain;
  if (cached) teacher_logits_ = std::make_unique<TeacherLogits>(*teacher_, *data_);
  update_progress([&](JobProgress& p) {
    p.title = settings_.title;
    p.phase = cached ? "caching the teacher's logits" : needs_teacher ? "measuring the teacher" : "training";
    p.epochs = settings_.config.epochs;
    p.curves.title = settings_.title;
    p.curves.kind = settings_.kind;
  });
}

TrainJob::~TrainJob() = default;

bool TrainJob::step() {
  switch (phase_) {
    case Phase::kTeacherLogits:
      if (stop_requested()) phase_ = Phase::kDone;
      else step_teacher_logits();
      return true;
    case Phase::kTeacherReference:
      if (stop_requested()) phase_ = Phase::kDone;
      else step_teacher_reference();
      return true;
    case Phase::kTrain:
      if (stop_requested()) phase_ = run_ ? Phase::kEvaluate : Phase::kDone;
      else step_training();
      return true;
    case Phase::kEvaluate:
      evaluate();
      phase_ = Phase::kDone;
      return false;
    case Phase::kDone:
      return false;
  }
  return false;
}

void TrainJob::run(TrainControl& control) {
  // The teacher's phase in chunks so that pause and stop answer quickly.
  while (phase_ == Phase::kTeacherLogits || phase_ == Phase::kTeacherReference) {
    while (control.pause && !control.stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    step();
  }
  if (phase_ == Phase::kTrain) {
    start_training();
    // The engine's loop, with a checkpoint kept after each epoch.
    run_->run(&control, [this] { keep_checkpoint_after_epoch(); });
    phase_ = Phase::kEvaluate;
  }
  while (step()) {
  }
}

void TrainJob::step_teacher_logits() {
  teacher_logits_->step();
  const double fraction = teacher_logits_->fraction();
  update_progress([&](JobProgress& p) { p.fraction = 0.05 * fraction; });
  if (teacher_logits_->done()) {
    teacher_val_accuracy_ = teacher_logits_->accuracy(split_.val.empty() ? split_.test : split_.val);
    update_progress([&](JobProgress& p) { p.curves.teacher_val_accuracy = teacher_val_accuracy_; });
    phase_ = Phase::kTrain;
  }
}

void TrainJob::step_teacher_reference() {
  // One chunk of the validation split per step, so pause and stop answer quickly.
  const std::vector<int>& indices = split_.val.empty() ? split_.test : split_.val;
  const size_t chunk = std::min<size_t>(256, indices.size() - reference_done_);
  if (chunk > 0) {
    Tensor inputs;
    gather_batch(*data_, indices.data() + reference_done_, static_cast<int>(chunk), teacher_->preprocessing, inputs);
    const std::vector<int> predicted = predicted_classes(teacher_->forward(inputs, false));
    for (size_t i = 0; i < chunk; ++i) reference_correct_ += predicted[i] == data_->labels[indices[reference_done_ + i]];
    reference_done_ += chunk;
  }
  if (reference_done_ < indices.size()) return;
  teacher_val_accuracy_ = indices.empty() ? -1.0f : static_cast<float>(reference_correct_) / indices.size();
  update_progress([&](JobProgress& p) { p.curves.teacher_val_accuracy = teacher_val_accuracy_; });
  phase_ = Phase::kTrain;
}

void TrainJob::start_training() {
  if (run_) return;
  TrainCallbacks callbacks;
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = settings_.resume_from ? settings_.resume_from->checkpoint->steps : 0;
  callbacks.on_batch = [this, started, first_step](const BatchReport& r) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double per_step = elapsed / static_cast<double>(std::max<int64_t>(1, r.step - first_step));
    update_progress([&](JobProgress& p) {
      p.phase = "training";
      p.epoch = r.epoch + 1;
      p.loss = r.loss;
      p.accuracy = r.accuracy;
      p.samples_per_second = r.samples_per_second;
      p.fraction = 0.05 + 0.93 * static_cast<double>(r.step) / static_cast<double>(std::max<int64_t>(1, r.total_steps));
      p.eta_seconds = per_step * static_cast<double>(r.total_steps - r.step);
      p.curves.batch_epoch.push_back(static_cast<float>(r.epoch) +
                                     static_cast<float>(r.batch + 1) / static_cast<float>(r.batches_per_epoch));
      p.curves.batch_loss.push_back(r.loss);
      p.curves.batch_accuracy.push_back(r.accuracy);
    });
  };
  callbacks.on_epoch = [this](const EpochReport& r) {
    update_progress([&](JobProgress& p) { p.curves.epochs.push_back(r); });
  };
  run_ = std::make_unique<TrainingRun>(*model_, *data_, split_.train, split_.val, settings_.config,
                                       TeacherSignal(teacher_.get(), teacher_logits_ ? &teacher_logits_->logits() : nullptr),
                                       std::move(callbacks));
  if (settings_.resume_from) {
    // Continue the saved run: weights, optimiser, order and curves as they were after its last epoch.
    run_->restore(*settings_.resume_from->checkpoint);
    checkpoint_epoch_ = run_->current_epoch();
    resume_point_.set(settings_.resume_from);
    const TrainingCurves curves = settings_.resume_from->curves;
    update_progress([&](JobProgress& p) {
      const float teacher_line = p.curves.teacher_val_accuracy;
      p.curves = curves;
      p.curves.title = settings_.title;
      p.curves.kind = settings_.kind;
      p.curves.teacher_val_accuracy = teacher_line;
      p.epoch = run_->current_epoch();
    });
  }
}

void TrainJob::step_training() {
  start_training();
  if (!run_->step()) phase_ = Phase::kEvaluate;
  keep_checkpoint_after_epoch();
}

void TrainJob::keep_checkpoint_after_epoch() {
  if (!settings_.resumable || run_->finished() || run_->current_epoch() == checkpoint_epoch_) return;
  checkpoint_epoch_ = run_->current_epoch();
  auto point = std::make_shared<ResumePoint>();
  point->kind = settings_.kind;
  point->options = settings_.resume_options;
  point->checkpoint = run_->checkpoint();
  point->epochs_done = point->checkpoint->epochs_done;
  point->epochs_total = settings_.config.epochs;
  point->curves = progress().curves;
  resume_point_.set(std::move(point));
}

void TrainJob::evaluate() {
  update_progress([](JobProgress& p) {
    p.phase = "evaluating on the test split";
    p.eta_seconds = -1;
  });
  if (!split_.test.empty()) report_ = distillery::evaluate(*model_, *data_, split_.test, teacher_.get());
  update_progress([](JobProgress& p) { p.fraction = 1.0; });
}

nlohmann::json TrainJob::apply(Session& session, bool stopped) {
  require(run_ && run_->steps_done() > 0, "stopped before training began; nothing was changed");
  const int epochs_done = static_cast<int>(run_->history().size());
  nlohmann::json provenance = settings_.provenance;
  provenance["epochs_completed"] = epochs_done;
  if (stopped) provenance["stopped_early"] = true;
  if (settings_.resume_from) provenance["resumed_from_epoch"] = settings_.resume_from->epochs_done;
  if (report_) provenance["test_accuracy"] = report_->accuracy;
  if (report_ && report_->agreement >= 0) provenance["teacher_agreement"] = report_->agreement;
  model_->provenance = provenance;

  nlohmann::json result = {{"stopped", stopped}, {"epochs", epochs_done}, {"steps", run_->steps_done()}};
  if (settings_.resume_from) result["resumed_from_epoch"] = settings_.resume_from->epochs_done;
  if (!run_->history().empty()) {
    const EpochReport& last = run_->history().back();
    result["loss"] = last.train_loss;
    result["train_accuracy"] = last.train_accuracy;
    if (last.val_accuracy == last.val_accuracy) result["val_accuracy"] = last.val_accuracy;
  }
  if (report_) result["accuracy"] = report_->accuracy;
  if (report_ && report_->agreement >= 0) result["agreement"] = report_->agreement;
  if (report_ && report_->kl_to_teacher >= 0) result["kl_to_teacher"] = report_->kl_to_teacher;
  result["params"] = model_->parameter_count();
  result.update(settings_.extra_result);

  session.curves = progress().curves;
  session.baseline_curves = TrainingCurves{};  // a baseline job sets them after this
  session.comparison.reset();
  std::shared_ptr<Model> trained(std::move(model_));
  if (settings_.trains_teacher) {
    session.set_teacher(trained, settings_.model_source);
    session.teacher_eval = report_;
  } else {
    session.set_student(trained, settings_.recipe);
    session.student_eval = report_;
  }
  return result;
}

}  // namespace distillery
