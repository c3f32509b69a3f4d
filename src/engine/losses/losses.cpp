#include "engine/losses/losses.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "engine/core/error.h"

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

// The hard-label term of sample i: alpha * CE(target, softmax(s)). Adds its
// loss to *row_loss and its gradient (before the 1/n of the mean) to g.
void add_hard_term(const LogSoftmaxRow& log_p, int64_t c, const HardLabels& labels, int i, float alpha,
                   double* row_loss, float* g) {
  if (alpha <= 0 || !labels.present(i)) return;
  const int a = labels.label[i];
  if (!labels.partner) {
    *row_loss += -alpha * log_p[a];
    if (g)
      for (int64_t j = 0; j < c; ++j) g[j] += alpha * (std::exp(log_p[j]) - (j == a ? 1.0f : 0.0f));
    return;
  }
  const int b = labels.partner[i];
  const float w = labels.weight[i];
  *row_loss += -alpha * (w * log_p[a] + (1.0f - w) * log_p[b]);
  if (g)
    for (int64_t j = 0; j < c; ++j)
      g[j] += alpha * (std::exp(log_p[j]) - ((j == a ? w : 0.0f) + (j == b ? 1.0f - w : 0.0f)));
}

// Starts row i of a loss: zeroes its gradient row g (when given) and returns
// the row's hard-label term, whose gradient it has added.
double begin_row(const float* s, int64_t c, const HardLabels& labels, int i, float alpha, float* g) {
  if (g) std::fill(g, g + c, 0.0f);
  double row_loss = 0;
  add_hard_term(LogSoftmaxRow(s, c, 1.0f), c, labels, i, alpha, &row_loss, g);
  return row_loss;
}

// One sample of a distillation loss, as the row loop hands it to a soft term.
struct DistillRow {
  int i;            // the sample
  int n;            // the batch size (gradients are of the mean)
  int64_t c;        // classes
  const float* s;   // the student's logits
  const float* te;  // the teacher's logits
  float* g;         // the gradient row, holding the hard-label term; null without a gradient
};

// The row loop kd and dkd share: the hard-label term of each row (begin_row)
// plus `soft_term(row)`, averaged. soft_term returns the row's soft loss,
// adds its gradient to row.g and divides that row by n.
template <typename SoftTerm>
float mean_over_rows(const Tensor& student_logits, const Tensor& teacher_logits, const HardLabels& labels,
                     float alpha, Tensor* grad, SoftTerm soft_term) {
  assert(student_logits.shape() == teacher_logits.shape());
  DistillRow row{0, student_logits.rows(), student_logits.row_size(), nullptr, nullptr, nullptr};
  if (grad) grad->resize(student_logits.shape());
  double total = 0;
  for (row.i = 0; row.i < row.n; ++row.i) {
    row.s = student_logits.data() + row.i * row.c;
    row.te = teacher_logits.data() + row.i * row.c;
    row.g = grad ? grad->data() + row.i * row.c : nullptr;
    const double hard = begin_row(row.s, row.c, labels, row.i, alpha, row.g);
    total += hard + soft_term(row);
  }
  return static_cast<float>(total / row.n);
}

// log of the probability mass off class `target`: log(sum_{j != target} exp(log_p[j])).
double log_mass_off(const LogSoftmaxRow& log_p, int64_t c, int target) {
  double max_value = -INFINITY;
  for (int64_t j = 0; j < c; ++j)
    if (j != target) max_value = std::max<double>(max_value, log_p[j]);
  double sum = 0;
  for (int64_t j = 0; j < c; ++j)
    if (j != target) sum += std::exp(log_p[j] - max_value);
  return max_value + std::log(sum);
}

}  // namespace

const NameTable<LossKind>& loss_names() {
  static const NameTable<LossKind> table("loss", {{LossKind::kCrossEntropy, "ce"},
                                                  {LossKind::kHinton, "kd"},
                                                  {LossKind::kDecoupled, "dkd"},
                                                  {LossKind::kLogitMse, "mse"}});
  return table;
}

