// ArchEditor: spec <-> rows, width scaling, measuring, and drawing.
#include "app/widgets/arch_editor.h"

#include <algorithm>
#include <cmath>

#include "app/widgets/item_locator.h"
#include "app/widgets/ui.h"
#include "engine/core/error.h"
#include "engine/data/dataset.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/arch_blocks.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model.h"
#include "imgui_stdlib.h"

namespace distillery {

// --- spec <-> rows ---------------------------------------------------------------------
// The engine reads and writes every token (parse_arch_token / arch_token_for); a
// row is the editable form of the layers a token stands for, when it has one.

namespace {

using Json = nlohmann::json;

const Json* type_at(const std::vector<Json>& layers, size_t i, const char* type) {
  return i < layers.size() && layers[i].value("type", std::string()) == type ? &layers[i] : nullptr;
}

bool is_relu_after(const std::vector<Json>& layers, size_t i) {
  return layers.size() == i + 2 && type_at(layers, i + 1, "relu") != nullptr;
}

// A square window given as one number; 0 for anything else.
int square(const Json& window) { return window.is_number_integer() ? window.get<int>() : 0; }

// A window or stride given as one number (or [n, n]); 0 for anything else.
int square_or_pair(const Json& value) {
  if (value.is_array() && value.size() == 2 && value[0] == value[1]) return square(value[0]);
  return square(value);
}

// The row for a block token (res, mbconv), read by the engine; false for other tokens.
bool block_row(const std::string& token, ArchRow& row) {
  ArchBlockForm form;
  if (!read_arch_block_form(token, form)) return false;
  row.kind = form.block == "res" ? ArchRow::Kind::kResidual : ArchRow::Kind::kInvertedResidual;
  row.width = form.filters;
  row.expansion = form.expansion;
  row.stride = form.stride;
  return true;
}

// The row for a one-layer-and-activation token's layers; kind stays kRaw when the rows cannot show them.
void layer_row(const std::vector<Json>& layers, ArchRow& row) {
  if (const Json* dense = type_at(layers, 0, "dense"); dense && is_relu_after(layers, 0)) {
    row.kind = ArchRow::Kind::kDense;
    row.width = (*dense)["units"];
  } else if (const Json* conv = type_at(layers, 0, "conv2d"); conv && is_relu_after(layers, 0) &&
                                                               square((*conv)["kernel_size"]) > 0 &&
                                                               (*conv)["strides"] == 1 && (*conv)["padding"] == "same") {
    row.kind = ArchRow::Kind::kConv;
    row.width = (*conv)["filters"];
    row.kernel = square((*conv)["kernel_size"]);
  } else if (layers.size() == 1 && (type_at(layers, 0, "maxpool2d") || type_at(layers, 0, "avgpool2d")) &&
             square(layers[0]["pool_size"]) > 0 && layers[0].size() == 2) {
    row.kind = type_at(layers, 0, "maxpool2d") ? ArchRow::Kind::kMaxPool : ArchRow::Kind::kAvgPool;
    row.width = square(layers[0]["pool_size"]);
  } else if (const Json* dropout = type_at(layers, 0, "dropout"); dropout && layers.size() == 1) {
    row.kind = ArchRow::Kind::kDropout;
    row.rate = (*dropout)["rate"];
  } else if (const Json* dw = type_at(layers, 0, "depthwise_conv2d"); dw && layers.size() == 1 &&
                                                                       square_or_pair((*dw)["kernel_size"]) > 0 &&
                                                                       square_or_pair((*dw)["strides"]) > 0 &&
                                                                       (*dw)["padding"] == "same") {
    row.kind = ArchRow::Kind::kDepthwise;
    row.kernel = square_or_pair((*dw)["kernel_size"]);
    row.stride = square_or_pair((*dw)["strides"]);
  } else if (layers.size() == 1 && type_at(layers, 0, "batch_norm")) {
    row.kind = ArchRow::Kind::kBatchNorm;
  } else if (layers.size() == 1 && type_at(layers, 0, "global_avg_pool2d")) {
    row.kind = ArchRow::Kind::kGlobalPool;
  }
}

std::vector<Json> layers_of(const ArchRow& r) {
  const Json relu{{"type", "relu"}};
  switch (r.kind) {
    case ArchRow::Kind::kDense: return {Json{{"type", "dense"}, {"units", r.width}}, relu};
    case ArchRow::Kind::kConv:
      return {Json{{"type", "conv2d"}, {"filters", r.width}, {"kernel_size", r.kernel}, {"padding", "same"}}, relu};
    case ArchRow::Kind::kMaxPool: return {Json{{"type", "maxpool2d"}, {"pool_size", r.width}}};
    case ArchRow::Kind::kAvgPool: return {Json{{"type", "avgpool2d"}, {"pool_size", r.width}}};
    case ArchRow::Kind::kDropout: return {Json{{"type", "dropout"}, {"rate", r.rate}}};
    case ArchRow::Kind::kDepthwise:
      return {Json{{"type", "depthwise_conv2d"}, {"kernel_size", r.kernel}, {"strides", r.stride}, {"padding", "same"}}};
    case ArchRow::Kind::kBatchNorm: return {Json{{"type", "batch_norm"}}};
    case ArchRow::Kind::kGlobalPool: return {Json{{"type", "global_avg_pool2d"}}};
    case ArchRow::Kind::kResidual:
    case ArchRow::Kind::kInvertedResidual:
    case ArchRow::Kind::kRaw: break;
  }
  return {};
}

// The token a row stands for, written by the engine.
std::string token_of(const ArchRow& r) {
  switch (r.kind) {
    case ArchRow::Kind::kRaw: return r.raw;
    case ArchRow::Kind::kResidual: return arch_block_form_token({"res", r.width, 1, r.stride});
    case ArchRow::Kind::kInvertedResidual: return arch_block_form_token({"mbconv", r.width, r.expansion, r.stride});
    default: return arch_token_for(layers_of(r));
  }
}

// The row for a token, or a raw row when the rows cannot show it or would not
// write it back as typed ("conv:8:3:s1" stays text rather than becoming "conv:8:3").
ArchRow row_for(const std::string& token) {
  ArchRow row;
  row.kind = ArchRow::Kind::kRaw;
  row.raw = token;
  try {
    if (!block_row(token, row)) layer_row(parse_arch_token(token), row);
  } catch (const Error&) {
    return row;  // the measure line says what is wrong
  }
  if (row.kind != ArchRow::Kind::kRaw && token_of(row) != token) {
    row.kind = ArchRow::Kind::kRaw;
    row.raw = token;
  }
  return row;
}

}  // namespace

std::vector<ArchRow> parse_arch_rows(const std::string& spec) {
  std::vector<ArchRow> rows;
  for (const std::string& token : arch_spec_tokens(spec)) rows.push_back(row_for(token));
  return rows;
}

std::string arch_rows_to_spec(const std::vector<ArchRow>& rows) {
  std::string out;
  for (const ArchRow& r : rows) out += (out.empty() ? "" : ",") + token_of(r);
  return out;
}

std::string scale_arch_widths(const std::string& spec, float multiplier) {
  const LayerRegistry& registry = LayerRegistry::instance();
  std::string out;
  for (const std::string& token : arch_spec_tokens(spec)) {
    std::string scaled = token;
    try {
      std::vector<Json> layers = parse_arch_token(token);
      const LayerKind* kind = registry.find(layers.front().value("type", std::string()));
      if (kind != nullptr && !kind->width_key.empty()) {
        Json& width = layers.front()[kind->width_key];
        width = std::max(1, static_cast<int>(std::lround(width.get<int>() * multiplier)));
        scaled = arch_token_for(layers);
      }
    } catch (const Error&) {
      // kept as typed: the measure line says what is wrong
    }
    out += (out.empty() ? "" : ",") + scaled;
  }
  return out;
}

// --- measuring ---------------------------------------------------------------------------

ArchMeasure measure_arch(const std::string& spec, const Shape& input, int num_classes) {
  ArchMeasure m;
  try {
    const Model::Size size = Model::measure(parse_arch_spec(spec, num_classes, input.rank()), input);
    m.params = size.parameters;
    m.flops = size.flops_per_sample;
    m.layers = size.layers;
    m.ok = true;
  } catch (const std::exception& e) {
    m.error = e.what();
  }
  return m;
}

std::string compression_summary(int64_t student_params, int64_t teacher_params) {
  const double student = double(std::max<int64_t>(1, student_params)), teacher = double(teacher_params);
  const bool smaller = student <= teacher;
  return ui::format("%.1fx %s parameters than the teacher (%s)", smaller ? teacher / student : student / teacher,
                    smaller ? "fewer" : "more", ui::thousands(static_cast<long long>(teacher_params)).c_str());
}

void ArchEditor::set_spec(std::string spec) {
  spec_ = std::move(spec);
  text_ = spec_;
  rows_ = parse_arch_rows(spec_);
}

ArchTarget arch_target(const Dataset* dataset, const Model* teacher) {
  if (dataset) return {dataset->sample_shape(), dataset->num_classes()};
  if (teacher) return {teacher->input_shape(), int(teacher->output_shape().dims.back())};
  return {};
}

const ArchMeasure& ArchEditor::measure(const Shape& input, int num_classes) {
  if (measured_spec_ != spec_ || measured_input_ != input || measured_classes_ != num_classes) {
    measure_ = measure_arch(spec_, input, num_classes);
    measured_spec_ = spec_;
    measured_input_ = input;
    measured_classes_ = num_classes;
  }
  return measure_;
}

// --- drawing -----------------------------------------------------------------------------

namespace {

// A slider after the row's first number, `width` fonts wide; true when it changed.
bool next_slider(const char* label, int& value, int max, float width, const char* tip) {
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * width);
  const bool changed = ImGui::SliderInt(label, &value, 1, max);
  ui::tip(tip);
  return changed;
}

bool draw_stride(ArchRow& r) {
  return next_slider("stride", r.stride, 4, 4,
                     "Stride 2 halves the image's width and height; a block whose shape changes cannot add its input "
                     "as it is.");
}

// The editable numbers of one row; true when one changed.
bool draw_row_settings(ArchRow& r) {
  bool rows_changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  switch (r.kind) {
    case ArchRow::Kind::kDense:
      rows_changed |= ImGui::DragInt("units", &r.width, 0.5f, 1, 4096);
      ui::tip("How many neurons this fully connected layer has: more units, more capacity, more parameters.");
      break;
    case ArchRow::Kind::kConv:
      rows_changed |= ImGui::DragInt("filters", &r.width, 0.25f, 1, 1024);
      ui::tip("How many feature detectors this convolution learns (its output channels).");
      rows_changed |= next_slider("kernel", r.kernel, 7, 5, "The size of the square window each filter looks at, in pixels.");
      break;
    case ArchRow::Kind::kMaxPool:
    case ArchRow::Kind::kAvgPool:
      rows_changed |= ImGui::SliderInt("size", &r.width, 2, 4);
      ui::tip("Shrinks the image by this factor, keeping the largest (max) or the mean (avg) value of each window.");
      break;
    case ArchRow::Kind::kDropout:
      rows_changed |= ImGui::SliderFloat("rate", &r.rate, 0.0f, 0.9f, "%.2f");
      ui::tip("During training, this fraction of activations is zeroed at random so the network cannot rely on any one unit.");
      break;
    case ArchRow::Kind::kResidual:
      rows_changed |= ImGui::DragInt("filters", &r.width, 0.25f, 1, 4096);
      ui::tip("The block's output channels: two 3x3 convolutions with this many filters, each followed by batch norm.");
      rows_changed |= draw_stride(r);
      break;
    case ArchRow::Kind::kInvertedResidual:
      rows_changed |= ImGui::DragInt("filters", &r.width, 0.25f, 1, 4096);
      ui::tip("The block's output channels (its 1x1 projection's filters).");
      rows_changed |= next_slider("expand", r.expansion, 8, 5,
                                  "The block first widens its input to this many times its channels (1x1 conv), "
                                  "filters each channel with a 3x3 depthwise conv, then narrows to the filters: "
                                  "MobileNetV2's inverted residual.");
      rows_changed |= draw_stride(r);
      break;
    case ArchRow::Kind::kDepthwise:
      rows_changed |= ImGui::SliderInt("kernel", &r.kernel, 1, 7);
      ui::tip("The square window of each channel's own filter: a depthwise conv never mixes channels.");
      rows_changed |= draw_stride(r);
      break;
    case ArchRow::Kind::kBatchNorm:
      ImGui::TextDisabled("normalizes each channel over the batch");
      break;
    case ArchRow::Kind::kGlobalPool:
      ImGui::TextDisabled("each channel's mean: the image becomes a vector");
      break;
    case ArchRow::Kind::kRaw:
      ImGui::TextUnformatted(r.raw.c_str());
      break;
  }
  return rows_changed;
}

}  // namespace

