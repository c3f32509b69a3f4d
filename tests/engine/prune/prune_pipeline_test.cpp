// The pruning pipeline through the shared training loop: masked weights and
// their Adam moments stay exactly zero over many steps, the gradual schedule
// ramps up to its target, distillation from a teacher works, structured
// rounds compound, and bad settings give one clear error.
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/metrics/metrics.h"
#include "engine/prune/masks.h"
#include "engine/prune/prune_pipeline.h"
#include "engine/prune/unstructured.h"
#include "engine/prune/prune_test_util.h"

namespace distillery {
namespace {

using test::make_band_dataset;
using test::make_cnn;
using test::make_mlp;

// A quickly trained MLP on the band problem.
Model trained_mlp(const Dataset& data) {
  Model m = make_mlp(3);
  TrainConfig c;
  c.epochs = 4;
  c.batch_size = 16;
  c.learning_rate = 0.01f;
  TrainingRun run(m, data, all_indices(data.size()), {}, c);
  run.run();
  return m;
}

PruneSettings settings(const std::string& method, float sparsity, int epochs) {
  PruneSettings s;
  s.method = prune_method_from_name(method);
  s.sparsity = sparsity;
  s.finetune_epochs = epochs;
  s.train.batch_size = 16;
  s.train.learning_rate = 0.01f;
  return s;
}

TEST(PrunePipeline, MaskedWeightsAndAdamMomentsStayZeroThroughFineTuning) {
  const Dataset data = make_band_dataset(240, 1);
  Model source = trained_mlp(data);
  Model m = source.clone();
  prune_global_magnitude(m, 0.8f);
  const std::vector<float> masks = m.params().masks;
  TrainConfig c;
  c.epochs = 20;  // 300 Adam steps
  c.batch_size = 16;
  c.learning_rate = 0.02f;
  TrainingRun run(m, data, all_indices(data.size()), {}, c);
  run.run();
  ASSERT_EQ(run.steps_done(), 300);
  const ParamStore& p = m.params();
  EXPECT_EQ(p.masks, masks);
  const auto state = run.optimizer().state();
  int64_t masked = 0;
  for (size_t i = 0; i < p.values.size(); ++i) {
    if (masks[i] != 0.0f) continue;
    ++masked;
    ASSERT_EQ(p.values[i], 0.0f) << i;
    for (const auto* moment : state) ASSERT_EQ((*moment)[i], 0.0f) << i;
  }
  EXPECT_GT(masked, 0);
  // The kept weights did train.
  int64_t moved = 0;
  for (size_t i = 0; i < p.values.size(); ++i) moved += masks[i] != 0.0f && p.values[i] != source.params().values[i];
  EXPECT_GT(moved, masked / 10);
}

TEST(PrunePipeline, OneShotGlobalWithFineTuningKeepsAccuracyAndRecordsProvenance) {
  const Dataset data = make_band_dataset(300, 2);
  Model source = trained_mlp(data);
  const double before = evaluate(source, data, {}).accuracy;
  Model pruned = prune_model(source, data, all_indices(data.size()), {}, settings("global", 0.9f, 2));
  EXPECT_NEAR(global_sparsity(pruned.params()), 0.9, 1e-3);
  EXPECT_GT(evaluate(pruned, data, {}).accuracy, before - 0.05);
  ASSERT_TRUE(pruned.provenance.contains("pruning"));
  EXPECT_EQ(pruned.provenance["pruning"]["method"], "global");
  EXPECT_EQ(pruned.provenance["pruning"]["source"], "mlp");
  // The source is untouched.
  EXPECT_FALSE(source.params().has_pruning());
}

TEST(PrunePipeline, PolynomialScheduleRampsMonotonicallyToTheTarget) {
  const Dataset data = make_band_dataset(240, 3);
  Model source = trained_mlp(data);
  PruneSettings s = settings("magnitude", 0.8f, 3);  // 45 steps
  s.schedule = PruneSchedule::kPolynomial;
  s.frequency = 5;
  std::vector<double> seen;
  PruneCallbacks cb;
  cb.on_round = [&](int, int, double sparsity) { seen.push_back(sparsity); };
  Model pruned = prune_model(source, data, all_indices(data.size()), {}, s, nullptr, cb);
  ASSERT_GE(seen.size(), 5u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]);
  EXPECT_LT(seen[1], 0.8);  // it really was gradual
  EXPECT_NEAR(seen.back(), 0.8, 2e-3);
  const ParamStore& p = pruned.params();
  for (int r : prunable_refs(p)) EXPECT_EQ(masked_count(p, p.refs[r]), std::llround(0.8 * p.refs[r].size()));
}

TEST(PrunePipeline, IterativeRoundsFollowTheGeometricRamp) {
  const Dataset data = make_band_dataset(120, 4);
  Model source = trained_mlp(data);
  PruneSettings s = settings("random", 0.875f, 1);
  s.schedule = PruneSchedule::kIterative;
  s.rounds = 3;
  std::vector<double> seen;
  PruneCallbacks cb;
  cb.on_round = [&](int, int, double sparsity) { seen.push_back(sparsity); };
  prune_model(source, data, all_indices(data.size()), {}, s, nullptr, cb);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_NEAR(seen[0], 0.5, 0.01);
  EXPECT_NEAR(seen[1], 0.75, 0.01);
  EXPECT_NEAR(seen[2], 0.875, 0.01);
}

TEST(PrunePipeline, DistilsFromTeacherLogitsIntoAPrunedStudent) {
  const Dataset data = make_band_dataset(240, 5);
  Model teacher = trained_mlp(data);
  const Tensor teacher_logits = compute_logits(teacher, data);
  PruneSettings s = settings("structured", 0.5f, 3);
  s.train.loss = LossKind::kHinton;
  
  s.train.temperature = 2.0f;
  s.train.alpha = 0.3f;
  Model student = prune_model(make_mlp(9), data, all_indices(data.size()), {}, s, &teacher_logits);
  EXPECT_LT(student.parameter_count(), teacher.parameter_count());
  EXPECT_GT(evaluate(student, data, {}, &teacher).agreement, 0.9);
  EXPECT_EQ(student.provenance["pruning"]["loss"], "kd");
}

TEST(PrunePipeline, StructuredIterativeRoundsCompoundFromTheSourceWidths) {
  const Dataset data = make_band_dataset(60, 6);
  Model cnn = make_cnn();
  PruneSettings s = settings("structured", 0.75f, 0);
  s.schedule = PruneSchedule::kIterative;
  s.rounds = 2;
  Model small = prune_model(cnn, data, all_indices(data.size()), {}, s);
  // Kept counts come from the source widths: 8 - round(6) filters, 6 - round(4.5), 12 - round(9) units.
  EXPECT_EQ(small.layer(0).output_shape()[2], 2);
  EXPECT_EQ(small.layer(3).output_shape()[2], 6 - static_cast<int>(std::llround(0.75 * 6)));
  EXPECT_EQ(small.layer(7).output_shape()[0], 3);
}

TEST(PrunePipeline, BadSettingsGiveOneClearError) {
  const Dataset data = make_band_dataset(30, 7);
  Model m = make_mlp();
  auto message = [&](PruneSettings s) -> std::string {
    try {
      prune_model(m, data, all_indices(data.size()), {}, s);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message(settings("magnitude", 1.0f, 0)).find("sparsity must be in [0, 1)"), std::string::npos);
  auto name_error = [](auto parse) -> std::string {
    try {
      parse();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(name_error([] { prune_method_from_name("optimal-brain-damage"); }).find("unknown pruning method"),
            std::string::npos);
  PruneSettings s = settings("magnitude", 0.5f, 0);
  EXPECT_NE(name_error([] { prune_schedule_from_name("cubic"); }).find("unknown pruning schedule"), std::string::npos);
  s.schedule = PruneSchedule::kPolynomial;
  EXPECT_NE(message(s).find("at least 1 fine-tuning epoch"), std::string::npos);
  s = settings("structured", 0.5f, 1);
  s.schedule = PruneSchedule::kPolynomial;
  EXPECT_NE(message(s).find("structured pruning uses oneshot or iterative"), std::string::npos);
  // The criterion is an enum: an unknown name is refused where names are read.
  EXPECT_EQ(name_error([] { parse_norm_criterion("l0"); }),
            "unknown structured-pruning criterion 'l0' (use l1 or l2)");
}

}  // namespace
}  // namespace distillery
