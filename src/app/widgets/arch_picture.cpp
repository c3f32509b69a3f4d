// ArchPicture: boxes from the layer graph, then their places.
//
// Sections:
//   1. The built layers: each one's output shape and weights
//   2. Boxes: one per block (found by the engine's describe_arch_block), or per layer and its activation
//   3. Layout
#include "app/widgets/arch_picture.h"

#include <algorithm>
#include <set>

#include "app/widgets/ui.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/arch_blocks.h"
#include "engine/model/arch_spec.h"
#include "engine/model/layer_graph.h"
#include "engine/model/model.h"

namespace distillery {

std::string shape_text(const Shape& shape) {
  std::string out;
  for (int i = 0; i < shape.rank(); ++i) out += (i ? "x" : "") + std::to_string(shape[i]);
  return out;
}

std::string arch_params_text(int64_t params) { return params > 0 ? ui::thousands(params) + " params" : ""; }

int ArchPicture::skip_count(ArchSkip::Kind kind) const {
  return static_cast<int>(std::count_if(boxes.begin(), boxes.end(), [&](const ArchPictureBox& b) { return b.skip.kind == kind; }));
}

namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------- 1. built layers

struct BuiltLayer {
  Shape output;
  int64_t params = 0;
};

// Each layer built for the shapes of its inputs, as Model::measure does (no
// weights allocated); called once measure has accepted the configs.
std::vector<BuiltLayer> build_layers(const std::vector<Json>& configs, const LayerGraph& graph, const Shape& input) {
  std::vector<BuiltLayer> built(configs.size());
  for (size_t i = 0; i < configs.size(); ++i) {
    const LayerPtr layer = LayerRegistry::instance().create(configs[i]);
    std::vector<Shape> inputs;
    for (int source : graph.inputs[i]) inputs.push_back(source == LayerGraph::kModelInput ? input : built[source].output);
    built[i].output = layer->build_inputs(inputs);
    for (const ParamSpec& spec : layer->param_specs()) built[i].params += spec.shape.size();
  }
  return built;
}

// ---------------------------------------------------------------- 2. boxes

std::string type_of(const Json& layer) { return layer.value("type", std::string()); }

// "3x3" for 3 or [3, 3], "1x5" for [1, 5].
std::string window_text(const Json& value) {
  if (value.is_number_integer()) return std::to_string(value.get<int>()) + "x" + std::to_string(value.get<int>());
  if (value.is_array() && value.size() == 2) return value[0].dump() + "x" + value[1].dump();
  return value.dump();
}

std::string stride_suffix(const Json& layer) {
  const Json strides = layer.value("strides", Json(1));
  const bool one = strides == Json(1) || strides == Json::array({1, 1});
  return one ? "" : " /" + (strides.is_array() ? strides[0].dump() : strides.dump());
}

// A block's layer as a chip: "conv 3x3 /2", "dw 3x3", "bn", "relu6", "+".
std::string chip_label(const Json& layer) {
  const std::string type = type_of(layer);
  if (type == "conv2d") return "conv " + window_text(layer.value("kernel_size", Json(1))) + stride_suffix(layer);
  if (type == "depthwise_conv2d") return "dw " + window_text(layer.value("kernel_size", Json(1))) + stride_suffix(layer);
  if (type == "batch_norm") return "bn";
  if (type == "add") return "+";
  return type;
}

// The layers `from` reads through its first inputs, back to (not including) `stop` or the block's start.
std::set<int> path_back(const LayerGraph& graph, int from, int first, int stop) {
  std::set<int> path;
  for (int i = from; i >= first && i != stop; i = graph.inputs[i].empty() ? -1 : graph.inputs[i][0]) path.insert(i);
  return path;
}

ArchPictureBox block_box(const std::vector<Json>& configs, const LayerGraph& graph, int first, int end) {
  ArchPictureBox box;
  box.kind = ArchPictureBox::Kind::kBlock;
  const int block_input = graph.inputs[first].empty() ? LayerGraph::kModelInput : graph.inputs[first][0];
  int add = -1;
  for (int i = first; i < end && add < 0; ++i)
    if (type_of(configs[i]) == "add") add = i;
  std::set<int> projection;
  box.skip.label = "no skip: the block changes the shape";
  if (add >= 0) {
    box.skip.kind = ArchSkip::Kind::kIdentity;
    box.skip.label = "identity";
    for (int source : graph.inputs[add]) {
      if (source == block_input || source < first) continue;
      const std::set<int> path = path_back(graph, source, first, block_input);
      if (path.count(first)) continue;  // the main path
      projection = path;
      box.skip.kind = ArchSkip::Kind::kProjection;
    }
    if (box.skip.kind == ArchSkip::Kind::kProjection) {
      box.skip.label.clear();
      for (int i : projection) box.skip.label += (box.skip.label.empty() ? "" : ", ") + chip_label(configs[i]);
    }
  }
  for (int i = first; i < end; ++i) {
    if (projection.count(i)) continue;
    ArchChip chip;
    chip.label = chip_label(configs[i]);
    chip.add = i == add;
    box.chips.push_back(chip);
  }
  return box;
}

bool folds_into(const Json& layer, const Json& next) {
  const LayerRegistry& registry = LayerRegistry::instance();
  const LayerKind* kind = registry.find(type_of(layer));
  const LayerKind* next_kind = registry.find(type_of(next));
  return kind && next_kind && kind->takes_activation && next_kind->arch_activation;
}

std::vector<ArchPictureBox> boxes_of(const std::vector<Json>& configs, const LayerGraph& graph,
                                     const std::vector<BuiltLayer>& built, const Shape& input) {
  std::vector<ArchPictureBox> boxes;
  ArchPictureBox in;
  in.kind = ArchPictureBox::Kind::kInput;
  in.title = "input";
  in.shape = shape_text(input);
  boxes.push_back(in);
  const int n = static_cast<int>(configs.size());
  for (int i = 0; i < n;) {
    std::string token;
    size_t block_end = 0;
    int end = i + 1;
    ArchPictureBox box;
    if (describe_arch_block(configs, i, token, block_end)) {
      end = static_cast<int>(block_end);
      box = block_box(configs, graph, i, end);
      box.title = token;
    } else if (i + 1 == n && type_of(configs[i]) == "dense") {
      box.title = "output dense:" + std::to_string(configs[i].value("units", 0));
    } else {
      // One reader of the layer and the next is an activation: one box, as one token.
      const bool folds = i + 1 < n && folds_into(configs[i], configs[i + 1]) && graph.inputs[i + 1] == std::vector<int>{i};
      end = folds ? i + 2 : i + 1;
      box.title = arch_token_for(std::vector<Json>(configs.begin() + i, configs.begin() + end));
    }
    box.shape = shape_text(built[end - 1].output);
    for (int k = i; k < end; ++k) box.params += built[k].params;
    boxes.push_back(std::move(box));
    i = end;
  }
  return boxes;
}

// ---------------------------------------------------------------- 3. layout

// A box's header: title on the left, shape and weights on the right.
float header_width(const ArchPictureBox& box, const ArchPictureMetrics& m) {
  return m.pad + m.text_width(box.title) + 2 * m.gap + m.text_width(box.shape) + m.gap +
         m.text_width(arch_params_text(box.params)) + m.pad;
}

// Places a block's chips in a row below its header and the arc over them; returns the row's right edge.
float place_chips(ArchPictureBox& box, const ArchPictureMetrics& m) {
  const float band_top = box.rect.y + m.line + 2 * m.pad;
  const float chips_top = band_top + m.line + m.pad;
  float x = box.rect.x + m.pad + m.gap;  // room for the skip to leave the block's input
  for (ArchChip& chip : box.chips) {
    const float w = chip.add ? m.line : m.text_width(chip.label) + 2 * m.pad;
    chip.rect = ArchRect{x, chips_top, w, m.line + 2 * m.pad};
    if (chip.add) chip.rect = ArchRect{x, chips_top + m.pad, m.line, m.line};
    x += w + m.gap;
  }
  box.skip.x0 = box.rect.x + m.pad + m.gap / 2;
  box.skip.y_top = band_top + m.line / 2;
  if (box.skip.kind != ArchSkip::Kind::kNone) {
    const auto add = std::find_if(box.chips.begin(), box.chips.end(), [](const ArchChip& c) { return c.add; });
    box.skip.x1 = add->rect.x + add->rect.w / 2;
    box.skip.y_base = add->rect.y;
  }
  const float note = box.skip.kind == ArchSkip::Kind::kNone ? box.skip.x0 + m.gap + m.text_width(box.skip.label) : 0;
  return std::max(x - m.gap, note) + 2 * m.pad;
}

}  // namespace