bool ArchEditor::draw_presets(const std::vector<ArchPreset>& presets) {
  bool changed = false;
  if (presets.empty()) return false;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Presets");
  for (const ArchPreset& p : presets) {
    ImGui::SameLine();
    if (ImGui::SmallButton(p.name)) {
      set_spec(p.spec);
      changed = true;
    }
    ui::tip(p.tip);
  }
  return changed;
}

bool ArchEditor::draw_text() {
  bool changed = false;
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 5);
  if (ImGui::InputText("##spec", &text_, ImGuiInputTextFlags_EnterReturnsTrue)) {
    spec_ = text_;
    rows_ = parse_arch_rows(spec_);
    changed = true;
  }
  ui::remember_item(id_ + " spec");  // browser tests type into it
  if (ImGui::IsItemDeactivatedAfterEdit() && text_ != spec_) {
    spec_ = text_;
    rows_ = parse_arch_rows(spec_);
    changed = true;
  }
  ui::tip("The layers as text, comma separated: conv:FILTERS:KERNEL, pool:K, avgpool:K, dense:UNITS, dropout:P, bn, "
          "gap, dwconv:KERNEL[:STRIDE], and the blocks res:FILTERS[:STRIDE] and mbconv:FILTERS:EXPANSION[:STRIDE] "
          "(e.g. conv:16:3,bn,res:16,res:32:2,res:64:2,gap is a ResNet-8). Flatten and the final layer (one output "
          "per class) are added for you.");
  ImGui::SameLine();
  ImGui::TextDisabled("spec");
  return changed;
}

