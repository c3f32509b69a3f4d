#include "app/training_worker.h"

#include <exception>

#include "engine/core/error.h"

namespace distillery {

namespace {
constexpr size_t kKeptOutcomes = 16;
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

void Job::run(TrainControl& control) {
  while (!control.stop) {
    while (control.pause && !control.stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (control.stop || !step()) break;
  }
}

JobProgress Job::progress() const {
  std::lock_guard<std::mutex> lock(progress_mutex_);
  return progress_;
}

TrainingWorker::TrainingWorker(bool threaded, double slice_ms)
    : threaded_(threaded && DISTILLERY_HAS_THREADS), slice_ms_(slice_ms) {}

TrainingWorker::~TrainingWorker() {
#if DISTILLERY_HAS_THREADS
  if (thread_.joinable()) {
    control_.stop = true;
    control_.pause = false;
    thread_.join();
  }
#endif
}

int TrainingWorker::start(std::unique_ptr<Job> job) {
  require(!busy(), "\"" + current_title() + "\" is still running: wait for it, or stop it first");
  job_ = std::move(job);
  job_id_ = next_id_++;
  control_.stop = false;
  control_.pause = false;
  done_ = false;
  error_.clear();
  started_ = Clock::now();
  job_->attach(&control_);
#if DISTILLERY_HAS_THREADS
  if (threaded_) {
    Job* running = job_.get();
    thread_ = std::thread([this, running] {
      try {
        running->run(control_);
      } catch (const std::exception& e) {
        error_ = e.what();
      } catch (...) {
        error_ = "unknown failure";
      }
      done_ = true;
    });
  }
#endif
  return job_id_;
}

std::optional<JobOutcome> TrainingWorker::pump(Session& session) {
  if (!job_) return std::nullopt;
  if (!threaded_ && !done_) {
    // Single thread: work for at most one slice, then let the frame draw.
    const auto slice_start = Clock::now();
    try {
      while (!control_.pause) {
        if (control_.stop && !job_->keeps_result_when_stopped()) {
          done_ = true;
          break;
        }
        if (!job_->step()) {
          done_ = true;
          break;
        }
        if (seconds_since(slice_start) * 1000.0 >= slice_ms_) break;
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      done_ = true;
    }
  }
  if (!done_) return std::nullopt;
  return finish(session);
}

JobOutcome TrainingWorker::finish(Session& session) {
#if DISTILLERY_HAS_THREADS
  if (thread_.joinable()) thread_.join();
#endif
  JobOutcome out;
  out.id = job_id_;
  out.kind = job_->kind();
  out.title = job_->title();
  out.stopped = control_.stop;
  out.seconds = seconds_since(started_);
  if (!error_.empty()) {
    out.error = error_;
  } else if (out.stopped && !job_->keeps_result_when_stopped()) {
    out.error = "stopped before it finished";
  } else {
    try {
      out.result = job_->apply(session, out.stopped);
      out.ok = true;
    } catch (const std::exception& e) {
      out.error = e.what();
    }
  }
  job_.reset();
  control_.stop = false;
  control_.pause = false;
  outcomes_.push_back(out);
  if (outcomes_.size() > kKeptOutcomes) outcomes_.pop_front();
  return out;
}

std::optional<JobProgress> TrainingWorker::progress() const {
  if (!job_) return std::nullopt;
  JobProgress p = job_->progress();
  p.elapsed_seconds = seconds_since(started_);
  return p;
}

std::string TrainingWorker::current_title() const { return job_ ? job_->title() : std::string(); }

const JobOutcome* TrainingWorker::outcome(int id) const {
  for (const auto& o : outcomes_)
    if (o.id == id) return &o;
  return nullptr;
}

}  // namespace distillery
