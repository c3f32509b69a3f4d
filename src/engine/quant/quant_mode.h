#pragma once
// The closed sets of quantization choices, each with its one name table.
//   int8          int8 weights per output channel, int32 biases, int8 activations:
//                 integer kernels (kernels/gemm_int8.h)
//   int8-weights  int8 weights per output channel, float compute (smaller files)
//   float16       every weight as float16, float compute (smaller files)
#include <string>

#include "engine/core/name_table.h"

namespace distillery {

enum class QuantMode { Int8, Int8Weights, Float16 };
// How calibration turns the activations it saw into a range: their min and
// max, or the percentile and 100 - percentile (outliers clipped).
enum class CalibrationMethod { MinMax, Percentile };

// The name tables: the CLI's flags, the app's options and model files all read them.
const NameTable<QuantMode>& quant_mode_names();
const NameTable<CalibrationMethod>& calibration_method_names();
const char* quant_mode_name(QuantMode mode);
// Throws Error listing the names when `name` is none of them.
QuantMode parse_quant_mode(const std::string& name);
const char* calibration_method_name(CalibrationMethod method);
CalibrationMethod parse_calibration_method(const std::string& name);

struct QuantizeOptions {
  QuantMode mode = QuantMode::Int8;
  CalibrationMethod calibration = CalibrationMethod::MinMax;
  double percentile = 99.99;  // with CalibrationMethod::Percentile, in (50, 100]
};

// Throws Error naming the setting at fault (the one place options are checked).
void validate(const QuantizeOptions& options);

// The most calibration images a front end draws: past a few thousand the
// ranges no longer move, and 20,000 images of activations is what a browser
// tab can hold beside the model.
constexpr int kMaxCalibrationImages = 20000;
// Throws Error unless 1 <= images <= kMaxCalibrationImages.
void validate_calibration_count(int images);

}  // namespace distillery