ArchPicture arch_picture(const std::string& spec, const Shape& input, int num_classes, const ArchPictureMetrics& m) {
  ArchPicture picture;
  std::vector<BuiltLayer> built;
  std::vector<Json> configs;
  LayerGraph graph;
  try {
    configs = parse_arch_spec(spec, num_classes, input.rank());
    Model::measure(configs, input);  // the size limits, before any layer is built here
    graph = read_layer_graph(configs);
    built = build_layers(configs, graph, input);
  } catch (const std::exception& e) {
    picture.error = e.what();
    return picture;
  }
  picture.boxes = boxes_of(configs, graph, built, input);
  float width = m.min_width, y = 0;
  for (ArchPictureBox& box : picture.boxes) {
    const bool block = box.kind == ArchPictureBox::Kind::kBlock;
    const float height = block ? 3 * m.line + 6 * m.pad : m.line + 2 * m.pad;
    box.rect = ArchRect{0, y, 0, height};
    width = std::max(width, header_width(box, m));
    if (block) width = std::max(width, place_chips(box, m));
    y += height + m.gap;
  }
  for (ArchPictureBox& box : picture.boxes) box.rect.w = width;
  picture.width = width;
  picture.height = y - m.gap;
  picture.ok = true;
  return picture;
}

}  // namespace distillery
