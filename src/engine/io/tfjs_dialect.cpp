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

nlohmann::json TfjsSource::padding() const {
  const std::string padding = field<std::string>("padding", "valid");
  require(padding == "valid" || padding == "same",
          label() + ": padding '" + padding + "' is not supported (valid or same)");
  if (zero_pads_from.empty()) return padding;
  require(padding == "valid",
          padded_label() + ", whose own padding is \"same\": a ZeroPadding2D folds only into a \"valid\" layer");
  return padding_json(zero_pads);
}

Padding read_zero_padding(const TfjsSource& source) {
  source.require_channels_last();
  const nlohmann::json v = source.config.value("padding", nlohmann::json(1));  // Keras' default, (1, 1)
  auto side = [](const nlohmann::json& n) {
    return n.is_number_integer() && n.get<int64_t>() >= 0 && n.get<int64_t>() <= kMaxWindowSide;
  };
  auto pair = [&](const nlohmann::json& p) { return p.is_array() && p.size() == 2 && side(p[0]) && side(p[1]); };
  if (side(v)) return explicit_padding(v.get<int>(), v.get<int>(), v.get<int>(), v.get<int>());
  if (pair(v)) return explicit_padding(v[0].get<int>(), v[0].get<int>(), v[1].get<int>(), v[1].get<int>());
  if (v.is_array() && v.size() == 2 && pair(v[0]) && pair(v[1]))
    return explicit_padding(v[0][0].get<int>(), v[0][1].get<int>(), v[1][0].get<int>(), v[1][1].get<int>());
  throw Error(source.label() + ": \"padding\" must be an int, [h, w] or [[top, bottom], [left, right]] (0 to " +
              std::to_string(kMaxWindowSide) + "), got " + v.dump());
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
