#pragma once
// The one list of each options struct's fields with their JS API keys, walked
// by the JSON reader (options.cpp: keys known, values read) and the writer
// (options_json.cpp), so a new setting is one line here and saved sessions
// write exactly what they read back. A visitor has
//
//   v.field(key, value)              a plain JSON value: number, bool or string
//   v.named(key, value, parse, name) a closed set (or a spec) as text: parse(text)
//                                    reads it, name(value) writes it
//
// O is the options type, const for writing. The reader visits in this order,
// so the first bad field named is the first listed here.
#include "app/options.h"

namespace distillery {

template <typename O, typename V>
void visit_train_fields(O& o, V&& v) {
  v.field("arch", o.arch);
  v.field("epochs", o.epochs);
  v.field("batch", o.batch);
  v.field("lr", o.lr);
  v.named("optimizer", o.optimizer, optimizer_from_name, optimizer_name);
  v.named("schedule", o.schedule, lr_schedule_from_name, lr_schedule_name);
  v.field("warmupEpochs", o.warmup_epochs);
  v.field("seed", o.seed);
  v.named("augment", o.augment, parse_augment_spec, augment_spec_text);
}

// Distillation's own fields; its "train" part is visit_train_fields's, at the same level.
template <typename O, typename V>
void visit_distill_fields(O& o, V&& v) {
  v.field("temperature", o.temperature);
  v.field("alpha", o.alpha);
  v.named("loss", o.loss, loss_from_name, loss_name);
  v.named("teacherMode", o.teacher_mode, teacher_mode_from_name, teacher_mode_name);
  v.field("dkdTargetWeight", o.dkd_target_weight);
  v.field("dkdNontargetWeight", o.dkd_nontarget_weight);
  v.field("baseline", o.baseline);
}

template <typename O, typename V>
void visit_prune_fields(O& o, V&& v) {
  v.named("method", o.method, prune_method_from_name, prune_method_name);
  v.field("sparsity", o.sparsity);
  v.named("schedule", o.schedule, prune_schedule_from_name, prune_schedule_name);
  v.named("criterion", o.criterion, parse_norm_criterion, norm_criterion_name);  // sessions saved before it: l2
  v.field("rounds", o.rounds);
  v.field("finetuneEpochs", o.finetune_epochs);
  v.field("useTeacher", o.use_teacher);
  v.field("temperature", o.temperature);
  v.field("alpha", o.alpha);
  v.field("lr", o.lr);
  v.field("batch", o.batch);
  v.field("seed", o.seed);
}

inline ModelRole model_role_from_name(const std::string& name) { return model_role_names().parse(name); }

template <typename R, typename V>
void visit_quantize_fields(R& r, V&& v) {
  v.named("mode", r.engine.mode, parse_quant_mode, quant_mode_name);
  v.named("model", r.model, model_role_from_name, model_role_name);
  v.field("calibration", r.calibration);
  v.named("calibrationMethod", r.engine.calibration, parse_calibration_method, calibration_method_name);
  v.field("percentile", r.engine.percentile);
  v.field("seed", r.seed);
}

}  // namespace distillery
