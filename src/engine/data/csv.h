#pragma once
// CSV datasets: one image per row, the label in the first column (a class
// index or a class name) and then the pixel values 0..255, row-major HWC.
// A header row is detected by non-numeric pixel cells. Commas, semicolons or
// tabs separate cells; CRLF line ends, a UTF-8 BOM and quoted cells are fine.
#include <string>

#include "engine/data/data_limits.h"
#include "engine/data/dataset.h"

namespace distillery {

struct CsvOptions {
  // Image shape of the pixel columns. When the product does not match the
  // column count (or all are 0) the shape is inferred: a square gray image,
  // else a square RGB image.
  int height = 0;
  int width = 0;
  int channels = 0;
  DataLimits limits;
};

// Class names: the sorted distinct names when labels are names, "0".."max"
// when they are integers. Errors name `name` and the line number.
Dataset decode_csv(const std::string& text, const CsvOptions& options = {}, const std::string& name = "data.csv");

}  // namespace distillery
