#pragma once
// EvaluateJob: the student and the teacher on the held-out test split:
// accuracy, per-class accuracy, confusion, agreement, size and latency; and
// the quantized model, when there is one, against the float model it came from.
#include <memory>

#include "app/training_worker.h"

namespace distillery {

class EvaluateJob : public Job {
 public:
  // Either model may be null (not loaded yet), not both. The job evaluates
  // its own copies so the UI can keep using the session's models.
  EvaluateJob(std::unique_ptr<Model> student, std::unique_ptr<Model> teacher, std::shared_ptr<const Dataset> data,
              std::vector<int> test_indices, int student_version, int teacher_version);
  // Also evaluates a copy of the session's quantized model, made from the
  // student or the teacher (which this job must hold).
  void add_quantized(QuantizedModel copy, ModelRole source, int quantized_version);
  std::string title() const override { return "Evaluating"; }
  JobKind kind() const override { return JobKind::kEvaluate; }
  bool step() override;
  nlohmann::json apply(Session& session, bool stopped) override;

 private:
  std::unique_ptr<Model> student_, teacher_;
  std::shared_ptr<const Dataset> data_;
  std::vector<int> test_;
  int student_version_, teacher_version_;
  std::optional<EvalReport> student_report_, teacher_report_;
  std::optional<QuantizedModel> quantized_;
  ModelRole quantized_source_ = ModelRole::kStudent;
  int quantized_version_ = -1;
  std::optional<QuantizedEval> quantized_report_;
  int stage_ = 0;
};

// The JS API's view of an evaluation.
nlohmann::json eval_report_json(const EvalReport& report);

}  // namespace distillery
