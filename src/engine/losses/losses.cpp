#include "engine/losses/losses.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace distillery {

void softmax(const Tensor& logits, float temperature, Tensor& probabilities) {
  probabilities.resize(logits.shape());
  const int n = logits.rows();
  const int64_t c = logits.row_size();
  for (int i = 0; i < n; ++i) {
    const float* in = logits.data() + i * c;
    float* out = probabilities.data() + i * c;
    float max_value = in[0];
    for (int64_t j = 1; j < c; ++j) max_value = std::max(max_value, in[j]);
    double sum = 0;
    for (int64_t j = 0; j < c; ++j) {
      out[j] = std::exp((in[j] - max_value) / temperature);
      sum += out[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < c; ++j) out[j] *= inv;
  }
}

namespace {

// log(softmax(row / T)) of one row, evaluated entry by entry: the row's max
// and log-sum are kept, not the values, so the loss needs no buffer (a
// training step must not allocate).
struct LogSoftmaxRow {
  const float* in = nullptr;
  float temperature = 1.0f;
  float max_value = 0.0f;
  float log_sum = 0.0f;

  LogSoftmaxRow() = default;
  LogSoftmaxRow(const float* row, int64_t c, float t) : in(row), temperature(t) {
    max_value = in[0];
    for (int64_t j = 1; j < c; ++j) max_value = std::max(max_value, in[j]);
    double sum = 0;
    for (int64_t j = 0; j < c; ++j) sum += std::exp((in[j] - max_value) / temperature);
    log_sum = static_cast<float>(std::log(sum));
  }
  float operator[](int64_t j) const { return (in[j] - max_value) / temperature - log_sum; }
};

}  // namespace

float cross_entropy_loss(const Tensor& logits, const int* labels, Tensor* grad) {
  // The hard-label part of distillation with alpha = 1 is exactly this.
  return distillation_loss(logits, logits, labels, 1.0f, 1.0f, grad);
}

float distillation_loss(const Tensor& student_logits, const Tensor& teacher_logits, const int* labels,
                        float temperature, float alpha, Tensor* grad) {
  assert(student_logits.shape() == teacher_logits.shape());
  const int n = student_logits.rows();
  const int64_t c = student_logits.row_size();
  const float t = temperature;
  const bool soft = alpha < 1.0f;
  if (grad) grad->resize(student_logits.shape());
  double total = 0;
  for (int i = 0; i < n; ++i) {
    const float* s = student_logits.data() + i * c;
    const float* te = teacher_logits.data() + i * c;
    const LogSoftmaxRow log_p_hard(s, c, 1.0f);
    double row_loss = alpha > 0 ? -alpha * log_p_hard[labels[i]] : 0.0;
    LogSoftmaxRow log_p_soft, log_q_soft;
    if (soft) {
      log_p_soft = LogSoftmaxRow(s, c, t);
      log_q_soft = LogSoftmaxRow(te, c, t);
      double kl = 0;
      for (int64_t j = 0; j < c; ++j) kl += std::exp(log_q_soft[j]) * (log_q_soft[j] - log_p_soft[j]);
      row_loss += (1.0 - alpha) * t * t * kl;
    }
    total += row_loss;
    if (grad) {
      // d/ds of alpha*CE = alpha * (p - onehot); of T^2 KL = T * (p_T - q_T).
      float* g = grad->data() + i * c;
      for (int64_t j = 0; j < c; ++j) {
        float value = alpha * (std::exp(log_p_hard[j]) - (j == labels[i] ? 1.0f : 0.0f));
        if (soft) value += (1.0f - alpha) * t * (std::exp(log_p_soft[j]) - std::exp(log_q_soft[j]));
        g[j] = value / static_cast<float>(n);
      }
    }
  }
  return static_cast<float>(total / n);
}

float logit_mse_loss(const Tensor& student_logits, const Tensor& teacher_logits, Tensor* grad) {
  assert(student_logits.shape() == teacher_logits.shape());
  const int64_t count = student_logits.size();
  if (grad) grad->resize(student_logits.shape());
  double total = 0;
  for (int64_t i = 0; i < count; ++i) {
    const float diff = student_logits[i] - teacher_logits[i];
    total += static_cast<double>(diff) * diff;
    if (grad) (*grad)[i] = 2.0f * diff / static_cast<float>(count);
  }
  return static_cast<float>(total / count);
}

}  // namespace distillery
