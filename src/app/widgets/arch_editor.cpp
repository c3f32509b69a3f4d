// ArchEditor: spec <-> rows, width scaling, measuring, and drawing.
#include "app/widgets/arch_editor.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "app/widgets/ui.h"
#include "engine/core/error.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model.h"
#include "imgui_stdlib.h"

namespace distillery {

// --- spec <-> rows ---------------------------------------------------------------------

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

bool parse_int(const std::string& s, int& out) {
  if (s.empty() || s.size() > 7 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
  out = std::stoi(s);
  return out > 0;
}

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\n");
  const size_t b = s.find_last_not_of(" \t\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

std::vector<ArchRow> parse_arch_rows(const std::string& spec) {
  std::vector<ArchRow> rows;
  if (!spec.empty() && (spec[0] == '[' || spec[0] == '{')) return {ArchRow{ArchRow::Kind::kRaw, 0, 0, 0, spec}};
  for (const std::string& token_raw : split(spec, ',')) {
    const std::string token = trim(token_raw);
    if (token.empty()) continue;
    const auto parts = split(token, ':');
    ArchRow row;
    row.raw = token;
    row.kind = ArchRow::Kind::kRaw;
    int a = 0, b = 0;
    if (parts[0] == "dense" && parts.size() == 2 && parse_int(parts[1], a)) {
      row.kind = ArchRow::Kind::kDense;
      row.a = a;
    } else if (parts[0] == "conv" && parts.size() == 3 && parse_int(parts[1], a) && parse_int(parts[2], b)) {
      row.kind = ArchRow::Kind::kConv;
      row.a = a;
      row.b = b;
    } else if ((parts[0] == "pool" || parts[0] == "avgpool") && parts.size() == 2 && parse_int(parts[1], a)) {
      row.kind = parts[0] == "pool" ? ArchRow::Kind::kMaxPool : ArchRow::Kind::kAvgPool;
      row.a = a;
    } else if (parts[0] == "dropout" && parts.size() == 2) {
      char* end = nullptr;
      const float rate = std::strtof(parts[1].c_str(), &end);
      if (end && *end == '\0' && rate >= 0 && rate < 1) {
        row.kind = ArchRow::Kind::kDropout;
        row.rate = rate;
      }
    }
    rows.push_back(row);
  }
  return rows;
}

std::string arch_rows_to_spec(const std::vector<ArchRow>& rows) {
  std::string out;
  for (const ArchRow& r : rows) {
    std::string token;
    switch (r.kind) {
      case ArchRow::Kind::kDense: token = "dense:" + std::to_string(r.a); break;
      case ArchRow::Kind::kConv: token = "conv:" + std::to_string(r.a) + ":" + std::to_string(r.b); break;
      case ArchRow::Kind::kMaxPool: token = "pool:" + std::to_string(r.a); break;
      case ArchRow::Kind::kAvgPool: token = "avgpool:" + std::to_string(r.a); break;
      case ArchRow::Kind::kDropout: token = ui::format("dropout:%g", r.rate); break;
      case ArchRow::Kind::kRaw: token = r.raw; break;
    }
    out += (out.empty() ? "" : ",") + token;
  }
  return out;
}

std::string scale_arch_widths(const std::string& spec, float multiplier) {
  std::string out;
  for (const std::string& token_raw : split(spec, ',')) {
    std::vector<std::string> parts = split(trim(token_raw), ':');
    int width = 0;
    if ((parts[0] == "dense" || parts[0] == "conv") && parts.size() >= 2 && parse_int(parts[1], width))
      parts[1] = std::to_string(std::max(1, static_cast<int>(std::lround(width * multiplier))));
    std::string token;
    for (size_t i = 0; i < parts.size(); ++i) token += (i ? ":" : "") + parts[i];
    out += (out.empty() ? "" : ",") + token;
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

bool ArchEditor::draw(const char* id, const std::vector<ArchPreset>& presets) {
  ImGui::PushID(id);
  bool changed = false;
  const float font = ImGui::GetFontSize();

  if (!presets.empty()) {
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
  }

  ImGui::SetNextItemWidth(-font * 5);
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
  ui::tip("The layers as text: conv:FILTERS:KERNEL, pool:K, avgpool:K, dense:UNITS, dropout:P, comma separated. "
          "Flatten and the final layer (one output per class) are added for you.");
  ImGui::SameLine();
  ImGui::TextDisabled("spec");

  // Rows: one per layer, with its numbers editable in place.
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
      ImGui::SetNextItemWidth(font * 6);
      switch (r.kind) {
        case ArchRow::Kind::kDense:
          rows_changed |= ImGui::DragInt("units", &r.a, 0.5f, 1, 4096);
          ui::tip("How many neurons this fully connected layer has: more units, more capacity, more parameters.");
          break;
        case ArchRow::Kind::kConv:
          rows_changed |= ImGui::DragInt("filters", &r.a, 0.25f, 1, 1024);
          ui::tip("How many feature detectors this convolution learns (its output channels).");
          ImGui::SameLine();
          ImGui::SetNextItemWidth(font * 5);
          rows_changed |= ImGui::SliderInt("kernel", &r.b, 1, 7);
          ui::tip("The size of the square window each filter looks at, in pixels.");
          break;
        case ArchRow::Kind::kMaxPool:
        case ArchRow::Kind::kAvgPool:
          rows_changed |= ImGui::SliderInt("size", &r.a, 2, 4);
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
  auto add = [&](const char* label, ArchRow row, const char* tip) {
    if (ImGui::SmallButton(label)) {
      rows_.push_back(row);
      rows_changed = true;
    }
    ui::tip(tip);
    ImGui::SameLine();
  };
  add("+ conv", {ArchRow::Kind::kConv, 8, 3, 0, ""}, "Add a 3x3 convolution with ReLU (same padding).");
  add("+ pool", {ArchRow::Kind::kMaxPool, 2, 0, 0, ""}, "Add 2x2 max pooling: halves the image's width and height.");
  add("+ dense", {ArchRow::Kind::kDense, 32, 0, 0, ""}, "Add a fully connected layer with ReLU.");
  add("+ dropout", {ArchRow::Kind::kDropout, 0, 0, 0.2f, ""}, "Add dropout (only active while training).");
  ImGui::NewLine();
  if (rows_changed) {
    spec_ = arch_rows_to_spec(rows_);
    text_ = spec_;
    changed = true;
  }
  ImGui::PopID();
  return changed;
}

}  // namespace distillery
