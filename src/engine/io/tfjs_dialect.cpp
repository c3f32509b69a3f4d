#include "engine/io/tfjs_dialect.h"

#include "engine/io/float_text.h"

namespace distillery {

nlohmann::json TfjsSource::window(const char* key, const nlohmann::json& fallback) const {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  const nlohmann::json& v = config[key];
  require(v.is_number_integer() || (v.is_array() && (v.size() == 1 || v.size() == 2)),
          label() + ": \"" + key + "\" must be an int or a pair, got " + v.dump());
  if (v.is_array() && v.size() == 1) return nlohmann::json::array({v[0], v[0]});
  return v;
}

std::string TfjsSource::padding() const {
  const std::string padding = field<std::string>("padding", "valid");
  require(padding == "valid" || padding == "same",
          label() + ": padding '" + padding + "' is not supported (valid or same)");
  return padding;
}

void TfjsSource::require_channels_last() const {
  const std::string format = field<std::string>("data_format", "channels_last");
  require(format == "channels_last",
          label() + ": data_format '" + format + "' is not supported (Distillery is channels_last, NHWC)");
}

void TfjsSource::require_all_ones(const char* key) const {
  if (!config.contains(key) || config[key].is_null()) return;
  const nlohmann::json& v = config[key];
  bool ones = v.is_number_integer() ? v.get<int>() == 1 : v.is_array();
  if (v.is_array())
    for (const nlohmann::json& d : v) ones = ones && d.is_number_integer() && d.get<int>() == 1;
  require(ones, label() + ": " + key + " " + v.dump() + " is not supported (only 1)");
}

nlohmann::ordered_json tfjs_pair(const nlohmann::json& value) {
  if (value.is_array() && value.size() == 2) return nlohmann::ordered_json::array({value[0], value[1]});
  return nlohmann::ordered_json::array({value, value});
}

double tfjs_float(const nlohmann::json& value) { return float_to_json_double(value.get<float>()); }

}  // namespace distillery
