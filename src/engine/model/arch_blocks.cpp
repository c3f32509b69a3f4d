#include "engine/model/arch_blocks.h"

#include <algorithm>
#include <cstdlib>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/arch_token.h"
#include "engine/model/layer_graph.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// The channels a list of layers ends with, when its configs say: the width of
// the last layer that sets one (a conv's filters), looking through layers that
// keep channels. 0 when not known (the model input's, or a concatenation's).
int channels_at_end(const std::vector<Json>& layers, size_t end) {
  for (size_t i = end; i-- > 0;) {
    const Json& layer = layers[i];
    const LayerKind* kind = LayerRegistry::instance().find(layer_config_type(layer));
    if (kind == nullptr) return 0;
    if (kind->channels == ChannelFlow::weighted) {
      const Json& width = layer.value(kind->width_key, Json());
      return width.is_number_integer() ? width.get<int>() : 0;
    }
    // A block's add: its inputs have the block's output shape, and the layer listed before it is one.
    const bool keeps = kind->channels == ChannelFlow::preserved || kind->channels == ChannelFlow::per_channel ||
                       kind->channels == ChannelFlow::depthwise || kind->channels == ChannelFlow::joined;
    if (!keeps) return 0;
  }
  return 0;
}

// The name of the layer a block starts from, naming it if it has none.
std::string block_input(std::vector<Json>& layers) {
  if (layers.empty()) return LayerGraph::kModelInputName;
  Json& last = layers.back();
  if (!last.contains("name"))
    last["name"] = default_layer_name(layer_config_type(last), static_cast<int>(layers.size()) - 1);
  return last["name"].get<std::string>();
}

// "res3_conv1" -> 3 with prefix "res"; 0 when the name is not a block layer's.
int block_number(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return 0;
  char* end = nullptr;
  const long number = std::strtol(name.c_str() + prefix.size(), &end, 10);
  return end != name.c_str() + prefix.size() && *end == '_' ? static_cast<int>(number) : 0;
}

int next_block_number(const std::vector<Json>& layers) {
  int highest = 0;
  for (const Json& layer : layers) {
    const std::string name = layer.value("name", std::string());
    highest = std::max({highest, block_number(name, "res"), block_number(name, "mb")});
  }
  return highest + 1;
}

struct BlockWriter {
  std::vector<Json>& layers;
  std::string prefix;  // "res2_"

  // Adds a layer named prefix + part reading `inputs` (the layer before it when empty).
  std::string add(const std::string& part, Json config, std::vector<std::string> inputs = {}) {
    const std::string name = prefix + part;
    if (inputs.empty()) inputs.push_back(layers.back()["name"].get<std::string>());
    config["name"] = name;
    config["inputs"] = inputs;
    layers.push_back(std::move(config));
    return name;
  }
  std::string conv(const std::string& part, int filters, int kernel, int stride, std::vector<std::string> inputs = {}) {
    return add(part, {{"type", "conv2d"}, {"filters", filters}, {"kernel_size", kernel}, {"strides", stride},
                      {"padding", "same"}, {"use_bias", false}, {"kernel_initializer", "he_uniform"}},
               std::move(inputs));
  }
  // Momentum 0.9 (PyTorch's 0.1): Keras' 0.99 leaves the moving statistics near
  // their start for the few hundred steps of a short run, and the model then
  // infers with statistics it never trained with.
  std::string bn(const std::string& part) { return add(part, {{"type", "batch_norm"}, {"momentum", 0.9}}); }
  std::string relu(const std::string& part) { return add(part, {{"type", "relu"}}); }
  std::string relu6(const std::string& part) { return add(part, {{"type", "relu6"}}); }
};

void add_residual(ArchToken& token) {
  token.require_parts(2, 3, "res:FILTERS[:STRIDE]");
  token.require_image();
  const int filters = token.positive_int(1, "FILTERS", 4096);
  const int stride = token.size() > 2 ? token.positive_int(2, "STRIDE", 8) : 1;
  std::vector<Json>& layers = token.layers();
  const int in_channels = channels_at_end(layers, layers.size());
  const std::string input = block_input(layers);
  BlockWriter block{layers, "res" + std::to_string(next_block_number(layers)) + "_"};
  block.conv("conv1", filters, 3, stride, {input});
  block.bn("bn1");
  block.relu("relu1");
  block.conv("conv2", filters, 3, 1);
  const std::string main = block.bn("bn2");
  std::string skip = input;
  if (stride != 1 || in_channels != filters) {
    block.conv("proj", filters, 1, stride, {input});
    skip = block.bn("proj_bn");
  }
  block.add("add", {{"type", "add"}}, {main, skip});
  block.relu("out");
}

