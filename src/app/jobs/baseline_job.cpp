#include "app/jobs/baseline_job.h"

#include "engine/train/baseline_record.h"
#include "engine/core/error.h"

namespace distillery {

DistillWithBaselineJob::DistillWithBaselineJob(std::unique_ptr<TrainJob> distilled, std::unique_ptr<TrainJob> alone)
    : distilled_(std::move(distilled)), alone_(std::move(alone)) {
  require(distilled_ && alone_, "a baseline comparison needs both runs");
}

void DistillWithBaselineJob::attach(TrainControl* control) {
  Job::attach(control);
  distilled_->attach(control);
  alone_->attach(control);
}

bool DistillWithBaselineJob::step() {
  switch (stage_.load()) {
    case Stage::kDistilled:
      if (distilled_->step()) return true;
      // Stopped during the distillation: there is nothing fair to compare with.
      if (stop_requested()) {
        stage_ = Stage::kDone;
        return false;
      }
      alone_started_ = true;
      stage_ = Stage::kAlone;
      return true;
    case Stage::kAlone:
      if (alone_->step()) return true;
      stage_ = Stage::kDone;
      return false;
    case Stage::kDone:
      return false;
  }
  return false;
}

void DistillWithBaselineJob::run(TrainControl& control) {
  distilled_->run(control);
  if (control.stop) {
    stage_ = Stage::kDone;
    return;
  }
  alone_started_ = true;
  stage_ = Stage::kAlone;
  alone_->run(control);
  stage_ = Stage::kDone;
}

JobProgress DistillWithBaselineJob::progress() const {
  JobProgress p = distilled_->progress();
  if (!alone_started_.load()) {
    p.fraction *= 0.5;
    // The run alone takes at most as long as the distillation (it skips the teacher).
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (p.eta_seconds >= 0) p.eta_seconds += elapsed + p.eta_seconds;
    return p;
  }
  const JobProgress alone = alone_->progress();
  JobProgress out = alone;
  out.title = p.title;
  out.phase = "baseline, the student alone: " + alone.phase;
  out.fraction = 0.5 + 0.5 * alone.fraction;
  out.curves = p.curves;
  out.baseline_curves = alone.curves;
  return out;
}

nlohmann::json DistillWithBaselineJob::apply(Session& session, bool stopped) {
  const bool alone_began = alone_->trained();
  // A stop during the run alone leaves the distillation complete.
  nlohmann::json result = distilled_->apply(session, stopped && !alone_began);
  if (!alone_began) {
    result["baseline_skipped"] = "stopped before the run alone began";
    return result;
  }
  session.baseline_curves = alone_->progress().curves;
  const auto& distilled = distilled_->report();
  const auto& alone = alone_->report();
  if (!alone_->finished_training() || !distilled || !alone) {
    result["baseline_skipped"] = alone_->finished_training() ? "the test split is empty" : "stopped during the run alone";
    return result;
  }
  BaselineComparison comparison{distilled->accuracy, alone->accuracy};
  session.comparison = comparison;
  session.baseline_student = alone_->take_model();
  result["baseline_accuracy"] = comparison.alone_accuracy;
  result["gain"] = comparison.gain();
  result["comparison"] = comparison.line();
  if (alone->agreement >= 0) result["baseline_agreement"] = alone->agreement;
  if (session.student) {
    BaselineRecord record;
    record.accuracy = comparison.alone_accuracy;
    record.gain = comparison.gain();
    record.agreement = alone->agreement;
    session.student->provenance["baseline"] = baseline_record_json(record);
  }
  return result;
}

}  // namespace distillery
