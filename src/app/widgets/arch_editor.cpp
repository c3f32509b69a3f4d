// ArchEditor: spec <-> rows, width scaling, measuring, and drawing.
#include "app/widgets/arch_editor.h"

#include <algorithm>
#include <cmath>

#include "app/widgets/ui.h"
#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
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

// The row for a token's layers, or a raw row when the rows cannot show them (strides, activations, ...).
ArchRow row_for(const std::string& token) {
  ArchRow row;
  row.kind = ArchRow::Kind::kRaw;
  row.raw = token;
  std::vector<Json> layers;
  try {
    layers = parse_arch_token(token);
  } catch (const Error&) {
    return row;  // the measure line says what is wrong
  }
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
  }
  return row;
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
    case ArchRow::Kind::kRaw: break;
  }
  return {};
}

}  // namespace

std::vector<ArchRow> parse_arch_rows(const std::string& spec) {
  std::vector<ArchRow> rows;
  for (const std::string& token : arch_spec_tokens(spec)) rows.push_back(row_for(token));
  return rows;
}

std::string arch_rows_to_spec(const std::vector<ArchRow>& rows) {
  std::string out;
  for (const ArchRow& r : rows) {
    const std::string token = r.kind == ArchRow::Kind::kRaw ? r.raw : arch_token_for(layers_of(r));
    out += (out.empty() ? "" : ",") + token;
  }
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

// The editable numbers of one row; true when one changed.
bool draw_row_settings(ArchRow& r, float font) {
  bool rows_changed = false;
  ImGui::SetNextItemWidth(font * 6);
  switch (r.kind) {
    case ArchRow::Kind::kDense:
      rows_changed |= ImGui::DragInt("units", &r.width, 0.5f, 1, 4096);
      ui::tip("How many neurons this fully connected layer has: more units, more capacity, more parameters.");
      break;
    case ArchRow::Kind::kConv:
      rows_changed |= ImGui::DragInt("filters", &r.width, 0.25f, 1, 1024);
      ui::tip("How many feature detectors this convolution learns (its output channels).");
      ImGui::SameLine();
      ImGui::SetNextItemWidth(font * 5);
      rows_changed |= ImGui::SliderInt("kernel", &r.kernel, 1, 7);
      ui::tip("The size of the square window each filter looks at, in pixels.");
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
  if (ImGui::IsItemDeactivatedAfterEdit() && text_ != spec_) {
    spec_ = text_;
    rows_ = parse_arch_rows(spec_);
    changed = true;
  }
  ui::tip("The layers as text: conv:FILTERS:KERNEL, pool:K, avgpool:K, gap, dense:UNITS, dropout:P, comma separated. "
          "Flatten and the final layer (one output per class) are added for you.");
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
      const char* names[] = {"dense", "conv", "max pool", "avg pool", "dropout", "custom"};
      ImGui::TextUnformatted(names[static_cast<int>(r.kind)]);
      ImGui::TableNextColumn();
      rows_changed |= draw_row_settings(r, font);
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
  add("+ conv", {ArchRow::Kind::kConv, 8, 3, 0.0f, ""}, "Add a 3x3 convolution with ReLU (same padding).");
  add("+ pool", {ArchRow::Kind::kMaxPool, 2, 0, 0, ""}, "Add 2x2 max pooling: halves the image's width and height.");
  add("+ dense", {ArchRow::Kind::kDense, 32, 0, 0, ""}, "Add a fully connected layer with ReLU.");
  add("+ dropout", {ArchRow::Kind::kDropout, 0, 0, 0.2f, ""}, "Add dropout (only active while training).");
  ImGui::NewLine();
  return added;
}

bool ArchEditor::draw(const char* id, const std::vector<ArchPreset>& presets) {
  ImGui::PushID(id);
  bool changed = draw_presets(presets);
  changed |= draw_text();
  const bool rows_changed = draw_rows();
  if (draw_add_buttons() || rows_changed) {
    spec_ = arch_rows_to_spec(rows_);
    text_ = spec_;
    changed = true;
  }
  ImGui::PopID();
  return changed;
}

}  // namespace distillery
