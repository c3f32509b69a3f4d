// Architecture specs (see arch_spec.h for the grammar).
//
// Sections:
//   1. One token -> layer configs, by the layer kind that owns the token
//   2. JSON architectures
//   3. Completing a stack (flatten, final dense) and parse_arch_spec
//   4. describe_arch
#include "engine/core/text.h"
#include "engine/io/json_text.h"
#include "engine/model/arch_spec.h"

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/arch_blocks.h"
#include "engine/model/arch_token.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------- 1. tokens

std::string known_tokens() {
  std::string names;
  for (const LayerKind* kind : LayerRegistry::instance().kinds())
    if (!kind->arch_tokens.empty()) names += (names.empty() ? "" : ", ") + kind->arch_tokens.front();
  for (const std::string& block : arch_block_tokens()) names += ", " + block;
  return names;
}

// The layers one token stands for, read by the kind that owns its name; returns whether the stack is flat after it.
bool token_to_layers(const std::string& text, int position, bool flat, std::vector<Json>& out) {
  ArchToken token(text, position, flat, out);
  if (add_arch_block(token)) return flat;
  const LayerKind* kind = LayerRegistry::instance().find_arch_token(token.name());
  if (kind == nullptr)
    throw Error("unknown layer '" + token.name() + "' at position " + std::to_string(position) + " (known: " +
                known_tokens() + ")");
  kind->from_arch(token);
  return flat || kind->output_flat;
}

// ---------------------------------------------------------------- 2. JSON

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

// ---------------------------------------------------------------- 3. completion

bool is_type(const Json& layer, const char* type) { return layer.value("type", std::string()) == type; }

bool makes_flat(const Json& layer) {
  const LayerKind* kind = LayerRegistry::instance().find(layer.value("type", std::string()));
  return kind != nullptr && kind->output_flat;
}

std::vector<Json> complete_stack(const std::vector<Json>& hidden, int num_classes, int input_rank, bool keep_output) {
  std::vector<Json> layers;
  bool flat = input_rank <= 1;
  for (const Json& layer : hidden) {
    if (is_type(layer, "dense") && !flat) layers.push_back(Json{{"type", "flatten"}});
    if (makes_flat(layer)) flat = true;
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
    const std::string token = trim(tokens[i]);
    const int position = static_cast<int>(i) + 1;
    require(!token.empty(), "empty layer at position " + std::to_string(position) + " (two commas in a row?)");
    flat = token_to_layers(token, position, flat, hidden);
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

// ---------------------------------------------------------------- 4. describe
namespace {

// A layer's token: its kind's to_arch, or the type name for layers the grammar cannot express.
std::string token_of(const Json& layer) {
  const std::string type = layer.value("type", std::string("?"));
  const LayerKind* kind = LayerRegistry::instance().find(type);
  return kind != nullptr && kind->to_arch ? kind->to_arch(layer) : type;
}

// An activation that a conv/dense token can carry as its option (a bare token: no arguments).
bool foldable_activation(const Json& layer) {
  const LayerKind* kind = LayerRegistry::instance().find(layer.value("type", std::string()));
  return kind != nullptr && kind->arch_activation && token_of(layer) == kind->type;
}

// The tokens for a layer list; with `skip_automatic`, without the flatten and
// final dense that parse_arch_spec adds by itself.
std::string describe_layers(const std::vector<Json>& layers, bool skip_automatic) {
  const LayerRegistry& registry = LayerRegistry::instance();
  const size_t n = layers.size();
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const Json& layer = layers[i];
    if (skip_automatic && i + 1 == n && is_type(layer, "dense")) break;  // the output layer
    if (skip_automatic && is_type(layer, "flatten") && i + 1 < n && is_type(layers[i + 1], "dense")) continue;
    std::string token;
    size_t block_end = 0;
    if (describe_arch_block(layers, i, token, block_end)) {
      out += (out.empty() ? "" : ",") + token;
      i = block_end - 1;
      continue;
    }
    token = token_of(layer);
    const LayerKind* kind = registry.find(layer.value("type", std::string()));
    if (kind != nullptr && kind->takes_activation) {
      if (i + 1 < n && foldable_activation(layers[i + 1])) {
        const std::string next = layers[++i]["type"].get<std::string>();
        if (next != "relu") token += ":" + next;
      } else {
        token += ":linear";
      }
    }
    out += (out.empty() ? "" : ",") + token;
  }
  return out;
}

}  // namespace

std::string describe_arch(const Model& model) {
  const std::string spec = describe_layers(model.layer_configs(), true);
  // A model with no hidden layers (flatten + output) reads back from "flatten".
  return spec.empty() ? "flatten" : spec;
}

std::vector<std::string> arch_spec_tokens(const std::string& spec) {
  const std::string text = trim(spec);
  if (!text.empty() && (text[0] == '[' || text[0] == '{')) return {text};
  std::vector<std::string> tokens;
  for (const std::string& part : split(text, ','))
    if (!trim(part).empty()) tokens.push_back(trim(part));
  return tokens;
}

std::vector<nlohmann::json> parse_arch_token(const std::string& token, bool after_flat) {
  std::vector<Json> layers;
  token_to_layers(trim(token), 1, after_flat, layers);
  return layers;
}

std::string arch_token_for(const std::vector<nlohmann::json>& layers) { return describe_layers(layers, false); }

}  // namespace distillery
