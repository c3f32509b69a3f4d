#include "engine/quant/quant_mode.h"

#include <cmath>
#include <utility>

#include "engine/core/error.h"

namespace distillery {
namespace {

constexpr std::pair<QuantMode, const char*> kModeNames[] = {
    {QuantMode::Int8, "int8"}, {QuantMode::Int8Weights, "int8-weights"}, {QuantMode::Float16, "float16"}};
constexpr std::pair<CalibrationMethod, const char*> kCalibrationNames[] = {
    {CalibrationMethod::MinMax, "minmax"}, {CalibrationMethod::Percentile, "percentile"}};

template <typename Enum, size_t N>
const char* name_in(const std::pair<Enum, const char*> (&table)[N], Enum value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

template <typename Enum, size_t N>
Enum parse_in(const std::pair<Enum, const char*> (&table)[N], const std::string& name, const char* what) {
  std::string names;
  for (const auto& [v, n] : table) {
    if (name == n) return v;
    names += (names.empty() ? "" : ", ") + std::string(n);
  }
  throw Error("unknown " + std::string(what) + " '" + name + "' (use " + names + ")");
}

}  // namespace

const char* quant_mode_name(QuantMode mode) { return name_in(kModeNames, mode); }
QuantMode parse_quant_mode(const std::string& name) { return parse_in(kModeNames, name, "quantization mode"); }
const char* calibration_method_name(CalibrationMethod method) { return name_in(kCalibrationNames, method); }
CalibrationMethod parse_calibration_method(const std::string& name) {
  return parse_in(kCalibrationNames, name, "calibration method");
}

void validate(const QuantizeOptions& options) {
  require(std::isfinite(options.percentile) && options.percentile > 50.0 && options.percentile <= 100.0,
          "the calibration percentile must be above 50 and at most 100, got " + std::to_string(options.percentile));
}

}  // namespace distillery
