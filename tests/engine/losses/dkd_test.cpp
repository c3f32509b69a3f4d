// Decoupled KD (Zhao et al., CVPR 2022) against a hand computation in double,
// its gradient against central differences, its relation to Hinton KD; the
// mixed hard labels of mixup and cutmix; unlabeled samples (no hard term);
// and the loss names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/losses/losses.h"

namespace distillery {
namespace {

Tensor make_logits(const std::vector<float>& values, int rows) {
  Tensor t(Shape{rows, static_cast<int>(values.size()) / rows});
  for (size_t i = 0; i < values.size(); ++i) t[static_cast<int64_t>(i)] = values[i];
  return t;
}

// Row `row` of logits as a batch of one.
Tensor row_of(const Tensor& logits, int row) {
  const int c = static_cast<int>(logits.row_size());
  return make_logits(std::vector<float>(logits.data() + row * c, logits.data() + (row + 1) * c), 1);
}

// softmax(row / T) in double.
std::vector<double> softmax_row(const Tensor& logits, int row, double t) {
  const int64_t c = logits.row_size();
  std::vector<double> p(static_cast<size_t>(c));
  double max_value = -INFINITY, sum = 0;
  for (int64_t j = 0; j < c; ++j) max_value = std::max(max_value, double(logits[row * c + j]));
  for (int64_t j = 0; j < c; ++j) sum += p[size_t(j)] = std::exp((double(logits[row * c + j]) - max_value) / t);
  for (double& v : p) v /= sum;
  return p;
}

// The paper's definitions, written out. With b = (p_t, 1 - p_t) the binary
// "target or not" distribution and p_hat_j = p_j / (1 - p_t) over j != t:
//   TCKD = KL(b_teacher || b_student),  NCKD = KL(q_hat || p_hat)
//   loss = alpha * CE + (1 - alpha) * T^2 * (target_weight * TCKD + nontarget_weight * NCKD)
// CE is w * CE(label) + (1 - w) * CE(partner) for a mixed row, absent for an
// unlabeled one; the target class is the heavier label, or the teacher's
// arg-max for an unlabeled row.
struct Row {
  int label = 0;  // Dataset::kUnlabeled for none
  int partner = -2;  // -2: not mixed
  double weight = 1;
};

double hand_dkd(const Tensor& student, const Tensor& teacher, const std::vector<Row>& rows, double t, double alpha,
                double target_weight, double nontarget_weight) {
  const int n = student.rows();
  const int64_t c = student.row_size();
  double total = 0;
  for (int i = 0; i < n; ++i) {
    const Row& r = rows[size_t(i)];
    const bool mixed = r.partner != -2;
    const bool labelled = r.label >= 0 && (!mixed || r.partner >= 0);
    const std::vector<double> p1 = softmax_row(student, i, 1.0);
    double ce = 0;
    if (labelled && mixed)
      ce = -(r.weight * std::log(p1[size_t(r.label)]) + (1 - r.weight) * std::log(p1[size_t(r.partner)]));
    else if (labelled)
      ce = -std::log(p1[size_t(r.label)]);
    int target = r.label;
    if (mixed && r.weight < 0.5) target = r.partner;
    if (!labelled) {
      const float* row = teacher.data() + i * c;
      target = static_cast<int>(std::max_element(row, row + c) - row);
    }
    const std::vector<double> p = softmax_row(student, i, t), q = softmax_row(teacher, i, t);
    const double pt = p[size_t(target)], qt = q[size_t(target)];
    const double tckd = qt * std::log(qt / pt) + (1 - qt) * std::log((1 - qt) / (1 - pt));
    double nckd = 0;
    for (int64_t j = 0; j < c; ++j) {
      if (j == target) continue;
      const double p_hat = p[size_t(j)] / (1 - pt), q_hat = q[size_t(j)] / (1 - qt);
      nckd += q_hat * std::log(q_hat / p_hat);
    }
    total += alpha * ce + (1 - alpha) * t * t * (target_weight * tckd + nontarget_weight * nckd);
  }
  return total / n;
}

// Central differences of loss(student, grad) with respect to the student logits.
template <typename LossFn>
void expect_gradient_matches_finite_differences(Tensor student, LossFn loss, const std::string& what) {
  Tensor grad;
  loss(student, &grad);
  ASSERT_EQ(grad.shape(), student.shape()) << what;
  double largest = 0;
  for (int64_t i = 0; i < student.size(); ++i) {
    const float saved = student[i];
    const float eps = 1e-2f;
    student[i] = saved + eps;
    const double up = loss(student, nullptr);
    student[i] = saved - eps;
    const double down = loss(student, nullptr);
    student[i] = saved;
    const double numeric = (up - down) / (double(saved + eps) - double(saved - eps));
    largest = std::max(largest, std::abs(numeric));
    EXPECT_NEAR(grad[i], numeric, 2e-3 + 1e-2 * std::abs(numeric)) << what << ", logit " << i;
  }
  EXPECT_GT(largest, 1e-3) << what << ": the loss does not depend on the logits";
}

// A 2x4 example: the teacher is sure of class 1 in row 0 and of class 3 in row 1.
const Tensor kStudent = make_logits({0.5f, 1.5f, -0.3f, 0.2f, -1.0f, 0.4f, 0.9f, 2.1f}, 2);
const Tensor kTeacher = make_logits({0.1f, 3.0f, -0.5f, 0.7f, 0.3f, -0.2f, 1.1f, 2.6f}, 2);

TEST(DecoupledKd, ValueMatchesTheHandComputedTckdAndNckd) {
  int labels[2] = {1, 2};
  const std::vector<Row> rows{{1}, {2}};
  for (float t : {1.0f, 2.0f, 4.0f})
    for (float alpha : {0.0f, 0.3f, 1.0f})
      for (const auto& pair : std::vector<std::pair<float, float>>{{1, 8}, {1, 1}, {0, 2}, {2.5f, 0}}) {
        const float tw = pair.first, nw = pair.second;
        const double expected = hand_dkd(kStudent, kTeacher, rows, t, alpha, tw, nw);
        EXPECT_NEAR(decoupled_distillation_loss(kStudent, kTeacher, labels, t, alpha, tw, nw, nullptr), expected,
                    1e-5 * std::max(1.0, std::abs(expected)))
            << "T " << t << " alpha " << alpha << " weights " << tw << "/" << nw;
      }
  // Not trivially zero: the soft terms are there.
  EXPECT_GT(hand_dkd(kStudent, kTeacher, rows, 4, 0, 1, 8), 0.1);
}

TEST(DecoupledKd, TargetClassIsTheLabelNotTheTeachersArgmax) {
  // Row 1's label (2) is not the teacher's arg-max (3): the split differs.
  int labels[2] = {1, 2}, argmax_labels[2] = {1, 3};
  const float with_label = decoupled_distillation_loss(kStudent, kTeacher, labels, 4, 0, 1, 8, nullptr);
  const float with_argmax = decoupled_distillation_loss(kStudent, kTeacher, argmax_labels, 4, 0, 1, 8, nullptr);
  EXPECT_GT(std::abs(with_label - with_argmax), 1e-3);
  EXPECT_NEAR(with_argmax, hand_dkd(kStudent, kTeacher, {{1}, {3}}, 4, 0, 1, 8), 1e-5);
}

TEST(DecoupledKd, GradientMatchesFiniteDifferencesIncludingUnlabeledAndMixedRows) {
  // Row 0 plain, row 1 unlabeled (target = teacher's arg-max, 3), row 2 mixed
  // 0.3 of class 0 and 0.7 of class 2 (target 2), row 3 mixed 0.8 of class 1
  // with an unlabeled partner (no hard term).
  const Tensor student = make_logits({0.5f, 1.5f, -0.3f, 0.2f, -1.0f, 0.4f, 0.9f, 2.1f,  //
                                      0.3f, 0.3f, -0.6f, 1.2f, 1.0f, -0.5f, 0.0f, 0.25f},
                                     4);
  const Tensor teacher = make_logits({0.1f, 3.0f, -0.5f, 0.7f, 0.3f, -0.2f, 1.1f, 2.6f,  //
                                      2.0f, -1.0f, 1.5f, 0.0f, 0.2f, 1.9f, -0.4f, 0.6f},
                                     4);
  const int labels[4] = {1, Dataset::kUnlabeled, 0, 1};
  const int partners[4] = {1, Dataset::kUnlabeled, 2, Dataset::kUnlabeled};
  const float weights[4] = {1.0f, 1.0f, 0.3f, 0.8f};
  const HardLabels hard(labels, partners, weights);
  const std::vector<Row> rows{{1, 1, 1.0}, {Dataset::kUnlabeled, Dataset::kUnlabeled, 1.0}, {0, 2, 0.3}, {1, -1, 0.8}};
  for (float t : {1.0f, 2.0f, 4.0f})
    for (float alpha : {0.0f, 0.4f, 1.0f})
      for (const auto& pair : std::vector<std::pair<float, float>>{{1, 8}, {0.5f, 2}, {2, 0}}) {
        const float tw = pair.first, nw = pair.second;  // (C++17 lambdas cannot capture bindings)
        const std::string what = "T " + std::to_string(t) + " alpha " + std::to_string(alpha) + " weights " +
                                 std::to_string(tw) + "/" + std::to_string(nw);
        const double expected = hand_dkd(student, teacher, rows, t, alpha, tw, nw);
        EXPECT_NEAR(decoupled_distillation_loss(student, teacher, hard, t, alpha, tw, nw, nullptr), expected,
                    1e-5 * std::max(1.0, std::abs(expected)))
            << what;
        expect_gradient_matches_finite_differences(
            student,
            [&](const Tensor& s, Tensor* g) {
              return decoupled_distillation_loss(s, teacher, hard, t, alpha, tw, nw, g);
            },
            what);
      }
}

TEST(DecoupledKd, StudentEqualToTeacherWithUnitWeightsLeavesAlphaTimesCrossEntropy) {
  int labels[2] = {1, 2};
  Tensor ce_grad, grad;
  const float ce = cross_entropy_loss(kStudent, labels, &ce_grad);
  for (float t : {1.0f, 3.0f})
    for (float alpha : {0.0f, 0.25f, 1.0f}) {
      const float loss = decoupled_distillation_loss(kStudent, kStudent, labels, t, alpha, 1, 1, &grad);
      EXPECT_NEAR(loss, alpha * ce, 1e-6) << "T " << t << " alpha " << alpha;
      // The soft part of the gradient is 0: what is left is alpha * dCE.
      for (int64_t i = 0; i < grad.size(); ++i) EXPECT_NEAR(grad[i], alpha * ce_grad[i], 1e-7) << "logit " << i;
    }
}

TEST(DecoupledKd, NontargetWeightOneMinusTeacherTargetProbabilityGivesHintonKd) {
  // The paper's decomposition: KL = TCKD + (1 - q_t) * NCKD. One row at a time
  // (the weight is per row).
  for (int row = 0; row < 2; ++row) {
    const Tensor s = row_of(kStudent, row), t = row_of(kTeacher, row);
    for (int label = 0; label < 4; ++label)
      for (float temperature : {1.0f, 4.0f}) {
        const double qt = softmax_row(t, 0, temperature)[size_t(label)];
        Tensor kd_grad, dkd_grad;
        const float kd = distillation_loss(s, t, &label, temperature, 0.2f, &kd_grad);
        const float dkd =
            decoupled_distillation_loss(s, t, &label, temperature, 0.2f, 1.0f, static_cast<float>(1 - qt), &dkd_grad);
        EXPECT_NEAR(dkd, kd, 1e-5) << "row " << row << " label " << label << " T " << temperature;
        for (int j = 0; j < 4; ++j) EXPECT_NEAR(dkd_grad[j], kd_grad[j], 1e-5) << "logit " << j;
      }
  }
}

TEST(DecoupledKd, UnlabeledRowUsesTheTeachersArgmaxAndNoHardTerm) {
  const int unlabeled[2] = {Dataset::kUnlabeled, Dataset::kUnlabeled};
  const int argmax[2] = {1, 3};  // the teacher's arg-max of each row
  Tensor g_unlabeled, g_soft;
  for (float alpha : {0.0f, 0.5f, 0.9f}) {
    const float loss = decoupled_distillation_loss(kStudent, kTeacher, unlabeled, 2.0f, alpha, 1, 8, &g_unlabeled);
    // = the soft part only, target = arg-max: (1 - alpha) times the alpha = 0 loss.
    const float soft = decoupled_distillation_loss(kStudent, kTeacher, argmax, 2.0f, 0.0f, 1, 8, &g_soft);
    EXPECT_NEAR(loss, (1 - alpha) * soft, 1e-5 * soft) << "alpha " << alpha;
    for (int64_t i = 0; i < g_soft.size(); ++i)
      EXPECT_NEAR(g_unlabeled[i], (1 - alpha) * g_soft[i], 1e-6 + 1e-5 * std::abs(g_soft[i]));
  }
}

// ---------------------------------------------------------------- Hinton KD and cross-entropy with mixed labels

double log_softmax_at(const Tensor& logits, int row, int j) {
  return std::log(softmax_row(logits, row, 1.0)[size_t(j)]);
}

TEST(MixedLabelLoss, HardTermIsTheWeightedCrossEntropyOfBothLabels) {
  const int labels[2] = {0, 3}, partners[2] = {2, 1};
  const float weights[2] = {0.7f, 0.25f};
  const HardLabels hard(labels, partners, weights);
  double expected = 0;
  for (int i = 0; i < 2; ++i)
    expected += -(double(weights[i]) * log_softmax_at(kStudent, i, labels[i]) +
                  (1 - double(weights[i])) * log_softmax_at(kStudent, i, partners[i]));
  expected /= 2;
  EXPECT_NEAR(cross_entropy_loss(kStudent, hard, nullptr), expected, 1e-5);
  // alpha = 1: Hinton KD is the hard term alone, whatever the teacher.
  EXPECT_NEAR(distillation_loss(kStudent, kTeacher, hard, 4.0f, 1.0f, nullptr), expected, 1e-5);
  // It is w * CE(a) + (1 - w) * CE(b) of the plain-label losses, row by row.
  for (int i = 0; i < 2; ++i) {
    const Tensor row = row_of(kStudent, i);
    const HardLabels one(&labels[i], &partners[i], &weights[i]);
    EXPECT_NEAR(cross_entropy_loss(row, one, nullptr),
                weights[i] * cross_entropy_loss(row, &labels[i], nullptr) +
                    (1 - weights[i]) * cross_entropy_loss(row, &partners[i], nullptr),
                1e-5);
  }
  // Mixed with itself it is the plain label.
  const float full[2] = {0.4f, 0.9f};
  EXPECT_NEAR(cross_entropy_loss(kStudent, HardLabels(labels, labels, full), nullptr),
              cross_entropy_loss(kStudent, labels, nullptr), 1e-6);
}

TEST(MixedLabelLoss, HintonKdGradientMatchesFiniteDifferences) {
  const int labels[2] = {0, 3}, partners[2] = {2, 1};
  const float weights[2] = {0.7f, 0.25f};
  const HardLabels hard(labels, partners, weights);
  for (float t : {1.0f, 4.0f})
    for (float alpha : {0.0f, 0.3f, 1.0f})
      expect_gradient_matches_finite_differences(
          kStudent, [&](const Tensor& s, Tensor* g) { return distillation_loss(s, kTeacher, hard, t, alpha, g); },
          "T " + std::to_string(t) + " alpha " + std::to_string(alpha));
  expect_gradient_matches_finite_differences(
      kStudent, [&](const Tensor& s, Tensor* g) { return cross_entropy_loss(s, hard, g); }, "cross-entropy");
}

TEST(UnlabeledLoss, UnlabeledRowHasNoHardTermInHintonKd) {
  // Row 1 unlabeled: loss = alpha * (row 0's CE, counted over both rows) + (1 - alpha) * (the soft loss).
  const int labels[2] = {2, Dataset::kUnlabeled};
  Tensor g_ce, g_soft, g;
  const float ce = cross_entropy_loss(kStudent, labels, &g_ce);
  EXPECT_NEAR(ce, -log_softmax_at(kStudent, 0, 2) / 2, 1e-6);  // unlabeled counts as zero in the mean
  for (int j = 4; j < 8; ++j) EXPECT_EQ(g_ce[j], 0.0f);
  for (float t : {1.0f, 4.0f})
    for (float alpha : {0.1f, 0.5f, 1.0f}) {
      const float soft = distillation_loss(kStudent, kTeacher, labels, t, 0.0f, &g_soft);
      const float loss = distillation_loss(kStudent, kTeacher, labels, t, alpha, &g);
      EXPECT_NEAR(loss, alpha * ce + (1 - alpha) * soft, 1e-5) << "T " << t << " alpha " << alpha;
      for (int64_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], alpha * g_ce[i] + (1 - alpha) * g_soft[i], 1e-6);
      expect_gradient_matches_finite_differences(
          kStudent, [&](const Tensor& s, Tensor* gr) { return distillation_loss(s, kTeacher, labels, t, alpha, gr); },
          "unlabeled row, T " + std::to_string(t));
    }
  // A mixed row whose partner is unlabeled has no hard term either.
  const int mixed_labels[2] = {2, 1}, mixed_partners[2] = {2, Dataset::kUnlabeled};
  const float mixed_weights[2] = {1.0f, 0.6f};
  EXPECT_NEAR(cross_entropy_loss(kStudent, HardLabels(mixed_labels, mixed_partners, mixed_weights), nullptr), ce, 1e-6);
  // Nothing labelled: nothing to learn from the labels.
  const int none[2] = {Dataset::kUnlabeled, Dataset::kUnlabeled};
  EXPECT_EQ(cross_entropy_loss(kStudent, none, &g_ce), 0.0f);
  for (int64_t i = 0; i < g_ce.size(); ++i) EXPECT_EQ(g_ce[i], 0.0f);
}

// ---------------------------------------------------------------- names

TEST(LossNames, RoundTripAndUnknownNameListsTheKnownOnes) {
  const std::vector<std::pair<LossKind, std::string>> kinds{{LossKind::kCrossEntropy, "ce"},
                                                            {LossKind::kHinton, "kd"},
                                                            {LossKind::kDecoupled, "dkd"},
                                                            {LossKind::kLogitMse, "mse"}};
  for (const auto& [kind, name] : kinds) {
    EXPECT_EQ(loss_name(kind), name);
    EXPECT_EQ(loss_from_name(name), kind);
    EXPECT_EQ(loss_needs_teacher(kind), kind != LossKind::kCrossEntropy) << name;
  }
  for (const char* bad : {"hinton", "", "KD", "dkd "}) {
    try {
      loss_from_name(bad);
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(std::string("unknown loss '") + bad + "'"), std::string::npos) << message;
      for (const auto& kind : kinds) EXPECT_NE(message.find(kind.second), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace distillery
