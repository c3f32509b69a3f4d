#include "app/options_json.h"

namespace distillery {

nlohmann::json train_options_to_json(const TrainOptions& o) {
  return {{"arch", o.arch},           {"epochs", o.epochs},     {"batch", o.batch},
          {"lr", o.lr},               {"optimizer", optimizer_name(o.optimizer)}, {"schedule", lr_schedule_name(o.schedule)},
          {"seed", o.seed},           {"warmupEpochs", o.warmup_epochs},
          {"augment", augment_spec_text(o.augment)}};
}

nlohmann::json distill_options_to_json(const DistillOptions& o) {
  nlohmann::json j = train_options_to_json(o.train);
  j["temperature"] = o.temperature;
  j["alpha"] = o.alpha;
  j["loss"] = loss_name(o.loss);
  j["teacherMode"] = teacher_mode_name(o.teacher_mode);
  j["dkdTargetWeight"] = o.dkd_target_weight;
  j["dkdNontargetWeight"] = o.dkd_nontarget_weight;
  j["baseline"] = o.baseline;
  return j;
}

nlohmann::json prune_options_to_json(const PruneOptions& o) {
  return {{"method", prune_method_name(o.method)},   {"sparsity", o.sparsity},
          {"schedule", prune_schedule_name(o.schedule)}, {"criterion", norm_criterion_name(o.criterion)},
          {"rounds", o.rounds},
          {"finetuneEpochs", o.finetune_epochs}, {"useTeacher", o.use_teacher},
          {"temperature", o.temperature}, {"alpha", o.alpha},
          {"lr", o.lr},           {"batch", o.batch},
          {"seed", o.seed}};
}

nlohmann::json quantize_request_to_json(const QuantizeRequest& r) {
  return {{"mode", quant_mode_name(r.engine.mode)},
          {"model", model_role_name(r.model)},
          {"calibration", r.calibration},
          {"calibrationMethod", calibration_method_name(r.engine.calibration)},
          {"percentile", r.engine.percentile},
          {"seed", r.seed}};
}

}  // namespace distillery
