#pragma once
// PruneJob: the engine's pruning pipeline (engine/prune/prune_pipeline.h) as
// steps, so the single-thread page can run it in frame slices too. Phases:
//   1. teacher logits (when fine-tuning distils from the teacher)
//   2. per round: prune (one-shot, iterative rounds, or structured shrink),
//      then fine-tune under the masks with the engine's TrainingRun; the
//      gradual (polynomial) schedule prunes inside the fine-tuning instead
//   3. finalise (gradual ends at the target even when stopped early)
//   4. evaluate on the test split
// The result becomes the student. A resume point is kept after every
// fine-tuning epoch and between rounds (the pruned model, the round, the
// engine's checkpoint), so a saved session continues the job after a reload.
#include <memory>
#include <string>

#include "engine/core/name_table.h"
#include "app/jobs/resume_point.h"
#include "app/jobs/teacher_logits.h"
#include "app/options.h"
#include "app/training_worker.h"
#include "engine/prune/prune_pipeline.h"
#include "engine/prune/schedule.h"

namespace distillery {

class PruneJob : public Job {
 public:
  // source: a copy of what is pruned (the student, or the teacher when there
  // is no student); teacher: a copy of the teacher or null; resume_from: a
  // saved point of the same job to continue from.
  PruneJob(const PruneOptions& options, std::unique_ptr<Model> source, std::unique_ptr<Model> teacher,
           std::shared_ptr<const Dataset> data, DataSplit split, StudentRecipe recipe, std::string source_role,
           std::shared_ptr<const ResumePoint> resume_from = nullptr);
  ~PruneJob() override;

  std::string title() const override { return "Pruning " + source_role_; }
  JobKind kind() const override { return JobKind::kPrune; }
  bool step() override;
  void run(TrainControl& control) override;
  nlohmann::json apply(Session& session, bool stopped) override;
  bool keeps_result_when_stopped() const override { return true; }
  std::shared_ptr<const ResumePoint> resume_point() const override { return resume_point_.get(); }

 private:
  enum class Phase { kTeacherLogits, kPrune, kFinetune, kFinalize, kEvaluate, kDone };
  // The two phases a resume point is saved in, by the names its state records.
  static const NameTable<Phase>& saved_phase_names() {
    static const NameTable<Phase> table("pruning phase", {{Phase::kPrune, "prune"}, {Phase::kFinetune, "finetune"}});
    return table;
  }
  void step_teacher_logits();
  void prune_round();
  void start_finetune();
  void end_finetune();
  double sparsity_now() const;
  void resume(const ResumePoint& point);
  void keep_resume_point();  // worker thread, between batches

  PruneSettings settings_;
  nlohmann::json options_json_;  // as the JS API took them, for resume points
  std::unique_ptr<Model> source_, model_, teacher_;
  std::shared_ptr<const Dataset> data_;
  DataSplit split_;
  StudentRecipe recipe_;
  std::string source_role_;

  Phase phase_ = Phase::kPrune;
  int round_ = 1;
  int rounds_ = 1;
  bool pruned_ = false;
  std::unique_ptr<TeacherLogits> teacher_logits_;
  std::unique_ptr<TrainingRun> run_;
  PolynomialDecay decay_;
  int64_t steps_before_round_ = 0;  // fine-tuning steps of earlier rounds
  int64_t total_steps_ = 0;
  int epochs_before_round_ = 0;
  std::optional<EvalReport> report_;

  Phase after_logits_ = Phase::kPrune;
  std::shared_ptr<const ResumePoint> resumed_from_;
  std::optional<TrainingCheckpoint> checkpoint_to_restore_;  // into the next fine-tuning run
  int resume_point_epoch_ = -1;
  ResumePointSlot resume_point_;
};

}  // namespace distillery
