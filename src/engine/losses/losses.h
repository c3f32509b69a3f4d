#pragma once
// Losses over logits [N, C]. Each returns the mean loss over the batch and,
// when grad is given, writes d(mean loss)/d(logits) into it (resized).
#include "engine/core/tensor.h"

namespace distillery {

// Softmax cross-entropy against integer labels.
float cross_entropy_loss(const Tensor& logits, const int* labels, Tensor* grad);

// Hinton distillation:
//   alpha * CE(labels, softmax(s)) + (1 - alpha) * T^2 * KL(softmax(t/T) || softmax(s/T))
// The T^2 factor keeps the soft-target gradients on the same scale as the hard
// ones when T changes (Hinton et al. 2015, section 2).
float distillation_loss(const Tensor& student_logits, const Tensor& teacher_logits, const int* labels,
                        float temperature, float alpha, Tensor* grad);

// Mean squared error between student and teacher logits (Ba & Caruana's
// logit matching), averaged over batch and classes.
float logit_mse_loss(const Tensor& student_logits, const Tensor& teacher_logits, Tensor* grad);

// Row-wise softmax of logits / temperature, numerically stable.
void softmax(const Tensor& logits, float temperature, Tensor& probabilities);

}  // namespace distillery
