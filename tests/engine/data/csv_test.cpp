// CSV datasets: with and without a header, integer and named labels, shape
// inference, spreadsheet quirks, and errors that name the line.
#include "engine/data/csv.h"

#include <gtest/gtest.h>

#include "engine/data/test_util.h"

namespace distillery {
namespace {

TEST(CsvTest, DecodesRowsWithoutAHeader) {
  const Dataset data = decode_csv("1,0,255,10,20\n0,1,2,3,4\n3,9,9,9,9\n");
  EXPECT_EQ(data.size(), 3);
  EXPECT_EQ(data.sample_shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(data.labels, (std::vector<int>{1, 0, 3}));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(data.pixels, (std::vector<uint8_t>{0, 255, 10, 20, 1, 2, 3, 4, 9, 9, 9, 9}));
}

TEST(CsvTest, DetectsAHeaderRow) {
  const Dataset data = decode_csv("label,pixel1,pixel2,pixel3,pixel4\n2,1,2,3,4\n0,5,6,7,8\n");
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.labels, (std::vector<int>{2, 0}));
  EXPECT_EQ(data.pixels[4], 5);
}

TEST(CsvTest, DetectsAHeaderWithNumericColumnNames) {
  // Pixel columns named 0..3 look numeric; the word label above integer labels gives the header away.
  const Dataset data = decode_csv("label,0,1,2,3\n1,1,2,3,4\n0,5,6,7,8\n");
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"0", "1"}));
}

TEST(CsvTest, ToleratesCrlfBlankLinesBomAndSpaces) {
  const Dataset data = decode_csv("\xEF\xBB\xBFlabel,a,b,c,d\r\n1, 1, 2, 3, 4\r\n\r\n0,5,6,7,8\r\n\r\n");
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.labels, (std::vector<int>{1, 0}));
  EXPECT_EQ(data.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(CsvTest, NamedLabelsBecomeSortedClasses) {
  const Dataset data = decode_csv("dog,1,2,3,4\n\"T-shirt/top\",5,6,7,8\ncat,0,0,0,0\ndog,1,1,1,1\n");
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"T-shirt/top", "cat", "dog"}));
  EXPECT_EQ(data.labels, (std::vector<int>{2, 0, 1, 2}));
}

TEST(CsvTest, AcceptsSemicolonsTabsAndDecimalPixels) {
  EXPECT_EQ(decode_csv("1;1;2;3;4\n0;5;6;7;8\n").pixels[7], 8);
  const Dataset tabs = decode_csv("1\t1.0\t2.4\t2.6\t255.0\n");
  EXPECT_EQ(tabs.pixels, (std::vector<uint8_t>{1, 2, 3, 255}));
}

TEST(CsvTest, UsesTheGivenShapeOrInfersSquareImages) {
  CsvOptions options;
  options.height = 1;
  options.width = 4;
  options.channels = 1;
  EXPECT_EQ(decode_csv("0,1,2,3,4\n1,1,1,1,1\n", options).sample_shape(), (Shape{1, 4, 1}));
  // 12 pixels: not a square, but a 2x2 RGB image.
  EXPECT_EQ(decode_csv("0,1,2,3,4,5,6,7,8,9,10,11,12\n1,0,0,0,0,0,0,0,0,0,0,0,0\n").sample_shape(), (Shape{2, 2, 3}));
  EXPECT_ERROR_WITH(decode_csv("0,1,2,3,4,5\n1,1,1,1,1,1\n", {}, "odd.csv"), "odd.csv", "5 pixel columns");
}

TEST(CsvTest, ARaggedRowNamesItsLine) {
  EXPECT_ERROR_WITH(decode_csv("label,a,b,c,d\n1,1,2,3,4\n\n0,5,6,7\n", {}, "digits.csv"), "digits.csv line 4",
                    "expected 5 cells", "found 4");
}

TEST(CsvTest, ABadPixelNamesItsLineAndColumn) {
  EXPECT_ERROR_WITH(decode_csv("1,1,2,3,4\n0,5,6,300,8\n", {}, "d.csv"), "d.csv line 2, column 4", "'300'");
  EXPECT_ERROR_WITH(decode_csv("1,1,2,3,4\n0,5,x,7,8\n", {}, "d.csv"), "d.csv line 2, column 3", "'x'");
  EXPECT_ERROR_WITH(decode_csv("1,1,2,3,4\n0,5,-1,7,8\n", {}, "d.csv"), "line 2", "'-1'");
}

TEST(CsvTest, RejectsEmptyFilesAndHeaderOnlyFiles) {
  EXPECT_ERROR_WITH(decode_csv("\n\n", {}, "e.csv"), "e.csv", "empty");
  EXPECT_ERROR_WITH(decode_csv("label,p1,p2,p3,p4\n", {}, "h.csv"), "h.csv", "no data rows");
  EXPECT_ERROR_WITH(decode_csv("1\n2\n", {}, "one.csv"), "one.csv line 1", "single column");
}

TEST(CsvTest, RejectsAnEmptyLabelAndHugeClassIndices) {
  EXPECT_ERROR_WITH(decode_csv("1,1,2,3,4\n,5,6,7,8\n", {}, "l.csv"), "l.csv line 2", "empty label");
  EXPECT_ERROR_WITH(decode_csv("123456,1,2,3,4\n", {}, "l.csv"), "l.csv", "123456", "too large");
}

TEST(CsvTest, EnforcesTheDatasetSizeLimit) {
  CsvOptions options;
  options.limits.max_dataset_bytes = 7;
  EXPECT_ERROR_WITH(decode_csv("1,1,2,3,4\n0,5,6,7,8\n", options, "big.csv"), "big.csv", "limit of 7");
}

}  // namespace
}  // namespace distillery
