#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "app/training_worker.h"
#include "engine/core/error.h"

namespace distillery {
namespace {

// Counts to `steps`; on apply, writes the count into the session's dataset_source.
class CountingJob : public Job {
 public:
  CountingJob(int steps, int fail_at = -1, bool keeps = false, int step_ms = 0)
      : steps_(steps), fail_at_(fail_at), keeps_(keeps), step_ms_(step_ms) {}
  std::string title() const override { return "Counting"; }
  JobKind kind() const override { return JobKind::kEvaluate; }
  bool step() override {
    if (step_ms_) std::this_thread::sleep_for(std::chrono::milliseconds(step_ms_));
    if (done_ == fail_at_) throw Error("step " + std::to_string(done_) + " failed");
    ++done_;
    update_progress([&](JobProgress& p) { p.fraction = static_cast<double>(done_) / steps_; });
    return done_ < steps_;
  }
  nlohmann::json apply(Session& session, bool stopped) override {
    session.dataset_source = "counted " + std::to_string(done_.load());
    return {{"count", done_.load()}, {"stopped", stopped}};
  }
  bool keeps_result_when_stopped() const override { return keeps_; }

  std::atomic<int> done_{0};

 private:
  int steps_, fail_at_;
  bool keeps_;
  int step_ms_;
};

JobOutcome pump_until_done(TrainingWorker& worker, Session& session, int* pumps = nullptr) {
  for (int i = 0; i < 100000; ++i) {
    if (pumps) ++*pumps;
    if (auto outcome = worker.pump(session)) return *outcome;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ADD_FAILURE() << "job never finished";
  return {};
}

class WorkerModes : public ::testing::TestWithParam<bool> {};

TEST_P(WorkerModes, RunsAJobToTheEndAndAppliesIt) {
  TrainingWorker worker(GetParam());
  Session session;
  const int id = worker.start(std::make_unique<CountingJob>(50));
  EXPECT_TRUE(worker.busy());
  const JobOutcome out = pump_until_done(worker, session);
  EXPECT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.id, id);
  EXPECT_EQ(out.result["count"], 50);
  EXPECT_EQ(session.dataset_source, "counted 50");
  EXPECT_FALSE(worker.busy());
  ASSERT_NE(worker.outcome(id), nullptr);
  EXPECT_TRUE(worker.outcome(id)->ok);
}

TEST_P(WorkerModes, AFailingJobLeavesTheSessionAsItWas) {
  TrainingWorker worker(GetParam());
  Session session;
  session.dataset_source = "before";
  worker.start(std::make_unique<CountingJob>(50, 7));
  const JobOutcome out = pump_until_done(worker, session);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error, "step 7 failed");
  EXPECT_EQ(session.dataset_source, "before");
  // The worker is free again.
  EXPECT_NO_THROW(worker.start(std::make_unique<CountingJob>(1)));
  EXPECT_TRUE(pump_until_done(worker, session).ok);
}

TEST_P(WorkerModes, StoppingDiscardsAJobWithoutAResult) {
  TrainingWorker worker(GetParam());
  Session session;
  session.dataset_source = "before";
  worker.start(std::make_unique<CountingJob>(1000000, -1, false, 1));
  worker.stop();
  const JobOutcome out = pump_until_done(worker, session);
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.stopped);
  EXPECT_EQ(session.dataset_source, "before");
}

TEST_P(WorkerModes, PauseHoldsTheJobAndResumeContinues) {
  TrainingWorker worker(GetParam());
  Session session;
  auto job = std::make_unique<CountingJob>(40, -1, false, 1);
  CountingJob* counting = job.get();
  worker.pause();  // cleared by start()
  worker.start(std::move(job));
  worker.pause();
  for (int i = 0; i < 30; ++i) {
    EXPECT_FALSE(worker.pump(session).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const int held = counting->done_;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_FALSE(worker.pump(session).has_value());
  EXPECT_EQ(counting->done_, held);  // no progress while paused
  EXPECT_LT(held, 40);
  worker.resume();
  EXPECT_TRUE(pump_until_done(worker, session).ok);
}

TEST_P(WorkerModes, OnlyOneJobAtATime) {
  TrainingWorker worker(GetParam());
  Session session;
  worker.start(std::make_unique<CountingJob>(1000000, -1, false, 1));
  EXPECT_THROW(worker.start(std::make_unique<CountingJob>(1)), Error);
  worker.stop();
  pump_until_done(worker, session);
}

INSTANTIATE_TEST_SUITE_P(ThreadedAndSliced, WorkerModes, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "threaded" : "single_thread"; });

TEST(TrainingWorker, SingleThreadModeWorksInTimeSlices) {
  TrainingWorker worker(false, 5.0);
  Session session;
  worker.start(std::make_unique<CountingJob>(60, -1, false, 1));  // ~60 ms of work
  int pumps = 0;
  const auto start = std::chrono::steady_clock::now();
  const JobOutcome out = pump_until_done(worker, session, &pumps);
  EXPECT_TRUE(out.ok);
  // About 5 steps per 5 ms slice: several pumps were needed, none ran long.
  EXPECT_GE(pumps, 6);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST(TrainingWorker, ThreadedModeDoesNotBlockThePump) {
  TrainingWorker worker(true);
  Session session;
  worker.start(std::make_unique<CountingJob>(100, -1, false, 2));  // ~200 ms on the thread
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(worker.pump(session).has_value());
  const double pump_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(pump_ms, 50.0);
  EXPECT_TRUE(pump_until_done(worker, session).ok);
}

TEST(TrainingWorker, AStoppedJobThatKeepsItsResultIsApplied) {
  TrainingWorker worker(false);
  Session session;
  worker.start(std::make_unique<CountingJob>(3, -1, true));
  worker.stop();
  const JobOutcome out = pump_until_done(worker, session);
  EXPECT_TRUE(out.ok);
  EXPECT_TRUE(out.stopped);
  EXPECT_EQ(out.result["stopped"], true);
}

}  // namespace
}  // namespace distillery
