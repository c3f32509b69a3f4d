#pragma once
// Losses over logits [N, C]. Each returns the mean loss over the batch and,
// when grad is given, writes d(mean loss)/d(logits) into it (resized).
#include <string>

#include "engine/core/name_table.h"
#include "engine/core/tensor.h"

namespace distillery {

// What a training run minimises. The names are the ones the CLI, the JS API,
// model files and saved sessions use.
enum class LossKind {
  kCrossEntropy,  // "ce": the hard labels only (no teacher)
  kHinton,        // "kd": Hinton et al. 2015
  kDecoupled,     // "dkd": decoupled KD, Zhao et al. 2022
  kLogitMse,      // "mse": match the teacher's logits (Ba and Caruana 2014)
};
const NameTable<LossKind>& loss_names();
inline const char* loss_name(LossKind kind) { return loss_names().name(kind); }
// Throws Error listing the names when `name` is none of them.
inline LossKind loss_from_name(const std::string& name) { return loss_names().parse(name); }
inline bool loss_needs_teacher(LossKind kind) { return kind != LossKind::kCrossEntropy; }

// The hard labels of a batch. Sample i's target is weight[i] of class
// label[i] and 1 - weight[i] of class partner[i] (mixup, cutmix); without
// partner and weight it is label[i]. A sample whose label (or mixed-in
// partner) is Dataset::kUnlabeled has no hard-label term.
struct HardLabels {
  const int* label = nullptr;
  const int* partner = nullptr;
  const float* weight = nullptr;
  HardLabels(const int* labels) : label(labels) {}  // NOLINT: plain labels convert
  HardLabels(const int* labels, const int* partners, const float* weights)
      : label(labels), partner(partners), weight(weights) {}
  bool present(int i) const { return label[i] >= 0 && (!partner || partner[i] >= 0); }
  // The class with the larger weight (DKD's "target class").
  int main_class(int i) const { return partner && weight[i] < 0.5f ? partner[i] : label[i]; }
};

// Softmax cross-entropy against the (possibly mixed) labels; samples without a
// label count as zero in the mean.
float cross_entropy_loss(const Tensor& logits, const HardLabels& labels, Tensor* grad);

// Hinton distillation:
//   alpha * CE(labels, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t/T) || softmax(s/T))
// The T^2 factor keeps the soft-target gradients on the same scale as the hard
// ones when T changes (Hinton et al. 2015, section 2). Unlabeled samples keep
// only the second term.
float distillation_loss(const Tensor& student_logits, const Tensor& teacher_logits, const HardLabels& labels,
                        float temperature, float alpha, Tensor* grad);

// Decoupled KD (Zhao et al., CVPR 2022): the KL splits into a target-class
// term (TCKD: the binary "target or not" distributions) and a non-target term
// (NCKD: the distributions over the other classes), weighted separately:
//   alpha * CE + (1 - alpha) * T^2 * (target_weight * TCKD + nontarget_weight * NCKD)
// The target class is the label (the heavier one when mixed), or the
// teacher's arg-max for an unlabeled sample.
float decoupled_distillation_loss(const Tensor& student_logits, const Tensor& teacher_logits,
                                  const HardLabels& labels, float temperature, float alpha, float target_weight,
                                  float nontarget_weight, Tensor* grad);

// Mean squared error between student and teacher logits (Ba & Caruana's
// logit matching), averaged over batch and classes.
float logit_mse_loss(const Tensor& student_logits, const Tensor& teacher_logits, Tensor* grad);

// Row-wise softmax of logits / temperature, numerically stable.
void softmax(const Tensor& logits, float temperature, Tensor& probabilities);

}  // namespace distillery
