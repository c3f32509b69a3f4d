#pragma once
// TrainingWorker: runs one Job at a time (decode a dataset, train, distil,
// prune, evaluate) away from the drawing code.
//   - threaded builds: a std::thread runs Job::run(control), which for training
//     is the engine's TrainingRun::run(&control); the UI keeps drawing.
//   - the single-thread web build: pump() calls Job::step() for a time budget
//     (~12 ms) every frame; the same TrainingRun advances one batch per step.
// Progress goes to the UI through a mutex-protected snapshot (Job::progress).
// Results reach the Session only through Job::apply on the main thread, and
// only when the job succeeded, so a failure never loses earlier state.
#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/jobs/job_kind.h"
#include "app/runtime_info.h"
#include "app/session.h"
#include "engine/train/trainer.h"

namespace distillery {

struct ResumePoint;  // app/jobs/resume_point.h

// What the UI shows about the running job.
struct JobProgress {
  std::string title;   // "Distilling student"
  std::string phase;   // "caching teacher logits", "training", "evaluating", ...
  double fraction = 0; // 0..1 of the whole job
  int epoch = 0;       // 1-based while training
  int epochs = 0;
  float loss = 0;
  float accuracy = 0;
  double samples_per_second = 0;
  double elapsed_seconds = 0;
  double eta_seconds = -1;  // -1 when unknown
  TrainingCurves curves;    // empty for jobs that do not train
  TrainingCurves baseline_curves;  // a distillation with a baseline: the student-alone run, once it began
};

class Job {
 public:
  virtual ~Job() = default;
  virtual std::string title() const = 0;
  virtual JobKind kind() const = 0;
  // One small unit of work; false when the job has nothing left to do. Runs
  // on the worker thread or in a frame's time slice. Throws Error on failure.
  virtual bool step() = 0;
  // The whole job on the worker thread. The default loops step(), waiting
  // while paused; training jobs override it to call TrainingRun::run.
  virtual void run(TrainControl& control);
  // Main thread, after the job finished (also after a stop): moves its
  // results into the session and returns them as JSON for the JS API.
  // Throws Error when the result cannot be used (the session is unchanged).
  virtual nlohmann::json apply(Session& session, bool stopped) = 0;
  // Whether a stopped job still has a result worth applying (a partly
  // trained student); jobs without one are discarded when stopped.
  virtual bool keeps_result_when_stopped() const { return false; }
  // The latest end-of-epoch state a later session could continue from
  // (training jobs; null for the others and before the first epoch ends).
  virtual std::shared_ptr<const ResumePoint> resume_point() const { return nullptr; }

  // Virtual so that a job made of jobs (distillation + baseline) can report
  // and control its parts.
  virtual JobProgress progress() const;
  virtual void attach(TrainControl* control) { control_ = control; }

 protected:
  bool stop_requested() const { return control_ && control_->stop.load(); }
  template <typename F>
  void update_progress(F&& edit) {
    std::lock_guard<std::mutex> lock(progress_mutex_);
    edit(progress_);
  }

 private:
  mutable std::mutex progress_mutex_;
  JobProgress progress_;
  TrainControl* control_ = nullptr;
};

// How a job ended, for the UI's message line and the JS API's polling.
struct JobOutcome {
  int id = 0;
  JobKind kind = JobKind::kEvaluate;
  std::string title;  // for messages only: route on kind
  bool ok = false;
  bool stopped = false;
  std::string error;       // when !ok
  nlohmann::json result;   // Job::apply's value when ok
  double seconds = 0;
};

class TrainingWorker {
 public:
  explicit TrainingWorker(bool threaded, double slice_ms = 12.0);
  ~TrainingWorker();
  TrainingWorker(const TrainingWorker&) = delete;
  TrainingWorker& operator=(const TrainingWorker&) = delete;

  bool threaded() const { return threaded_; }
  bool busy() const { return job_ != nullptr; }
  bool paused() const { return control_.pause.load(); }
  bool stopping() const { return control_.stop.load(); }
  // Starts a job and returns its id. Throws Error when another job runs.
  int start(std::unique_ptr<Job> job);
  void pause() { control_.pause = true; }
  void resume() { control_.pause = false; }
  void stop() { control_.stop = true; }
  // Single thread: the time each pump() may work (0: one step per pump, for tests).
  void set_slice_ms(double ms) { slice_ms_ = ms; }

  // Main thread, once per frame (and when the JS API polls): advances the job
  // for the time budget in single-thread mode, and applies a finished job to
  // the session. Returns the outcome when a job ended during this call.
  std::optional<JobOutcome> pump(Session& session);

  std::optional<JobProgress> progress() const;
  std::shared_ptr<const ResumePoint> resume_point() const { return job_ ? job_->resume_point() : nullptr; }
  std::string current_title() const;
  int current_id() const { return job_ ? job_id_ : 0; }
  // Outcome of a recent job by id (the last few are kept).
  const JobOutcome* outcome(int id) const;
  int last_id() const { return next_id_ - 1; }

 private:
  JobOutcome finish(Session& session);

  bool threaded_;
  double slice_ms_;
  std::unique_ptr<Job> job_;
  int job_id_ = 0;
  int next_id_ = 1;
  TrainControl control_;
  std::chrono::steady_clock::time_point started_;
#if DISTILLERY_HAS_THREADS
  std::thread thread_;
#endif
  std::atomic<bool> done_{false};
  std::string error_;  // written by the job's thread before done_ is set
  std::deque<JobOutcome> outcomes_;
};

}  // namespace distillery