void add_inverted_residual(ArchToken& token) {
  token.require_parts(3, 4, "mbconv:FILTERS:EXPANSION[:STRIDE]");
  token.require_image();
  const int filters = token.positive_int(1, "FILTERS", 4096);
  const int expansion = token.positive_int(2, "EXPANSION", 64);
  const int stride = token.size() > 3 ? token.positive_int(3, "STRIDE", 8) : 1;
  std::vector<Json>& layers = token.layers();
  const int in_channels = channels_at_end(layers, layers.size());
  require(in_channels > 0, token.where() + ": mbconv expands the channels before it, which are not known here: "
                                           "put a conv before the first mbconv (e.g. conv:16:3,mbconv:16:4)");
  const std::string input = block_input(layers);
  BlockWriter block{layers, "mb" + std::to_string(next_block_number(layers)) + "_"};
  if (expansion != 1) {
    block.conv("expand", in_channels * expansion, 1, 1, {input});
    block.bn("expand_bn");
    block.relu6("expand_relu");
  }
  block.add("dw", {{"type", "depthwise_conv2d"}, {"kernel_size", 3}, {"strides", stride}, {"padding", "same"},
                   {"use_bias", false}},
            expansion != 1 ? std::vector<std::string>{} : std::vector<std::string>{input});
  block.bn("dw_bn");
  block.relu6("dw_relu");
  block.conv("project", filters, 1, 1);
  const std::string main = block.bn("project_bn");
  if (stride == 1 && in_channels == filters) block.add("add", {{"type", "add"}}, {main, input});
}

int stride_of(const Json& layer) {
  const Json strides = layer.value("strides", Json(1));
  if (strides.is_array() && !strides.empty() && strides[0].is_number_integer()) return strides[0].get<int>();
  return strides.is_number_integer() ? strides.get<int>() : 1;
}

// The layers after `first` whose names start with `prefix`, and the one named prefix + part.
size_t block_end(const std::vector<Json>& layers, size_t first, const std::string& prefix) {
  size_t end = first;
  while (end < layers.size() && layers[end].value("name", std::string()).compare(0, prefix.size(), prefix) == 0) ++end;
  return end;
}

const Json* block_layer(const std::vector<Json>& layers, size_t first, size_t end, const std::string& name) {
  for (size_t i = first; i < end; ++i)
    if (layers[i].value("name", std::string()) == name) return &layers[i];
  return nullptr;
}

}  // namespace

bool add_arch_block(ArchToken& token) {
  if (token.name() == "res") {
    add_residual(token);
    return true;
  }
  if (token.name() == "mbconv") {
    add_inverted_residual(token);
    return true;
  }
  return false;
}

std::vector<std::string> arch_block_tokens() { return {"res", "mbconv"}; }

bool describe_arch_block(const std::vector<Json>& layers, size_t first, std::string& token, size_t& end) {
  const std::string name = layers[first].value("name", std::string());
  if (const int number = block_number(name, "res"); number > 0 && name == "res" + std::to_string(number) + "_conv1") {
    const std::string prefix = "res" + std::to_string(number) + "_";
    end = block_end(layers, first, prefix);
    const int stride = stride_of(layers[first]);
    token = "res:" + std::to_string(layers[first].value("filters", 0)) + (stride != 1 ? ":" + std::to_string(stride) : "");
    return true;
  }
  const int number = block_number(name, "mb");
  if (number == 0) return false;
  const std::string prefix = "mb" + std::to_string(number) + "_";
  end = block_end(layers, first, prefix);
  const Json* expand = block_layer(layers, first, end, prefix + "expand");
  const Json* dw = block_layer(layers, first, end, prefix + "dw");
  const Json* project = block_layer(layers, first, end, prefix + "project");
  if (dw == nullptr || project == nullptr || (expand == nullptr && name != prefix + "dw")) return false;
  int expansion = 1;
  if (expand != nullptr) {
    const int in_channels = channels_at_end(layers, first);
    const int width = expand->value("filters", 0);
    if (in_channels <= 0 || width % in_channels != 0) return false;
    expansion = width / in_channels;
  }
  const int stride = stride_of(*dw);
  token = "mbconv:" + std::to_string(project->value("filters", 0)) + ":" + std::to_string(expansion) +
          (stride != 1 ? ":" + std::to_string(stride) : "");
  return true;
}

}  // namespace distillery

namespace distillery {

bool read_arch_block_form(const std::string& text, ArchBlockForm& form) {
  // The block is added after a 1-channel conv, so an mbconv's expand layer has
  // EXPANSION filters and every number is read back from the layers it made.
  std::vector<Json> layers{Json{{"type", "conv2d"}, {"filters", 1}, {"kernel_size", 1}, {"name", "editor_input"}}};
  ArchToken token(text, 1, false, layers);
  if (!add_arch_block(token)) return false;
  form = ArchBlockForm{};
  form.block = token.name();
  const size_t end = layers.size();
  if (form.block == "res") {
    const Json& conv1 = layers[1];
    form.filters = conv1.value("filters", 0);
    form.stride = stride_of(conv1);
    return true;
  }
  const Json* expand = block_layer(layers, 1, end, "mb1_expand");
  const Json* dw = block_layer(layers, 1, end, "mb1_dw");
  const Json* project = block_layer(layers, 1, end, "mb1_project");
  require(dw != nullptr && project != nullptr, "mbconv: the block's layers are not where the editor expects them");
  form.filters = project->value("filters", 0);
  form.expansion = expand != nullptr ? expand->value("filters", 1) : 1;
  form.stride = stride_of(*dw);
  return true;
}

std::string arch_block_form_token(const ArchBlockForm& form) {
  std::string token = form.block + ":" + std::to_string(form.filters);
  if (form.block == "mbconv") token += ":" + std::to_string(form.expansion);
  return form.stride != 1 ? token + ":" + std::to_string(form.stride) : token;
}

}  // namespace distillery
