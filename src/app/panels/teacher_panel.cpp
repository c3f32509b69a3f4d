// Teacher panel. Sections: loading, summary table, training here.
#include "app/panels/teacher_panel.h"

#include <algorithm>

#include "app/actions.h"
#include "app/app.h"
#include "app/panels/augment_controls.h"
#include "app/panels/training_controls.h"
#include "app/widgets/ui.h"
#include "engine/model/arch_spec.h"
#include "imgui_stdlib.h"

namespace distillery {

namespace {
const std::vector<ArchPreset> kTeacherPresets = {
    {"CNN", "conv:32:3,pool:2,conv:64:3,pool:2,dense:128",
     "Two convolution blocks and a dense layer: about 91 % on Fashion-MNIST after a few epochs."},
    {"MLP", "dense:256,dense:128", "Two fully connected layers: quick to train, about 87 % on Fashion-MNIST."},
    {"Small CNN", "conv:16:3,pool:2,conv:32:3,pool:2,dense:64", "A lighter CNN that trains faster."},
    {"ResNet-8", "conv:16:3,res:16,res:32:2,res:64:2,gap",
     "Three residual blocks and global pooling: the strongest teacher here, 93 % on Fashion-MNIST after 20 epochs "
     "with shift:2,flip (docs/BENCHMARKS.md); several times slower to train than the CNN."}};
}  // namespace

void TeacherPanel::draw(App& app) {
  draw_load(app);
  draw_summary(app);
  draw_train(app);
}

void TeacherPanel::draw_load(App& app) {
  ui::section("Load a teacher");
  ui::dim_text("The teacher is a big, accurate model. Distillation trains a small student to copy its outputs, "
               "including how unsure it is between classes.");
  ImGui::BeginDisabled(app.worker.busy());
  if (app.platform.has_file_picker()) {
    if (ImGui::Button("Load teacher model...")) app.platform.pick_files(UploadPurpose::kTeacher);
    ui::tip("Pick a Distillery model file (.json), an ONNX model (.onnx, e.g. from torch.onnx.export), or a "
            "TensorFlow.js model: its model.json together with its .bin files (select them all), or one ZIP holding "
            "them.");
  } else {
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 30, ImGui::GetContentRegionAvail().x * 0.6f));
    ImGui::InputTextWithHint("##teacherpath", "model .json, .onnx, TF.js model folder or .zip", &path_input);
    ui::tip("A Distillery model file, an ONNX model (.onnx), or a folder or ZIP with a TensorFlow.js model.json and "
            "its .bin files.");
    ImGui::SameLine();
    if (ImGui::Button("Load") && !path_input.empty()) app.load_path(UploadPurpose::kTeacher, path_input);
    ui::tip("Read this model as the teacher.");
  }
  if (app.platform.has_demo()) {
    ImGui::SameLine();
    if (ImGui::Button("Load demo data + teacher")) app.platform.load_demo();
    ui::tip("Reload the bundled Fashion-MNIST subset and the teacher trained on it when the app was built.");
  }
  ImGui::EndDisabled();
  draw_tfjs_note();
}

void TeacherPanel::draw_tfjs_note() {
  ui::dim_text("From Keras or TensorFlow.js: convert with tensorflowjs_converter, then load model.json with its .bin "
               "files (or drop them, or a ZIP of them, on the page). From PyTorch: torch.onnx.export, then load the "
               ".onnx file (docs/ONNX.md lists the layers it may use).");
  ImGui::Checkbox("set the input scale of TF.js and ONNX models", &custom_tfjs_scale);
  ui::tip("What a pixel (0-255) is multiplied by before the model sees it. Off: what the file records, else 1/255, "
          "the usual choice for models trained on images scaled to 0..1.");
  if (custom_tfjs_scale) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    ImGui::InputFloat("##tfjsscale", &tfjs_scale, 0, 0, "%.6g");
    ui::tip("1/255 = 0.00392157 for inputs in 0..1; 1 for raw 0..255 pixels. Applies to the next TF.js or ONNX model loaded.");
    if (!(tfjs_scale > 0)) tfjs_scale = 1.0f / 255.0f;
  }
}

