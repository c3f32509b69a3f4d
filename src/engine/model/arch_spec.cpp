// Architecture specs (see arch_spec.h for the grammar).
//
// Sections:
//   1. Token helpers (splitting, numbers, options)
//   2. One token -> layer configs
//   3. JSON architectures
//   4. Completing a stack (flatten, final dense) and parse_arch_spec
//   5. describe_arch
#include "engine/core/text.h"
#include "engine/io/json_text.h"
#include "engine/model/arch_spec.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------- 1. helpers

const char* kKnownTokens = "conv, pool, avgpool, dense, dropout, flatten, relu, tanh, sigmoid, leaky_relu";

bool is_activation(const std::string& name) {
  return name == "relu" || name == "tanh" || name == "sigmoid" || name == "leaky_relu" || name == "linear";
}

// Context for errors: "'conv:x:3' at position 1".
struct TokenContext {
  std::string token;
  int position;
  std::string where() const { return "'" + token + "' at position " + std::to_string(position); }
};

int parse_positive_int(const std::string& text, const char* what, const TokenContext& ctx, int max = 1 << 20) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  require(!text.empty() && end == text.c_str() + text.size() && value > 0 && value <= max,
          ctx.where() + ": " + what + " must be a whole number from 1 to " + std::to_string(max) + ", got '" + text +
              "'");
  return static_cast<int>(value);
}

// "3" -> 3, "3x5" -> [3, 5].
Json parse_window(const std::string& text, const char* what, const TokenContext& ctx) {
  const size_t x = text.find('x');
  if (x == std::string::npos) return parse_positive_int(text, what, ctx, 4096);
  return Json::array({parse_positive_int(text.substr(0, x), what, ctx, 4096),
                      parse_positive_int(text.substr(x + 1), what, ctx, 4096)});
}

float parse_float(const std::string& text, const char* what, const TokenContext& ctx) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  require(!text.empty() && end == text.c_str() + text.size() && std::isfinite(value),
          ctx.where() + ": " + what + " must be a number, got '" + text + "'");
  return static_cast<float>(value);
}

void require_arg_count(const std::vector<std::string>& parts, size_t min, size_t max, const char* usage,
                       const TokenContext& ctx) {
  require(parts.size() >= min && parts.size() <= max, ctx.where() + ": expected " + usage);
}

Json activation_config(const std::string& name) { return Json{{"type", name}}; }

// ---------------------------------------------------------------- 2. tokens

// Options after the required numbers of conv/pool/dense: sN, same, valid, activation.
struct WindowOptions {
  int stride = 0;  // 0 = default
  std::string padding;
  std::string activation;
};

WindowOptions parse_options(const std::vector<std::string>& parts, size_t first, bool allow_window,
                            bool allow_activation, const TokenContext& ctx) {
  WindowOptions options;
  for (size_t i = first; i < parts.size(); ++i) {
    const std::string& opt = parts[i];
    if (allow_window && opt.size() > 1 && opt[0] == 's' && std::isdigit(static_cast<unsigned char>(opt[1]))) {
      options.stride = parse_positive_int(opt.substr(1), "the stride after 's'", ctx, 4096);
    } else if (allow_window && (opt == "same" || opt == "valid")) {
      options.padding = opt;
    } else if (allow_activation && is_activation(opt)) {
      options.activation = opt;
    } else {
      throw Error(ctx.where() + ": unknown option '" + opt + "'" +
                  (allow_activation ? " (use sN, same, valid or relu, tanh, sigmoid, leaky_relu, linear)"
                                    : " (use sN or same)"));
    }
  }
  return options;
}

void push_activation(std::vector<Json>& out, const std::string& activation) {
  const std::string name = activation.empty() ? "relu" : activation;
  if (name != "linear") out.push_back(activation_config(name));
}

