// Residual blocks in the architecture spec: res and mbconv tokens become small
// graphs with the intended skips, build into models, and read back.
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/model/arch_spec.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

const Json* find_named(const std::vector<Json>& layers, const std::string& name) {
  for (const Json& l : layers)
    if (l.value("name", std::string()) == name) return &l;
  return nullptr;
}

Model build(const std::vector<Json>& layers, const Shape& input = Shape{28, 28, 1}) {
  Rng rng(1);
  return Model::from_layer_configs(layers, input, rng);
}

std::string error_of(const std::string& spec) {
  try {
    parse_arch_spec(spec, 10);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ArchBlocks, ResidualBlocksSkipByIdentityOrProjection) {
  const std::vector<Json> layers = parse_arch_spec("conv:16:3,res:16,res:32:2,gap", 10);
  // The same width: the block adds its input as it is, which is the conv's relu, named for it.
  const Json* add1 = find_named(layers, "res1_add");
  ASSERT_NE(add1, nullptr);
  EXPECT_EQ((*add1)["inputs"], Json({"res1_bn2", "relu_1"}));
  EXPECT_EQ(find_named(layers, "res1_proj"), nullptr);
  EXPECT_EQ((*find_named(layers, "res1_conv1"))["inputs"], Json({"relu_1"}));
  // Wider and strided: a 1x1 projection of the block's input.
  const Json* proj = find_named(layers, "res2_proj");
  ASSERT_NE(proj, nullptr);
  EXPECT_EQ((*proj)["inputs"], Json({"res1_out"}));
  EXPECT_EQ((*proj)["strides"], 2);
  EXPECT_EQ((*proj)["kernel_size"], 1);
  EXPECT_EQ((*find_named(layers, "res2_add"))["inputs"], Json({"res2_bn2", "res2_proj_bn"}));

  Model m = build(layers);
  EXPECT_FALSE(m.is_chain());
  EXPECT_EQ(m.num_outputs(), 10);
  EXPECT_EQ(m.layer(m.num_layers() - 2).output_shape(), (Shape{32}));  // gap of 14x14x32
  EXPECT_EQ(describe_arch(m), "conv:16:3,res:16,res:32:2,gap");
}

TEST(ArchBlocks, AResNet8ReadsBackToTheSameModel) {
  const std::string spec = "conv:16:3,res:16,res:32:2,res:64:2,gap";
  Model m = build(parse_arch_spec(spec, 10));
  EXPECT_EQ(describe_arch(m), spec);
  EXPECT_EQ(build(parse_arch_spec(describe_arch(m), 10)).layer_configs(), m.layer_configs());
  // 16 * (1*9 + 1) conv, res1 2 * 16*16*9 + 2 bn, ...: counted by the model, and the same measured.
  EXPECT_EQ(Model::measure(m.layer_configs(), Shape{28, 28, 1}).parameters, m.parameter_count());
  EXPECT_GT(m.parameter_count(), 70000);
  EXPECT_LT(m.parameter_count(), 90000);
}

TEST(ArchBlocks, InvertedResidualsExpandFilterDepthwiseAndProject) {
  const std::string spec = "conv:8:3,mbconv:8:4,mbconv:16:6:2,mbconv:16:1,gap";
  const std::vector<Json> layers = parse_arch_spec(spec, 10);
  // The same shape: expand to 4 x 8 channels, a depthwise 3x3, project back, add the input.
  EXPECT_EQ((*find_named(layers, "mb1_expand"))["filters"], 32);
  EXPECT_EQ((*find_named(layers, "mb1_dw"))["type"], "depthwise_conv2d");
  EXPECT_EQ((*find_named(layers, "mb1_expand_relu"))["type"], "relu6");
  EXPECT_EQ((*find_named(layers, "mb1_add"))["inputs"], Json({"mb1_project_bn", "relu_1"}));
  // Strided and wider: no add. Expansion 1: no expand layer, the depthwise reads the block input.
  EXPECT_EQ(find_named(layers, "mb2_add"), nullptr);
  EXPECT_EQ((*find_named(layers, "mb2_expand"))["filters"], 48);
  EXPECT_EQ(find_named(layers, "mb3_expand"), nullptr);
  EXPECT_EQ((*find_named(layers, "mb3_dw"))["inputs"], Json({"mb2_project_bn"}));
  EXPECT_EQ((*find_named(layers, "mb3_add"))["inputs"], Json({"mb3_project_bn", "mb2_project_bn"}));

  Model m = build(layers);
  EXPECT_EQ(m.num_outputs(), 10);
  EXPECT_EQ(describe_arch(m), spec);
  EXPECT_LT(m.parameter_count(), 30000);  // a MobileNet-style student of the size issue 16 asks for
}

TEST(ArchBlocks, ABlockOnTheInputProjects) {
  const std::vector<Json> layers = parse_arch_spec("res:8", 10);
  EXPECT_EQ((*find_named(layers, "res1_conv1"))["inputs"], Json({"input"}));
  EXPECT_NE(find_named(layers, "res1_proj"), nullptr);
  EXPECT_EQ(build(layers, Shape{8, 8, 3}).num_outputs(), 10);
}

TEST(ArchBlocks, BadBlocksGetOneClearError) {
  EXPECT_NE(error_of("dense:8,res:8").find("'res:8' at position 2 comes after a flat"), std::string::npos);
  EXPECT_NE(error_of("conv:8:3,res:0").find("'res:0' at position 2: FILTERS must be a whole number from 1"),
            std::string::npos);
  EXPECT_NE(error_of("conv:8:3,res").find("expected res:FILTERS[:STRIDE]"), std::string::npos);
  EXPECT_NE(error_of("mbconv:16:4").find("mbconv expands the channels before it, which are not known here"),
            std::string::npos);
  EXPECT_NE(error_of("conv:8:3,mbconv:16").find("expected mbconv:FILTERS:EXPANSION[:STRIDE]"), std::string::npos);
  EXPECT_NE(error_of("conv:8:3,resnet:16").find("(known: "), std::string::npos);
  EXPECT_NE(error_of("conv:8:3,resnet:16").find("res, mbconv"), std::string::npos);
}

}  // namespace
}  // namespace distillery