// Rows: one per layer, with its numbers editable in place; true when the rows changed.
bool ArchEditor::draw_rows() {
  const float font = ImGui::GetFontSize();
  bool rows_changed = false;
  int remove = -1, move_up = -1;
  if (ImGui::BeginTable("rows", 4, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, font * 1.5f);
    ImGui::TableSetupColumn("layer", ImGuiTableColumnFlags_WidthFixed, font * 6.5f);
    ImGui::TableSetupColumn("settings", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, font * 4.2f);
    for (size_t i = 0; i < rows_.size(); ++i) {
      ArchRow& r = rows_[i];
      ImGui::PushID(static_cast<int>(i));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%d", static_cast<int>(i + 1));
      ImGui::TableNextColumn();
      const char* names[] = {"dense",   "conv",       "max pool",    "avg pool",        "dropout", "res block",
                             "mbconv",  "depthwise",  "batch norm",  "global avg pool", "custom"};
      static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(ArchRow::Kind::kRaw) + 1);
      ImGui::TextUnformatted(names[static_cast<int>(r.kind)]);
      ImGui::TableNextColumn();
      rows_changed |= draw_row_settings(r);
      ImGui::TableNextColumn();
      if (ImGui::SmallButton("x")) remove = static_cast<int>(i);
      ui::tip("Remove this layer.");
      if (i > 0) {
        ImGui::SameLine();
        if (ImGui::SmallButton("^")) move_up = static_cast<int>(i);
        ui::tip("Move this layer up.");
      }
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
  if (remove >= 0) {
    rows_.erase(rows_.begin() + remove);
    rows_changed = true;
  }
  if (move_up > 0) {
    std::swap(rows_[move_up], rows_[move_up - 1]);
    rows_changed = true;
  }
  return rows_changed;
}

namespace {

ArchRow new_row(ArchRow::Kind kind, int width = 32) {
  ArchRow row;
  row.kind = kind;
  row.width = width;
  return row;
}

}  // namespace

bool ArchEditor::draw_add_buttons() {
  bool added = false;
  auto add = [&](const char* label, ArchRow row, const char* tip) {
    if (ImGui::SmallButton(label)) {
      rows_.push_back(row);
      added = true;
    }
    ui::tip(tip);
    ImGui::SameLine();
  };
  using K = ArchRow::Kind;
  add("+ conv", new_row(K::kConv, 8), "Add a 3x3 convolution with ReLU (same padding).");
  add("+ pool", new_row(K::kMaxPool, 2), "Add 2x2 max pooling: halves the image's width and height.");
  add("+ dense", new_row(K::kDense, 32), "Add a fully connected layer with ReLU.");
  add("+ dropout", new_row(K::kDropout), "Add dropout (only active while training).");
  ImGui::NewLine();
  add("+ res", new_row(K::kResidual, 16),
      "Add a residual block (ResNet): conv-bn-relu-conv-bn plus the block's input, then relu.");
  add("+ mbconv", new_row(K::kInvertedResidual, 16),
      "Add an inverted residual block (MobileNetV2): expand, depthwise 3x3, project; plus its input when the "
      "shape is unchanged. Needs a conv before it.");
  add("+ dwconv", new_row(K::kDepthwise), "Add a 3x3 depthwise convolution (one filter per channel, no activation).");
  add("+ bn", new_row(K::kBatchNorm), "Add batch normalization (trains; uses its moving statistics to predict).");
  add("+ gap", new_row(K::kGlobalPool), "Add global average pooling: each channel's mean, instead of flatten.");
  ImGui::NewLine();
  return added;
}

namespace {

constexpr ImU32 kBoxFill = IM_COL32(30, 34, 42, 255);
constexpr ImU32 kChipFill = IM_COL32(46, 52, 64, 255);
constexpr ImU32 kText = IM_COL32(235, 238, 244, 255);

ImVec2 at(ImVec2 origin, float x, float y) { return ImVec2(origin.x + x, origin.y + y); }

void draw_arrow_down(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float size) {
  draw->AddLine(from, ImVec2(to.x, to.y - size), colour, 1.5f);
  draw->AddTriangleFilled(ImVec2(to.x - size * 0.6f, to.y - size), ImVec2(to.x + size * 0.6f, to.y - size), to, colour);
}

void draw_arrow_right(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 colour, float size) {
  draw->AddLine(from, ImVec2(to.x - size, to.y), colour, 1.5f);
  draw->AddTriangleFilled(ImVec2(to.x - size, to.y - size * 0.6f), ImVec2(to.x - size, to.y + size * 0.6f), to, colour);
}

// The skip: up from the block's input line, over the chips, down into the add; its label on top.
void draw_skip(ImDrawList* draw, ImVec2 o, const ArchSkip& skip, float pad) {
  const ImU32 colour = skip.kind == ArchSkip::Kind::kIdentity ? ui::color::kSuccess : ui::color::kValidation;
  const float r = std::min(pad * 2, (skip.y_base - skip.y_top) * 0.8f);
  draw->PathLineTo(at(o, skip.x0, skip.y_top + r));
  draw->PathBezierQuadraticCurveTo(at(o, skip.x0, skip.y_top), at(o, skip.x0 + r, skip.y_top));
  draw->PathLineTo(at(o, skip.x1 - r, skip.y_top));
  draw->PathBezierQuadraticCurveTo(at(o, skip.x1, skip.y_top), at(o, skip.x1, skip.y_top + r));
  draw->PathStroke(colour, 0, 2.0f);
  draw_arrow_down(draw, at(o, skip.x1, skip.y_top + r), at(o, skip.x1, skip.y_base), colour, pad * 1.5f);
  const ImVec2 size = ImGui::CalcTextSize(skip.label.c_str());
  const ImVec2 label = at(o, (skip.x0 + skip.x1 - size.x) / 2, skip.y_top - size.y / 2);
  const ImVec2 label_min(label.x - pad, label.y), label_max(label.x + size.x + pad, label.y + size.y);
  draw->AddRectFilled(label_min, label_max, kBoxFill, pad);
  // A projection's layers sit on the arc as a chip; an identity is just named.
  if (skip.kind == ArchSkip::Kind::kProjection) draw->AddRect(label_min, label_max, colour, pad);
  draw->AddText(label, colour, skip.label.c_str());
}

void draw_block_inside(ImDrawList* draw, ImVec2 o, const ArchPictureBox& box, const ArchPictureMetrics& m) {
  const ImU32 line = ui::color::kAxis;
  const float entry_x = box.rect.x + m.pad + m.gap / 2;
  const float chip_mid = box.chips.front().rect.y + box.chips.front().rect.h / 2;
  // The block's input comes down the left edge and turns into the first chip.
  draw->AddLine(at(o, entry_x, box.rect.y + m.line + 2 * m.pad), at(o, entry_x, chip_mid), line, 1.5f);
  float x = entry_x;
  for (const ArchChip& chip : box.chips) {
    draw_arrow_right(draw, at(o, x, chip_mid), at(o, chip.rect.x, chip_mid), line, m.pad * 1.3f);
    const ImVec2 a = at(o, chip.rect.x, chip.rect.y), b = at(o, chip.rect.right(), chip.rect.bottom());
    if (chip.add) {
      const ImVec2 c((a.x + b.x) / 2, (a.y + b.y) / 2);
      draw->AddCircleFilled(c, chip.rect.w / 2, kChipFill);
      draw->AddCircle(c, chip.rect.w / 2, ui::color::kAccent, 0, 1.5f);
      draw->AddLine(ImVec2(c.x - m.pad, c.y), ImVec2(c.x + m.pad, c.y), ui::color::kAccent, 1.5f);
      draw->AddLine(ImVec2(c.x, c.y - m.pad), ImVec2(c.x, c.y + m.pad), ui::color::kAccent, 1.5f);
    } else {
      draw->AddRectFilled(a, b, kChipFill, m.pad);
      draw->AddText(ImVec2(a.x + m.pad, a.y + m.pad), kText, chip.label.c_str());
    }
    x = chip.rect.right();
  }
  if (box.skip.kind != ArchSkip::Kind::kNone) {
    draw_skip(draw, o, box.skip, m.pad);
  } else {
    const ImVec2 size = ImGui::CalcTextSize(box.skip.label.c_str());
    draw->AddText(at(o, box.skip.x0 + m.gap, box.skip.y_top - size.y / 2), ui::color::kDim, box.skip.label.c_str());
  }
}

void draw_box(ImDrawList* draw, ImVec2 o, const ArchPictureBox& box, const ArchPictureMetrics& m) {
  const bool block = box.kind == ArchPictureBox::Kind::kBlock;
  const ImVec2 a = at(o, box.rect.x, box.rect.y), b = at(o, box.rect.right(), box.rect.bottom());
  draw->AddRectFilled(a, b, kBoxFill, m.pad);
  draw->AddRect(a, b, block ? ui::color::kAccent : ui::color::kAxis, m.pad, 0, block ? 1.5f : 1.0f);
  const ImVec2 text(a.x + m.pad, a.y + m.pad);
  draw->AddText(text, kText, box.title.c_str());
  const std::string params = arch_params_text(box.params);
  const float params_x = b.x - m.pad - m.text_width(params);
  draw->AddText(ImVec2(params_x, text.y), ui::color::kDim, params.c_str());
  draw->AddText(ImVec2(params_x - m.gap - m.text_width(box.shape), text.y), kText,
                box.shape.c_str());
  if (block) draw_block_inside(draw, o, box, m);
}

ArchPictureMetrics picture_metrics() {
  ArchPictureMetrics m;
  m.line = ImGui::GetTextLineHeight();
  m.pad = std::round(ImGui::GetFontSize() * 0.3f);
  m.gap = std::round(ImGui::GetFontSize() * 0.9f);
  m.min_width = ImGui::GetFontSize() * 30;
  m.text_width = [](const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; };
  return m;
}

}  // namespace

void ArchEditor::update_picture(const ArchTarget& target) {
  if (!target.known()) {
    picture_ = {};
    picture_key_.clear();
    return;
  }
  measure(target.input, target.classes);
  const ArchPictureMetrics m = picture_metrics();
  const std::string key = spec_ + "|" + measured_input_.str() + "|" + std::to_string(measured_classes_) + "|" +
                          std::to_string(m.line);
  if (key == picture_key_) return;
  picture_ = arch_picture(spec_, measured_input_, measured_classes_, m);
  picture_key_ = key;
}

// The model as boxes, with each block's skip.
void ArchEditor::draw_picture() {
  // Not indented under its heading: the picture's width is what the layout made room for.
  const bool open = ImGui::TreeNodeEx("Picture", ImGuiTreeNodeFlags_DefaultOpen | ImGuiTreeNodeFlags_NoTreePushOnOpen);
  ui::tip("The model as it will be built: each layer or block with its output shape and weights. Inside a residual "
          "block, the arc is its skip connection: the block's input added to its output, as it is (identity) or "
          "through a 1x1 convolution when the block changes the shape.");
  if (!open) return;
  const ArchPictureMetrics m = picture_metrics();
  const float avail = ImGui::GetContentRegionAvail().x;
  const float scrollbar = picture_.width > avail ? ImGui::GetStyle().ScrollbarSize : 0;
  if (ImGui::BeginChild("picture", ImVec2(std::min(avail, picture_.width + 2), picture_.height + scrollbar + 2), false,
                        ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                            ImGuiWindowFlags_NoBackground)) {
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    for (size_t i = 0; i < picture_.boxes.size(); ++i) {
      const ArchPictureBox& box = picture_.boxes[i];
      if (i > 0) {
        const float x = box.rect.x + m.pad + m.gap / 2;
        draw_arrow_down(draw, at(origin, x, picture_.boxes[i - 1].rect.bottom()), at(origin, x, box.rect.y),
                        ui::color::kAxis, m.pad);
      }
      draw_box(draw, origin, box, m);
    }
    ImGui::Dummy(ImVec2(picture_.width, picture_.height));
    ui::remember_item(id_ + " picture");
  }
  ImGui::EndChild();
}

bool ArchEditor::draw_rows_and_buttons() {
  const bool rows_changed = draw_rows();
  if (!draw_add_buttons() && !rows_changed) return false;
  spec_ = arch_rows_to_spec(rows_);
  text_ = spec_;
  return true;
}

bool ArchEditor::draw(const char* id, const std::vector<ArchPreset>& presets, const ArchTarget& target) {
  ImGui::PushID(id);
  id_ = id;
  bool changed = draw_presets(presets);
  changed |= draw_text();
  // The picture beside the rows when both fit, so the panel's size line stays
  // next to the numbers being edited; under them otherwise. The choice uses
  // the last picture's width; the picture itself is laid out after the rows,
  // so it shows this frame's edit.
  const float font = ImGui::GetFontSize();
  const bool beside = picture_.ok && ImGui::GetContentRegionAvail().x >= font * 34 + picture_.width;
  if (beside && ImGui::BeginTable("layout", 2, ImGuiTableFlags_None)) {
    ImGui::TableSetupColumn("rows", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("picture", ImGuiTableColumnFlags_WidthFixed, picture_.width + font);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    changed |= draw_rows_and_buttons();
    ImGui::TableNextColumn();
    update_picture(target);
    if (picture_.ok) draw_picture();
    ImGui::EndTable();
  } else {
    changed |= draw_rows_and_buttons();
    update_picture(target);
    if (picture_.ok) draw_picture();
  }
  ImGui::PopID();
  return changed;
}

}  // namespace distillery