float cross_entropy_loss(const Tensor& logits, const HardLabels& labels, Tensor* grad) {
  // The hard-label part of distillation with alpha = 1 is exactly this.
  return distillation_loss(logits, logits, labels, 1.0f, 1.0f, grad);
}

float distillation_loss(const Tensor& student_logits, const Tensor& teacher_logits, const HardLabels& labels,
                        float temperature, float alpha, Tensor* grad) {
  const float t = temperature;
  const bool soft = alpha < 1.0f;
  return mean_over_rows(student_logits, teacher_logits, labels, alpha, grad, [&](const DistillRow& r) {
    const int64_t c = r.c;
    float* g = r.g;
    double soft_loss = 0;
    if (soft) {
      const LogSoftmaxRow log_p_soft(r.s, c, t), log_q_soft(r.te, c, t);
      double kl = 0;
      for (int64_t j = 0; j < c; ++j) kl += std::exp(log_q_soft[j]) * (log_q_soft[j] - log_p_soft[j]);
      soft_loss = (1.0 - alpha) * t * t * kl;
      // d/ds of T^2 KL = T * (p_T - q_T).
      if (g)
        for (int64_t j = 0; j < c; ++j)
          g[j] += (1.0f - alpha) * t * (std::exp(log_p_soft[j]) - std::exp(log_q_soft[j]));
    }
    if (g)
      for (int64_t j = 0; j < c; ++j) g[j] /= static_cast<float>(r.n);
    return soft_loss;
  });
}

float decoupled_distillation_loss(const Tensor& student_logits, const Tensor& teacher_logits,
                                  const HardLabels& labels, float temperature, float alpha, float target_weight,
                                  float nontarget_weight, Tensor* grad) {
  const float t = temperature;
  return mean_over_rows(student_logits, teacher_logits, labels, alpha, grad, [&](const DistillRow& r) {
    const int64_t c = r.c;
    const float* te = r.te;
    float* g = r.g;
    const int target =
        labels.present(r.i) ? labels.main_class(r.i) : static_cast<int>(std::max_element(te, te + c) - te);
    const LogSoftmaxRow log_p(r.s, c, t), log_q(te, c, t);
    // Binary distributions (target, rest) and the distributions over the rest.
    const double log_p_t = log_p[target], log_q_t = log_q[target];
    const double log_p_rest = log_mass_off(log_p, c, target), log_q_rest = log_mass_off(log_q, c, target);
    const double p_t = std::exp(log_p_t), q_t = std::exp(log_q_t), q_rest = std::exp(log_q_rest);
    const double tckd = q_t * (log_q_t - log_p_t) + q_rest * (log_q_rest - log_p_rest);
    double nckd = 0;
    for (int64_t j = 0; j < c; ++j) {
      if (j == target) continue;
      const double log_q_hat = log_q[j] - log_q_rest, log_p_hat = log_p[j] - log_p_rest;
      nckd += std::exp(log_q_hat) * (log_q_hat - log_p_hat);
    }
    const double soft_weight = (1.0 - alpha) * t * t;
    if (g) {
      // With z = s / T: dTCKD/dz_target = p_t - q_t, dTCKD/dz_j = -(p_t - q_t) * p_hat_j,
      // dNCKD/dz_j = p_hat_j - q_hat_j (j != target); and d/ds = (1/T) d/dz.
      const double scale = (1.0 - alpha) * t;
      for (int64_t j = 0; j < c; ++j) {
        double d;
        if (j == target) {
          d = target_weight * (p_t - q_t);
        } else {
          const double p_hat = std::exp(log_p[j] - log_p_rest), q_hat = std::exp(log_q[j] - log_q_rest);
          d = -target_weight * (p_t - q_t) * p_hat + nontarget_weight * (p_hat - q_hat);
        }
        g[j] = static_cast<float>((g[j] + scale * d) / r.n);
      }
    }
    return soft_weight * (target_weight * tckd + nontarget_weight * nckd);
  });
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
