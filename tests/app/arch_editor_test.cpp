#include <gtest/gtest.h>

#include "app/widgets/arch_editor.h"

namespace distillery {
namespace {

TEST(ArchRows, SpecsRoundTripThroughRows) {
  for (const std::string spec : {"dense:32", "conv:8:3,pool:2,conv:16:3,pool:2,dense:32", "dense:128,dropout:0.2,dense:64",
                                 "avgpool:2,dense:10", "conv:32:3:s2:valid,dense:64:tanh"}) {
    EXPECT_EQ(arch_rows_to_spec(parse_arch_rows(spec)), spec);
  }
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