// The layers one token stands for; `flat` tracks whether the stack is flat yet.
void token_to_layers(const TokenContext& ctx, bool& flat, std::vector<Json>& out) {
  const std::vector<std::string> parts = split(ctx.token, ':');
  const std::string& kind = parts[0];
  auto require_image = [&]() {
    require(!flat, ctx.where() + " comes after a flat (dense or flatten) layer; put convolutions and pooling first");
  };

  if (kind == "conv") {
    require_arg_count(parts, 3, 6, "conv:FILTERS:KERNEL[:sN][:same|valid][:ACTIVATION]", ctx);
    require_image();
    Json conv{{"type", "conv2d"},
              {"filters", parse_positive_int(parts[1], "FILTERS", ctx)},
              {"kernel_size", parse_window(parts[2], "KERNEL", ctx)}};
    const WindowOptions options = parse_options(parts, 3, true, true, ctx);
    conv["strides"] = options.stride ? options.stride : 1;
    conv["padding"] = options.padding.empty() ? "same" : options.padding;
    out.push_back(conv);
    push_activation(out, options.activation);
  } else if (kind == "pool" || kind == "avgpool" || kind == "maxpool") {
    require_arg_count(parts, 2, 4, "pool:K[:sN][:same]", ctx);
    require_image();
    Json pool{{"type", kind == "avgpool" ? "avgpool2d" : "maxpool2d"}, {"pool_size", parse_window(parts[1], "K", ctx)}};
    const WindowOptions options = parse_options(parts, 2, true, false, ctx);
    if (options.stride) pool["strides"] = options.stride;
    if (!options.padding.empty()) pool["padding"] = options.padding;
    out.push_back(pool);
  } else if (kind == "dense") {
    require_arg_count(parts, 2, 3, "dense:UNITS[:ACTIVATION]", ctx);
    const int units = parse_positive_int(parts[1], "UNITS", ctx);
    const WindowOptions options = parse_options(parts, 2, false, true, ctx);
    out.push_back(Json{{"type", "dense"}, {"units", units}});
    push_activation(out, options.activation);
    flat = true;
  } else if (kind == "dropout") {
    require_arg_count(parts, 2, 2, "dropout:P", ctx);
    const float rate = parse_float(parts[1], "P", ctx);
    require(rate >= 0.0f && rate < 1.0f, ctx.where() + ": the dropout rate must be in [0, 1), got " + parts[1]);
    out.push_back(Json{{"type", "dropout"}, {"rate", rate}});
  } else if (kind == "flatten") {
    require_arg_count(parts, 1, 1, "flatten", ctx);
    out.push_back(Json{{"type", "flatten"}});
    flat = true;
  } else if (kind == "leaky_relu") {
    require_arg_count(parts, 1, 2, "leaky_relu[:ALPHA]", ctx);
    Json layer = activation_config(kind);
    if (parts.size() == 2) layer["alpha"] = parse_float(parts[1], "ALPHA", ctx);
    out.push_back(layer);
  } else if (kind == "relu" || kind == "tanh" || kind == "sigmoid") {
    require_arg_count(parts, 1, 1, kind.c_str(), ctx);
    out.push_back(activation_config(kind));
  } else {
    throw Error("unknown layer '" + kind + "' at position " + std::to_string(ctx.position) + " (known: " +
                kKnownTokens + ")");
  }
}

// ---------------------------------------------------------------- 3. JSON

std::vector<Json> parse_json_arch(const std::string& text) {
  Json doc = parse_json_text(text, "the JSON architecture");
  if (doc.is_object()) {
    require(doc.contains("layers") && doc["layers"].is_array(),
            "a JSON architecture object needs a \"layers\" array");
    doc = doc["layers"];
  }
  require(doc.is_array(), "a JSON architecture must be an array of layers or an object with \"layers\"");
  const LayerRegistry& registry = LayerRegistry::instance();
  std::vector<Json> layers;
  for (size_t i = 0; i < doc.size(); ++i) {
    Json layer = doc[i];
    const std::string where = "layer " + std::to_string(i) + " of the JSON architecture";
    require(layer.is_object() && layer.contains("type") && layer["type"].is_string(),
            where + " must be an object with a \"type\"");
    const std::string type = layer["type"].get<std::string>();
    require(registry.contains(type), "unknown layer type '" + type + "' in " + where);
    layer.erase("weights");
    layer.erase("mask");
    layers.push_back(layer);
  }
  return layers;
}

// ---------------------------------------------------------------- 4. completion

bool is_type(const Json& layer, const char* type) { return layer.value("type", std::string()) == type; }

std::vector<Json> complete_stack(const std::vector<Json>& hidden, int num_classes, int input_rank, bool keep_output) {
  std::vector<Json> layers;
  bool flat = input_rank <= 1;
  for (const Json& layer : hidden) {
    if (is_type(layer, "dense") && !flat) layers.push_back(Json{{"type", "flatten"}});
    if (is_type(layer, "dense") || is_type(layer, "flatten")) flat = true;
    layers.push_back(layer);
  }
  // "units" is checked later, with a message; here a non-number just means "not the output layer".
  const auto is_output = [&](const Json& l) {
    return is_type(l, "dense") && l.contains("units") && l["units"].is_number() && l["units"] == num_classes;
  };
  if (keep_output && !layers.empty() && is_output(layers.back())) return layers;
  if (!flat) layers.push_back(Json{{"type", "flatten"}});
  layers.push_back(Json{{"type", "dense"}, {"units", num_classes}});
  return layers;
}

