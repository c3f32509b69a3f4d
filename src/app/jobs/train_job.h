#pragma once
// TrainJob: trains a model on the session's data, with or without a teacher.
// It serves "train a teacher", "distil a student" and "train the student
// alone" (the baseline). Phases:
//   1. the teacher: in cached mode its logits over the dataset, one chunk per
//      step; in consistent mode (it runs on every batch) only its validation
//      accuracy, for the curves' reference line
//   2. training: the engine's TrainingRun, one batch per step
//   3. evaluation on the held-out test split (with teacher agreement and KL)
// The model trained is the job's own; the session gets it in apply().
#include <memory>
#include <string>

#include "app/jobs/resume_point.h"
#include "app/jobs/teacher_logits.h"
#include "app/training_worker.h"

namespace distillery {

struct TrainJobSettings {
  std::string title;           // "Distilling student"
  bool trains_teacher = false; // the result becomes the teacher, else the student
  TrainConfig config;
  std::string model_source;    // teacher: shown as its source; student: ignored
  StudentRecipe recipe;        // student only
  nlohmann::json provenance;   // written into the model; accuracy added at the end
  nlohmann::json extra_result = nlohmann::json::object();  // merged into apply()'s result (notes, counts)
  JobKind kind = JobKind::kDistill;  // kTrainTeacher or kDistill
  // For checkpoints: whether this run keeps resume points, and the options that started it.
  bool resumable = false;
  nlohmann::json resume_options;
  // Set to continue an earlier run from its checkpoint instead of starting over.
  std::shared_ptr<const ResumePoint> resume_from;
};

class TrainJob : public Job {
 public:
  // teacher may be null (config.loss must then be ce); it is used for the
  // training signal and for measuring agreement.
  TrainJob(TrainJobSettings settings, std::unique_ptr<Model> model, std::shared_ptr<const Dataset> data,
           DataSplit split, std::unique_ptr<Model> teacher);
  ~TrainJob() override;

  std::string title() const override { return settings_.title; }
  JobKind kind() const override { return settings_.kind; }
  bool step() override;
  void run(TrainControl& control) override;
  nlohmann::json apply(Session& session, bool stopped) override;
  bool keeps_result_when_stopped() const override { return true; }
  std::shared_ptr<const ResumePoint> resume_point() const override { return resume_point_.get(); }

  // After the job ended: the test-split evaluation (none when the split is
  // empty or training never began) and whether any batch was trained.
  const std::optional<EvalReport>& report() const { return report_; }
  bool trained() const { return run_ && run_->steps_done() > 0; }
  bool finished_training() const { return run_ && run_->finished(); }
  // The trained model, for a job that is not applied (a baseline's run alone).
  std::unique_ptr<Model> take_model() { return std::move(model_); }

 private:
  enum class Phase { kTeacherLogits, kTeacherReference, kTrain, kEvaluate, kDone };
  void step_teacher_logits();
  void step_teacher_reference();
  void start_training();
  void step_training();
  void evaluate();
  void keep_checkpoint_after_epoch();  // worker thread, between batches

  TrainJobSettings settings_;
  std::unique_ptr<Model> model_;
  std::shared_ptr<const Dataset> data_;
  DataSplit split_;
  std::unique_ptr<Model> teacher_;
  Phase phase_;
  std::unique_ptr<TeacherLogits> teacher_logits_;
  std::unique_ptr<TrainingRun> run_;
  std::optional<EvalReport> report_;
  float teacher_val_accuracy_ = -1;
  size_t reference_done_ = 0, reference_correct_ = 0;  // consistent mode: the teacher's validation accuracy so far
  int checkpoint_epoch_ = 0;
  ResumePointSlot resume_point_;
};

}  // namespace distillery
