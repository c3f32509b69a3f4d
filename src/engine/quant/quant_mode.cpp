#include "engine/quant/quant_mode.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/core/name_table.h"

namespace distillery {

const NameTable<QuantMode>& quant_mode_names() {
  static const NameTable<QuantMode> table(
      "quantization mode",
      {{QuantMode::Int8, "int8"}, {QuantMode::Int8Weights, "int8-weights"}, {QuantMode::Float16, "float16"}});
  return table;
}

const NameTable<CalibrationMethod>& calibration_method_names() {
  static const NameTable<CalibrationMethod> table(
      "calibration method", {{CalibrationMethod::MinMax, "minmax"}, {CalibrationMethod::Percentile, "percentile"}});
  return table;
}

const char* quant_mode_name(QuantMode mode) { return quant_mode_names().name(mode); }
QuantMode parse_quant_mode(const std::string& name) { return quant_mode_names().parse(name); }
const char* calibration_method_name(CalibrationMethod method) { return calibration_method_names().name(method); }
CalibrationMethod parse_calibration_method(const std::string& name) { return calibration_method_names().parse(name); }

void validate(const QuantizeOptions& options) {
  require(std::isfinite(options.percentile) && options.percentile > 50.0 && options.percentile <= 100.0,
          "the calibration percentile must be above 50 and at most 100, got " + std::to_string(options.percentile));
}

void validate_calibration_count(int images) {
  require(images >= 1 && images <= kMaxCalibrationImages, "calibration must be 1 to " +
                                                              std::to_string(kMaxCalibrationImages) + " images, got " +
                                                              std::to_string(images));
}

}  // namespace distillery
