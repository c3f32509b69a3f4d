#pragma once
// ResumePoint: a long job's state at the end of an epoch (or, when pruning,
// between rounds), enough to start the same job again later and continue it
// (a saved session after a reload): which action started it and with which
// options, the engine's checkpoint (weights, optimiser moments, step counts,
// shuffle and dropout generators), what the job itself adds, and the curves
// drawn so far.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/jobs/job_kind.h"
#include "app/session.h"
#include "engine/train/checkpoint.h"

namespace distillery {

struct ResumePoint {
  JobKind kind = JobKind::kDistill;  // kDistill, kTrainTeacher or kPrune: the JS API method that started it
  nlohmann::json options;   // its options, as that method takes them
  int epochs_done = 0;      // over the whole job: a pruning job's rounds add up
  int epochs_total = 0;
  // The running TrainingRun's checkpoint; none between pruning rounds.
  std::optional<TrainingCheckpoint> checkpoint;
  // The job's own state beyond the checkpoint (a pruning job: its round and
  // the pruned model); null for training jobs.
  nlohmann::json job_state;
  TrainingCurves curves;
};

// A running job's latest resume point: set by the job's thread after an
// epoch, read by the UI thread when it saves the session.
class ResumePointSlot {
 public:
  void set(std::shared_ptr<const ResumePoint> point) {
    std::lock_guard<std::mutex> lock(mutex_);
    point_ = std::move(point);
  }
  std::shared_ptr<const ResumePoint> get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return point_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ResumePoint> point_;
};

}  // namespace distillery
