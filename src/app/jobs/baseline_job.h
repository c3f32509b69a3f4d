#pragma once
// DistillWithBaselineJob: one Distil click with "Compare with the student
// alone" on. It runs the distillation, then the same student trained alone
// (same seed, so the same initial weights; the same split, augmentation and
// schedule; no teacher; labelled images only), as one job: one progress bar,
// one Stop, both runs' curves on the same axes. The distilled student becomes
// the session's student; the run alone is only measured, and the verdict
// (test accuracy of both, the gain) goes to the session, the student's
// provenance and the JS result (baseline_accuracy, gain).
#include <atomic>
#include <chrono>
#include <memory>

#include "app/jobs/train_job.h"

namespace distillery {

class DistillWithBaselineJob : public Job {
 public:
  DistillWithBaselineJob(std::unique_ptr<TrainJob> distilled, std::unique_ptr<TrainJob> alone);

  std::string title() const override { return distilled_->title(); }
  JobKind kind() const override { return JobKind::kDistill; }
  bool step() override;
  void run(TrainControl& control) override;
  nlohmann::json apply(Session& session, bool stopped) override;
  bool keeps_result_when_stopped() const override { return true; }
  // While the run alone trains this stays the distillation's last one: a
  // restored session repeats the distillation's last epoch, then the baseline
  // (the same bits, as both runs are deterministic).
  std::shared_ptr<const ResumePoint> resume_point() const override { return distilled_->resume_point(); }
  JobProgress progress() const override;
  void attach(TrainControl* control) override;

 private:
  enum class Stage { kDistilled, kAlone, kDone };

  std::unique_ptr<TrainJob> distilled_;
  std::unique_ptr<TrainJob> alone_;
  std::atomic<Stage> stage_{Stage::kDistilled};  // written by the job's thread, read by the UI's
  std::atomic<bool> alone_started_{false};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace distillery