void TeacherPanel::refresh_summary(App& app) {
  if (rows_version_ == app.session.teacher_version) return;
  const Model& t = *app.session.teacher;
  rows_.clear();
  for (int i = 0; i < t.num_layers(); ++i) {
    LayerRow row{t.layer(i).type(), t.layer(i).output_shape().str()};
    for (int r : t.param_refs_of_layer(i)) {
      const ParamRef& ref = t.params().refs[r];
      row.params += ref.size();
      for (int64_t k = 0; k < ref.size(); ++k) row.nonzero += t.params().values[ref.offset + k] != 0.0f;
    }
    rows_.push_back(std::move(row));
  }
  arch_ = describe_arch(t);
  rows_version_ = app.session.teacher_version;
}

void TeacherPanel::draw_summary(App& app) {
  if (!app.session.teacher) {
    ui::dim_text("No teacher loaded yet.");
    return;
  }
  Model& t = *app.session.teacher;
  refresh_summary(app);
  ui::section("Teacher");
  ui::key_value("Source", app.session.teacher_source);
  ui::key_value("Architecture", arch_);
  ui::key_value("Input", t.input_shape().str() + ", " + std::to_string(t.num_outputs()) + " classes");
  const Preprocessing& pre = t.preprocessing;
  ui::key_value("Preprocessing", pre.mean == 0 && pre.std == 1 ? ui::format("pixel x %.6g", pre.scale)
                                                               : ui::format("(pixel x %.6g - %.4g) / %.4g", pre.scale,
                                                                            pre.mean, pre.std));
  std::string classes;
  for (size_t k = 0; k < t.class_names.size() && k < 12; ++k) classes += (k ? ", " : "") + t.class_names[k];
  if (t.class_names.size() > 12) classes += ", ...";
  ui::key_value("Classes", classes);
  ui::key_value("Parameters", ui::thousands(t.parameter_count()) + "  (" + ui::bytes(t.parameter_count() * 4.0) +
                                  " as float32)");
  if (app.session.teacher_eval) ui::key_value("Test accuracy", ui::percent(app.session.teacher_eval->accuracy));
  if (app.session.dataset) {
    const std::string why = model_data_mismatch(t, *app.session.dataset, "teacher");
    if (!why.empty()) ui::error_text(("Does not fit the dataset: " + why).c_str());
  }

  const float font = ImGui::GetFontSize();
  if (ImGui::BeginTable("layers", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, font * 1.8f);
    ImGui::TableSetupColumn("layer");
    ImGui::TableSetupColumn("output shape");
    ImGui::TableSetupColumn("parameters");
    ImGui::TableSetupColumn("non-zero");
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < rows_.size(); ++i) {
      const LayerRow& row = rows_[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%d", static_cast<int>(i + 1));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.type.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.shape.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.params ? ui::thousands(row.params).c_str() : "-");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(row.params ? ui::thousands(row.nonzero).c_str() : "-");
    }
    ImGui::EndTable();
  }
  const bool open = ImGui::TreeNode("Provenance (where this model came from)");
  ui::tip("What the model file says about how it was made: data, settings, measured accuracy.");
  if (open) {
    const std::string text = t.provenance.dump(2);
    ImGui::TextUnformatted(text.c_str());
    ImGui::TreePop();
  }
}

void TeacherPanel::draw_train(App& app) {
  ui::section("Or train a teacher here");
  const ArchTarget target = arch_target(app.session.dataset.get(), app.session.teacher.get());
  arch.draw("teacher_arch", kTeacherPresets, target);
  if (target.known()) {
    const ArchMeasure& m = arch.measure(target.input, target.classes);
    if (m.ok) ui::dim_text(("This teacher would have " + ui::thousands(m.params) + " parameters.").c_str());
    else ui::error_text(m.error.c_str());
  }
  train.arch = arch.spec();
  draw_train_options(train, "teacher");
  draw_augment_options(train.augment, "teacher_augment");
  ImGui::BeginDisabled(app.worker.busy() || !app.session.dataset);
  if (ImGui::Button("Train teacher")) app.run_action([&] { start_teacher_training(app, train); });
  ImGui::EndDisabled();
  ui::tip("Train this architecture on the training split with ordinary labels; it replaces the current teacher when done.");
  if (app.worker.busy()) {
    ImGui::SameLine();
    draw_job_controls(app);
  }
  // Curves while a teacher trains here (or after it did).
  const auto progress = app.worker.progress();
  const TrainingCurves& curves = progress ? progress->curves : app.session.curves;
  if (curves.kind == JobKind::kTrainTeacher) {
    draw_job_progress(app);
    draw_training_curves(app, smooth_curves);
  }
}

}  // namespace distillery
