// The architecture editor's picture, laid out without ImGui (app/widgets/arch_picture.h).
#include <gtest/gtest.h>

#include "app/widgets/arch_editor.h"
#include "app/widgets/arch_picture.h"

namespace distillery {
namespace {

const Shape kImage{28, 28, 1};

ArchPicture picture_of(const std::string& spec) { return arch_picture(spec, kImage, 10, ArchPictureMetrics{}); }

std::vector<std::string> titles(const ArchPicture& p) {
  std::vector<std::string> out;
  for (const ArchPictureBox& box : p.boxes) out.push_back(box.title);
  return out;
}

std::vector<std::string> chips(const ArchPictureBox& box) {
  std::vector<std::string> out;
  for (const ArchChip& chip : box.chips) out.push_back(chip.label);
  return out;
}

TEST(ArchPicture, ResNet8IsThreeBlocksWithTheStrideTwoSkipsProjected) {
  const ArchPicture p = picture_of("conv:16:3,res:16,res:32:2,res:64:2,gap");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(titles(p), (std::vector<std::string>{"input", "conv:16:3", "res:16", "res:32:2", "res:64:2", "gap",
                                                 "output dense:10"}));
  EXPECT_EQ(p.skip_count(ArchSkip::Kind::kIdentity), 1);
  EXPECT_EQ(p.skip_count(ArchSkip::Kind::kProjection), 2);
  EXPECT_EQ(p.boxes[2].skip.kind, ArchSkip::Kind::kIdentity);
  EXPECT_EQ(p.boxes[2].skip.label, "identity");
  EXPECT_EQ(p.boxes[3].skip.kind, ArchSkip::Kind::kProjection);
  EXPECT_EQ(p.boxes[3].skip.label, "conv 1x1 /2, bn");
  // The projection rides on the arc, so the chips are the main path, the add and the relu after it.
  EXPECT_EQ(chips(p.boxes[3]), (std::vector<std::string>{"conv 3x3 /2", "bn", "relu", "conv 3x3", "bn", "+", "relu"}));
  EXPECT_EQ(p.boxes[0].shape, "28x28x1");
  EXPECT_EQ(p.boxes[2].shape, "28x28x16");
  EXPECT_EQ(p.boxes[3].shape, "14x14x32");
  EXPECT_EQ(p.boxes[4].shape, "7x7x64");
  EXPECT_EQ(p.boxes[5].shape, "64");
  EXPECT_EQ(p.boxes[6].shape, "10");
}

TEST(ArchPicture, BoxWeightsAddUpToTheMeasuredModel) {
  for (const std::string spec : {"conv:16:3,bn,res:16,res:32:2,res:64:2,gap", "conv:16:3,mbconv:16:4,mbconv:24:6:2,gap",
                                 "conv:8:3,pool:2,dwconv:3:2,bn,relu6,dense:32"}) {
    const ArchPicture p = picture_of(spec);
    ASSERT_TRUE(p.ok) << spec << ": " << p.error;
    int64_t total = 0;
    for (const ArchPictureBox& box : p.boxes) total += box.params;
    const ArchMeasure m = measure_arch(spec, kImage, 10);
    ASSERT_TRUE(m.ok) << m.error;
    EXPECT_EQ(total, m.params) << spec;
    EXPECT_GT(m.flops, 0) << spec;
  }
  // res:16 after a 16-filter conv: two 3x3x16x16 kernels and two batch norms (4 x 16 each).
  const ArchPicture p = picture_of("conv:16:3,res:16");
  EXPECT_EQ(p.boxes[2].params, 2 * (3 * 3 * 16 * 16) + 2 * 4 * 16);
}

TEST(ArchPicture, MbconvAddsItsInputOnlyWhenTheShapeIsUnchanged) {
  const ArchPicture p = picture_of("conv:16:3,mbconv:16:4,mbconv:24:4,mbconv:24:4,mbconv:24:4:2,mbconv:24:1,gap");
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_EQ(p.boxes.size(), 9u);
  EXPECT_EQ(p.boxes[2].skip.kind, ArchSkip::Kind::kIdentity);  // 16 -> 16, stride 1
  EXPECT_EQ(chips(p.boxes[2]), (std::vector<std::string>{"conv 1x1", "bn", "relu6", "dw 3x3", "bn", "relu6", "conv 1x1",
                                                         "bn", "+"}));
  EXPECT_EQ(p.boxes[3].skip.kind, ArchSkip::Kind::kNone);  // 16 -> 24: MobileNetV2 has no projection
  EXPECT_EQ(p.boxes[3].skip.label, "no skip: the block changes the shape");
  EXPECT_EQ(p.boxes[3].chips.back().label, "bn");  // and no add
  EXPECT_EQ(p.boxes[4].skip.kind, ArchSkip::Kind::kIdentity);
  EXPECT_EQ(p.boxes[5].skip.kind, ArchSkip::Kind::kNone);  // stride 2
  EXPECT_EQ(p.boxes[5].shape, "14x14x24");
  EXPECT_EQ(p.boxes[6].title, "mbconv:24:1");  // no expansion layer
  EXPECT_EQ(p.boxes[6].chips.front().label, "dw 3x3");
  EXPECT_EQ(p.boxes[6].skip.kind, ArchSkip::Kind::kIdentity);
}

TEST(ArchPicture, ArcsSpanTheirBlocksChipsAndBoxesDoNotOverlap) {
  const ArchPicture p = picture_of("conv:16:3,res:16,res:32:2,gap");
  ASSERT_TRUE(p.ok) << p.error;
  for (size_t i = 0; i < p.boxes.size(); ++i) {
    const ArchPictureBox& box = p.boxes[i];
    EXPECT_EQ(box.rect.w, p.width);
    if (i > 0) {
      EXPECT_GT(box.rect.y, p.boxes[i - 1].rect.bottom()) << "room for the arrow between boxes";
    }
    for (const ArchChip& chip : box.chips) {
      EXPECT_GE(chip.rect.x, box.rect.x);
      EXPECT_LE(chip.rect.right(), box.rect.right());
      EXPECT_LE(chip.rect.bottom(), box.rect.bottom());
    }
    if (box.skip.kind == ArchSkip::Kind::kNone) continue;
    const ArchChip& first = box.chips.front();
    const auto add = std::find_if(box.chips.begin(), box.chips.end(), [](const ArchChip& c) { return c.add; });
    ASSERT_NE(add, box.chips.end());
    EXPECT_LT(box.skip.x0, first.rect.x) << "the arc leaves before the block's first layer";
    EXPECT_EQ(box.skip.x1, add->rect.x + add->rect.w / 2) << "and lands on the add";
    EXPECT_LT(box.skip.y_top, first.rect.y) << "over the layers it bypasses";
    EXPECT_GT(box.skip.y_top, box.rect.y + ArchPictureMetrics{}.line) << "under the block's title";
  }
  EXPECT_EQ(p.height, p.boxes.back().rect.bottom());
  // A wide block widens every box; a narrow model keeps the minimum width.
  ArchPictureMetrics wide;
  wide.min_width = 2000;
  EXPECT_EQ(arch_picture("dense:8", kImage, 10, wide).width, 2000);
}

TEST(ArchPicture, AJsonGraphIsDrawnLayerByLayer) {
  // Not a block the spec wrote, so no arc: its add is a box of its own, with both inputs' shape.
  const std::string graph = R"([{"type": "conv2d", "name": "a", "filters": 4, "kernel_size": 3, "padding": "same"},
                                {"type": "conv2d", "name": "b", "filters": 4, "kernel_size": 1, "inputs": ["a"]},
                                {"type": "add", "inputs": ["a", "b"]}, {"type": "global_avg_pool2d"}])";
  const ArchPicture p = picture_of(graph);
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.boxes.size(), 6u);  // input, a, b, add, gap, output
  EXPECT_EQ(p.boxes[3].title, "add");
  EXPECT_EQ(p.boxes[3].shape, "28x28x4");
  EXPECT_EQ(p.skip_count(ArchSkip::Kind::kIdentity) + p.skip_count(ArchSkip::Kind::kProjection), 0);
}

TEST(ArchPicture, ABadSpecHasNoPictureButAnError) {
  const ArchPicture p = picture_of("conv:16:3,res:x");
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find("res:x"), std::string::npos) << p.error;
  EXPECT_TRUE(p.boxes.empty());
  EXPECT_FALSE(picture_of("dense:8,res:16").ok);  // a block after a flat layer
}

}  // namespace
}  // namespace distillery