std::vector<nlohmann::json> parse_unguarded(const std::string& spec, int num_classes, int input_rank) {
  require(num_classes >= 2, "a classifier needs at least 2 classes, got " + std::to_string(num_classes));
  const std::string text = trim(spec);
  require(!text.empty(), "the architecture is empty (e.g. conv:32:3,pool:2,dense:128 or dense:128)");
  if (text[0] == '[' || text[0] == '{') return complete_stack(parse_json_arch(text), num_classes, input_rank, true);

  std::vector<Json> hidden;
  bool flat = input_rank <= 1;
  const std::vector<std::string> tokens = split(text, ',');
  for (size_t i = 0; i < tokens.size(); ++i) {
    const TokenContext ctx{trim(tokens[i]), static_cast<int>(i) + 1};
    require(!ctx.token.empty(), "empty layer at position " + std::to_string(ctx.position) + " (two commas in a row?)");
    token_to_layers(ctx, flat, hidden);
  }
  return complete_stack(hidden, num_classes, input_rank, false);
}

}  // namespace

std::vector<nlohmann::json> parse_arch_spec(const std::string& spec, int num_classes, int input_rank) {
  try {
    return parse_unguarded(spec, num_classes, input_rank);
  } catch (const Json::exception& e) {
    throw_structure_error(e, "the JSON architecture");
  }
}

// ---------------------------------------------------------------- 5. describe
namespace {

// "3" for [3, 3] or 3, "3x5" for [3, 5].
std::string window_text(const Json& value) {
  if (value.is_array() && value.size() == 2) {
    if (value[0] == value[1]) return value[0].dump();
    return value[0].dump() + "x" + value[1].dump();
  }
  return value.dump();
}

std::string number_text(float value) {
  std::ostringstream out;
  out << value;  // 6 significant digits: a summary, not a file
  return out.str();
}

}  // namespace

std::string describe_arch(const Model& model) {
  const std::vector<Json> layers = model.layer_configs();
  const size_t n = layers.size();
  std::vector<std::string> tokens;
  // The activation right after a conv/dense folds into its token.
  auto fold_activation = [&](size_t& i, std::string& token) {
    if (i + 1 < n && is_activation(layers[i + 1].value("type", std::string())) &&
        !(is_type(layers[i + 1], "leaky_relu") && layers[i + 1].value("alpha", 0.3f) != 0.3f)) {
      const std::string next = layers[i + 1]["type"].get<std::string>();
      if (next != "relu") token += ":" + next;
      ++i;
    } else {
      token += ":linear";
    }
  };
  for (size_t i = 0; i < n; ++i) {
    const Json& layer = layers[i];
    const std::string type = layer.value("type", std::string("?"));
    if (type == "dense" && i + 1 == n) break;  // the automatic output layer
    if (type == "conv2d") {
      std::string token = "conv:" + layer["filters"].dump() + ":" + window_text(layer["kernel_size"]);
      const std::string strides = window_text(layer.value("strides", Json(1)));
      if (strides != "1") token += ":s" + strides;
      if (layer.value("padding", std::string("valid")) != "same") token += ":valid";
      fold_activation(i, token);
      tokens.push_back(token);
    } else if (type == "dense") {
      std::string token = "dense:" + layer["units"].dump();
      fold_activation(i, token);
      tokens.push_back(token);
    } else if (type == "maxpool2d" || type == "avgpool2d") {
      const std::string size = window_text(layer["pool_size"]);
      std::string token = std::string(type == "maxpool2d" ? "pool:" : "avgpool:") + size;
      const std::string strides = window_text(layer.value("strides", layer["pool_size"]));
      if (strides != size) token += ":s" + strides;
      if (layer.value("padding", std::string("valid")) == "same") token += ":same";
      tokens.push_back(token);
    } else if (type == "dropout") {
      tokens.push_back("dropout:" + number_text(layer.value("rate", 0.0f)));
    } else if (type == "flatten") {
      if (!(i + 1 < n && is_type(layers[i + 1], "dense"))) tokens.push_back("flatten");
    } else if (type == "leaky_relu" && layer.contains("alpha")) {
      tokens.push_back("leaky_relu:" + number_text(layer["alpha"].get<float>()));
    } else {
      tokens.push_back(type);
    }
  }
  // A model with no hidden layers (flatten + output) reads back from "flatten".
  if (tokens.empty()) return "flatten";
  std::string out;
  for (const std::string& t : tokens) out += (out.empty() ? "" : ",") + t;
  return out;
}

}  // namespace distillery
