// GlobalAvgPool2D: per-channel means, its gradient, and the paths a new layer
// gets from its kind alone: the arch token, TF.js both ways, structured pruning.
#include <gtest/gtest.h>

#include "engine/gradient_check.h"
#include "engine/io/tfjs_test_util.h"
#include "engine/io/tfjs_export.h"
#include "engine/io/tfjs_import.h"
#include "engine/layers/bound_layer.h"
#include "engine/model/arch_spec.h"
#include "engine/prune/structured.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::check_layer_gradients;
using test::make_tensor;

const json kGap{{"type", "global_avg_pool2d"}};

TEST(GlobalAvgPool2dTest, AveragesEachChannelOverTheImage) {
  BoundLayer gap(kGap, Shape{2, 2, 2});
  ASSERT_EQ(gap.output_shape, (Shape{2}));
  // Channel 0: 1, 2, 3, 4; channel 1: 10, 20, 30, 40; a second sample doubled.
  const Tensor out = gap.forward(make_tensor(Shape{2, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40,  //
                                                                 2, 20, 4, 40, 6, 60, 8, 80}));
  EXPECT_EQ(out.values(), (std::vector<float>{2.5f, 25.0f, 5.0f, 50.0f}));
}

TEST(GlobalAvgPool2dTest, GradientsMatchFiniteDifferences) {
  LayerPtr layer = LayerRegistry::instance().create(kGap);
  EXPECT_TRUE(check_layer_gradients(*layer, Shape{3, 4, 5}));
}

TEST(GlobalAvgPool2dTest, RefusesAFlatInput) { test::expect_layer_error(kGap, Shape{12}, "global_avg_pool2d"); }

Model gap_model(const std::string& spec) {
  Rng rng(5);
  return Model::from_layer_configs(parse_arch_spec(spec, 3), Shape{6, 6, 2}, rng);
}

TEST(GlobalAvgPool2dTest, TheGapTokenEndsTheImageLayersWithoutAFlatten) {
  const Model model = gap_model("conv:4:3,gap");
  std::vector<std::string> types;
  for (const json& c : model.layer_configs()) types.push_back(c["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"conv2d", "relu", "global_avg_pool2d", "dense"}));
  EXPECT_EQ(describe_arch(model), "conv:4:3,gap");
  test::expect_error([] { gap_model("dense:4,gap"); }, {"'gap' at position 2", "after a flat"});
}

TEST(GlobalAvgPool2dTest, ExportsToTfjsAndImportsBackWithTheSameOutputs) {
  Model model = gap_model("conv:4:3,gap,dense:5");
  const TfjsModelFiles files = export_tfjs_model(model, "weights.bin");
  EXPECT_NE(files.model_json.find("\"GlobalAveragePooling2D\""), std::string::npos);
  Model back = import_tfjs_model(files.model_json, {files.weights}, {});
  ASSERT_EQ(back.num_layers(), model.num_layers());
  const Tensor x = test::random_tensor(Shape{3, 6, 6, 2}, 9);
  const std::vector<float> expected = model.forward(x, false).values();
  EXPECT_EQ(back.forward(x, false).values(), expected);
}

TEST(GlobalAvgPool2dTest, StructuredPruningFollowsTheChannelsIntoTheDense) {
  Model model = gap_model("conv:8:3,gap,dense:6");
  const StructuredPlan plan = plan_structured(model, structured_keep_counts(model, 0.5f), NormCriterion::l2);
  Model small = shrink_model(model, plan);
  EXPECT_EQ(small.layer_configs()[0]["filters"], 4);
  Model masked = masked_equivalent(model, plan);
  const Tensor x = test::random_tensor(Shape{2, 6, 6, 2}, 3);
  const std::vector<float> want = masked.forward(x, false).values();
  const std::vector<float> got = small.forward(x, false).values();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f);
}

}  // namespace
}  // namespace distillery
