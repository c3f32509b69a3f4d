#include "engine/layers/pooling2d.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

namespace distillery {

Pooling2D::Pooling2D(const nlohmann::json& config, const std::string& type_name)
    : pool_size_(read_int_pair(config, type_name, "pool_size")),
      strides_(read_int_pair(config, type_name, "strides", pool_size_)),
      padding_(read_padding(config, type_name)) {}

nlohmann::json Pooling2D::config() const {
  return {{"type", type()},
          {"pool_size", pair_json(pool_size_)},
          {"strides", pair_json(strides_)},
          {"padding", padding_json(padding_)}};
}

Shape Pooling2D::build(const Shape& input_shape) {
  require_image_input(type(), input_shape);
  geometry_ = layer_window_geometry(type(), "pool", input_shape, pool_size_, strides_, padding_);
  input_shape_ = input_shape;
  output_shape_ = Shape{geometry_.out_h, geometry_.out_w, geometry_.channels};
  return output_shape_;
}

Pooling2D::Window Pooling2D::window_at(int oy, int ox) const {
  const int y0 = oy * geometry_.stride_h - geometry_.pad_top;
  const int x0 = ox * geometry_.stride_w - geometry_.pad_left;
  // Padding (TF's "same", or explicit pads smaller than the window) always leaves at least one real cell.
  return {std::max(y0, 0), std::min(y0 + geometry_.window_h, geometry_.in_h), std::max(x0, 0),
          std::min(x0 + geometry_.window_w, geometry_.in_w)};
}

LayerKind pooling_kind(const std::string& type, std::vector<std::string> tfjs_classes, const std::string& name_prefix,
                       std::vector<std::string> arch_tokens) {
  LayerKind kind;
  kind.type = type;
  kind.channels = ChannelFlow::preserved;
  const std::string tfjs_class = tfjs_classes.front();
  kind.tfjs_classes = std::move(tfjs_classes);
  kind.from_tfjs = [type](const TfjsSource& source, TfjsTarget& target) {
    source.require_channels_last();
    const nlohmann::json pool = source.window("pool_size", nlohmann::json(2));
    target.add({{"type", type},
                {"pool_size", pool},
                {"strides", source.window("strides", pool)},
                {"padding", source.padding()}});
  };
  kind.to_tfjs = [tfjs_class, name_prefix](const nlohmann::json& config) {
    TfjsLayer layer{tfjs_class, name_prefix, {}};
    nlohmann::ordered_json& c = layer.config;
    c["pool_size"] = tfjs_pair(config["pool_size"]);
    c["padding"] = keras_padding(config, tfjs_class);
    c["strides"] = tfjs_pair(config.value("strides", config["pool_size"]));
    c["data_format"] = "channels_last";
    return layer;
  };
  const std::string token_name = arch_tokens.front();
  kind.arch_tokens = std::move(arch_tokens);
  kind.from_arch = [type](ArchToken& token) {
    token.require_parts(2, 4, "pool:K[:sN][:same]");
    token.require_image();
    nlohmann::json pool{{"type", type}, {"pool_size", token.window(1, "K")}};
    const ArchOptions options = token.options(2, true, false);
    if (options.stride) pool["strides"] = options.stride;
    if (!options.padding.empty()) pool["padding"] = options.padding;
    token.add(pool);
  };
  kind.to_arch = [token_name](const nlohmann::json& config) {
    const std::string size = arch_window_text(config["pool_size"]);
    std::string text = token_name + ":" + size;
    const std::string strides = arch_window_text(config.value("strides", config["pool_size"]));
    if (strides != size) text += ":s" + strides;
    if (read_padding(config, "pool").kind != Padding::Kind::kValid) text += ":same";  // explicit: as conv2d
    return text;
  };
  return kind;
}

}  // namespace distillery
