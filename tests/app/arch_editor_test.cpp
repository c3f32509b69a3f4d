#include <gtest/gtest.h>

#include <iterator>

#include "app/widgets/arch_editor.h"

namespace distillery {
namespace {

TEST(ArchRows, SpecsRoundTripThroughRows) {
  for (const std::string spec : {"dense:32", "conv:8:3,pool:2,conv:16:3,pool:2,dense:32", "dense:128,dropout:0.2,dense:64",
                                 "avgpool:2,dense:10", "conv:32:3:s2:valid,dense:64:tanh"}) {
    EXPECT_EQ(arch_rows_to_spec(parse_arch_rows(spec)), spec);
  }
}

TEST(ArchRows, GraphTokensAreRowsAndRoundTrip) {
  const std::string spec = "conv:16:3,bn,res:16,res:32:2,mbconv:32:6,mbconv:48:1:2,dwconv:3,dwconv:5:2,gap";
  const std::vector<ArchRow> rows = parse_arch_rows(spec);
  using K = ArchRow::Kind;
  struct Expected {
    K kind;
    int width, kernel, stride, expansion;  // -1: not this row's number
  };
  const Expected expected[] = {{K::kConv, 16, 3, -1, -1},          {K::kBatchNorm, -1, -1, -1, -1},
                               {K::kResidual, 16, -1, 1, -1},      {K::kResidual, 32, -1, 2, -1},
                               {K::kInvertedResidual, 32, -1, 1, 6}, {K::kInvertedResidual, 48, -1, 2, 1},
                               {K::kDepthwise, -1, 3, 1, -1},      {K::kDepthwise, -1, 5, 2, -1},
                               {K::kGlobalPool, -1, -1, -1, -1}};
  ASSERT_EQ(rows.size(), std::size(expected));
  for (size_t i = 0; i < rows.size(); ++i) {
    const Expected& e = expected[i];
    EXPECT_EQ(rows[i].kind, e.kind) << i;
    if (e.width >= 0) {
      EXPECT_EQ(rows[i].width, e.width) << i;
    }
    if (e.kernel >= 0) {
      EXPECT_EQ(rows[i].kernel, e.kernel) << i;
    }
    if (e.stride >= 0) {
      EXPECT_EQ(rows[i].stride, e.stride) << i;
    }
    if (e.expansion >= 0) {
      EXPECT_EQ(rows[i].expansion, e.expansion) << i;
    }
  }
  EXPECT_EQ(arch_rows_to_spec(rows), spec);
}

TEST(ArchRows, EditingABlockRowWritesItsToken) {
  std::vector<ArchRow> rows = parse_arch_rows("conv:16:3,res:16,mbconv:16:4");
  rows[1].stride = 2;
  rows[1].width = 32;
  rows[2].expansion = 6;
  rows[2].stride = 2;
  EXPECT_EQ(arch_rows_to_spec(rows), "conv:16:3,res:32:2,mbconv:16:6:2");
  rows[1].stride = 1;
  rows[2].stride = 1;
  EXPECT_EQ(arch_rows_to_spec(rows), "conv:16:3,res:32,mbconv:16:6");
  EXPECT_TRUE(measure_arch(arch_rows_to_spec(rows), Shape{28, 28, 1}, 10).ok);
}

TEST(ArchRows, TokensARowWouldRewriteStayAsTyped) {
  // Each is valid, but its row would write it differently (a default spelled
  // out, a non-square window, valid padding): it stays text, exactly as typed.
  for (const std::string token : {"res:16:1", "mbconv:16:4:1", "dwconv:3:1", "dwconv:3x5", "dwconv:3:valid", "conv:8:3:s1",
                                  "res:bad", "mbconv:16"}) {
    const std::vector<ArchRow> rows = parse_arch_rows("conv:16:3," + token);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].kind, ArchRow::Kind::kRaw) << token;
    EXPECT_EQ(arch_rows_to_spec(rows), "conv:16:3," + token);
  }
}

TEST(ArchMeasure, GraphSpecsAreMeasured) {
  // The parameter count of the ResNet-8 the engine builds, by hand: conv 3x3x1x16 + 16,
  // res:16 (identity), res:32:2 and res:64:2 (with 1x1 projections), each batch norm 4 per channel, output 64x10 + 10.
  const auto res = [](int in, int out, bool projection) {
    return 9 * in * out + 9 * out * out + 2 * 4 * out + (projection ? in * out + 4 * out : 0);
  };
  const ArchMeasure m = measure_arch("conv:16:3,res:16,res:32:2,res:64:2,gap", Shape{28, 28, 1}, 10);
  ASSERT_TRUE(m.ok) << m.error;
  EXPECT_EQ(m.params, 9 * 16 + 16 + res(16, 16, false) + res(16, 32, true) + res(32, 64, true) + 64 * 10 + 10);
  EXPECT_GT(m.flops, 0);
  const ArchMeasure bad = measure_arch("dense:8,res:16", Shape{28, 28, 1}, 10);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("res:16"), std::string::npos) << bad.error;
}

TEST(ArchRows, OptionsTheRowsCannotShowStayRaw) {
  const auto rows = parse_arch_rows("conv:32:3:s2,dense:16");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, ArchRow::Kind::kRaw);
  EXPECT_EQ(rows[1].kind, ArchRow::Kind::kDense);
  EXPECT_EQ(rows[1].width, 16);
}

TEST(ArchRows, WidthMultiplierScalesDenseAndConvOnly) {
  EXPECT_EQ(scale_arch_widths("conv:32:3,pool:2,conv:64:3,pool:2,dense:128", 0.25f), "conv:8:3,pool:2,conv:16:3,pool:2,dense:32");
  EXPECT_EQ(scale_arch_widths("dense:3", 0.1f), "dense:1");  // never below one unit
}

TEST(ArchMeasure, CountsParametersOrSaysWhatIsWrong) {
  const ArchMeasure m = measure_arch("dense:32", Shape{28, 28, 1}, 10);
  ASSERT_TRUE(m.ok) << m.error;
  EXPECT_EQ(m.params, 784 * 32 + 32 + 32 * 10 + 10);
  const ArchMeasure bad = measure_arch("dense:32,bogus:3", Shape{28, 28, 1}, 10);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("bogus"), std::string::npos) << bad.error;
  // A spec typed up to the size limit is measured, not built (no weights are
  // allocated: tests/alloc), and one past it says which layer is too big.
  const ArchMeasure huge = measure_arch("dense:16000", Shape{64, 64, 1}, 10);
  ASSERT_TRUE(huge.ok) << huge.error;
  EXPECT_EQ(huge.params, int64_t(4096) * 16000 + 16000 + 16000 * 10 + 10);
  EXPECT_EQ(huge.layers, 4);  // flatten, dense, relu, the output dense
  const ArchMeasure over = measure_arch("dense:17000", Shape{64, 64, 1}, 10);
  EXPECT_FALSE(over.ok);
  EXPECT_NE(over.error.find("over the limit of 67108864 parameters"), std::string::npos) << over.error;
}

TEST(ArchMeasure, CompressionSaysWhichModelIsLarger) {
  EXPECT_EQ(compression_summary(25450, 235146), "9.2x fewer parameters than the teacher (235,146)");
  EXPECT_EQ(compression_summary(13515010, 235146), "57.5x more parameters than the teacher (235,146)");
}

}  // namespace
}  // namespace distillery
