#include "app/jobs/evaluate_job.h"

#include <cmath>

#include "app/jobs/quantized_measure.h"
#include "engine/core/error.h"

namespace distillery {

EvaluateJob::EvaluateJob(std::unique_ptr<Model> student, std::unique_ptr<Model> teacher,
                         std::shared_ptr<const Dataset> data, std::vector<int> test_indices, int student_version,
                         int teacher_version)
    : student_(std::move(student)), teacher_(std::move(teacher)), data_(std::move(data)),
      test_(std::move(test_indices)), student_version_(student_version), teacher_version_(teacher_version) {
  update_progress([](JobProgress& p) {
    p.title = "Evaluating";
    p.phase = "evaluating on the test split";
  });
}

void EvaluateJob::add_quantized(QuantizedModel copy, ModelRole source, int quantized_version) {
  require((source == ModelRole::kStudent ? student_ : teacher_) != nullptr,
          std::string("the quantized model's ") + model_role_name(source) + " is not being evaluated");
  quantized_ = std::move(copy);
  quantized_source_ = source;
  quantized_version_ = quantized_version;
}

bool EvaluateJob::step() {
  // Stage 0: the teacher alone; stage 1: the student with agreement; stage 2: the quantized model.
  const int stages = quantized_ ? 3 : 2;
  if (stage_ == 0) {
    if (teacher_) teacher_report_ = evaluate(*teacher_, *data_, test_);
  } else if (stage_ == 1) {
    if (student_) student_report_ = evaluate(*student_, *data_, test_, teacher_.get());
  } else if (stage_ == 2) {
    Model& float_model = quantized_source_ == ModelRole::kStudent ? *student_ : *teacher_;
    quantized_report_ = evaluate_quantized(*quantized_, float_model, *data_, test_);
  }
  const double done = static_cast<double>(stage_ + 1) / stages;
  update_progress([done](JobProgress& p) { p.fraction = done; });
  return ++stage_ < stages;
}

nlohmann::json EvaluateJob::apply(Session& session, bool /*stopped*/) {
  nlohmann::json result = nlohmann::json::object();
  // Only store reports for the models they were measured on.
  if (teacher_report_ && session.teacher_version == teacher_version_) session.teacher_eval = teacher_report_;
  if (student_report_ && session.student_version == student_version_) session.student_eval = student_report_;
  const bool quantized_same = quantized_report_ && session.quantized && session.quantized_version == quantized_version_;
  if (quantized_same) session.quantized_eval = quantized_report_;
  if (student_report_) result = eval_report_json(*student_report_);
  if (teacher_report_) result["teacher"] = eval_report_json(*teacher_report_);
  if (quantized_same) result["quantized"] = quantized_json(*session.quantized, &*quantized_report_);
  return result;
}

nlohmann::json eval_report_json(const EvalReport& r) {
  nlohmann::json per_class = nlohmann::json::array();
  for (double a : r.per_class_accuracy) per_class.push_back(std::isnan(a) ? nlohmann::json(nullptr) : nlohmann::json(a));
  nlohmann::json out = {{"accuracy", r.accuracy},
                        {"samples", r.samples},
                        {"params", r.params},
                        {"nonzero_params", r.nonzero_params},
                        {"latency_ms_per_sample", r.latency_ms_per_sample},
                        {"per_class_accuracy", per_class},
                        {"confusion", r.confusion}};
  out["agreement"] = r.agreement >= 0 ? nlohmann::json(r.agreement) : nlohmann::json(nullptr);
  if (r.teacher_accuracy >= 0) out["teacher_accuracy"] = r.teacher_accuracy;
  if (r.kl_to_teacher >= 0) out["kl_to_teacher"] = r.kl_to_teacher;
  return out;
}

}  // namespace distillery
