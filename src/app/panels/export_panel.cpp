// Export panel. Sections: format choice, one model's card, downloading.
#include "app/panels/export_panel.h"

#include "app/actions.h"
#include "app/app.h"
#include "app/widgets/ui.h"

namespace distillery {

void ExportPanel::draw(App& app) {
  ui::section("Format");
  draw_format();
  ui::section("Student");
  draw_model(app, true);
  ui::section("Teacher");
  draw_model(app, false);
  ui::section("Quantized model");
  draw_quantized(app);
}

void ExportPanel::draw_format() {
  int choice = static_cast<int>(format);
  ImGui::RadioButton("Distillery model JSON", &choice, static_cast<int>(ExportFormat::kDistilleryJson));
  ui::tip("One .json file with layers, weights, class names, preprocessing and where the model came from. The "
          "command-line tool and this app load it again.");
  ImGui::SameLine();
  ImGui::RadioButton("TensorFlow.js (ZIP)", &choice, static_cast<int>(ExportFormat::kTfjsZip));
  ui::tip("A ZIP with model.json and weights.bin: a TF.js Layers model that tf.loadLayersModel() reads in a web page "
          "or Node. It outputs probabilities; class names and preprocessing are in its metadata.");
  ImGui::SameLine();
  ImGui::RadioButton("TensorFlow.js (2 files)", &choice, static_cast<int>(ExportFormat::kTfjsFiles));
  ui::tip("The same TF.js model as two downloads, <name>.model.json and <name>.weights.bin; keep them in one folder.");
  ImGui::SameLine();
  ImGui::RadioButton("ONNX", &choice, static_cast<int>(ExportFormat::kOnnx));
  ui::tip("One .onnx file (opset 13) for ONNX Runtime, PyTorch and mobile runtimes. It outputs probabilities; class "
          "names and preprocessing are in its metadata_props.");
  format = static_cast<ExportFormat>(choice);
  if (format == ExportFormat::kDistilleryJson) {
    ImGui::Checkbox("compact weights (base64)", &compact);
    ui::tip("Store weights as base64 float32 bytes: about 3x smaller files, but not human-readable.");
  } else if (format == ExportFormat::kOnnx) {
    ui::dim_text("ONNX input: the preprocessed image, x = (pixel x scale - mean) / std, shape [1, C, H, W] (NCHW).");
  } else {
    ui::dim_text("TF.js input: the preprocessed image, x = pixel x scale (see the Teacher panel), shape [1, H, W, C].");
  }
}

namespace {

std::vector<std::string> planned_names(App& app, bool student, ExportFormat format) {
  const std::string json = student ? student_file_name(app) : teacher_file_name(app);
  if (format == ExportFormat::kDistilleryJson) return {json};
  if (format == ExportFormat::kOnnx) return {onnx_file_name(json)};
  return tfjs_file_names(json, format == ExportFormat::kTfjsZip);
}

}  // namespace

void ExportPanel::draw_model(App& app, bool student) {
  const Model* model = student ? app.session.student.get() : app.session.teacher.get();
  if (!model) {
    ui::dim_text(student ? "No student yet: distil one first." : "No teacher loaded.");
    return;
  }
  const std::vector<std::string> names = planned_names(app, student, format);
  const bool two = names.size() > 1;
  ui::key_value(two ? "File names" : "File name", two ? names[0] + "  +  " + names[1] : names[0]);
  Count& count = student ? student_count_ : teacher_count_;
  const int version = student ? app.session.student_version : app.session.teacher_version;
  if (count.version != version) count = {version, model->nonzero_parameter_count()};
  ui::key_value("Parameters", ui::thousands(model->parameter_count()) + " (" + ui::thousands(count.nonzero) +
                                  " non-zero)");
  const char* label = student ? "Download student" : "Download teacher";
  if (ImGui::Button(label)) app.run_action([&] { download_model(app, student, format, compact); });
  ui::tip(student ? "Save the current student in the chosen format."
                  : "Save the current teacher in the chosen format (useful when you trained or converted it here).");
  const bool open = ImGui::TreeNode(student ? "Provenance of the student" : "Provenance of the teacher");
  ui::tip("What the file will say about how the model was made (teacher, T, alpha, pruning, accuracy).");
  if (open) {
    ImGui::TextUnformatted(model->provenance.dump(2).c_str());
    ImGui::TreePop();
  }
}

void ExportPanel::draw_quantized(App& app) {
  const auto& q = app.session.quantized;
  if (!q) {
    ui::dim_text("Nothing quantized yet: quantize the student in the Quantize panel.");
    return;
  }
  ui::key_value("File name", quantized_file_name(app));
  ui::key_value("Size", ui::bytes(static_cast<double>(q->file_bytes)) + " (the float " + model_role_name(q->source) +
                            ": " + ui::bytes(static_cast<double>(q->float_file_bytes)) + ")");
  if (ImGui::Button("Download quantized"))
    app.run_action([&] { download_quantized(app, false); });
  ui::tip("Save the quantized model as Distillery JSON (model file version 2: int8 or float16 weights in base64, "
          "with their scales and activation ranges). The command-line tool's eval and predict take it.");
  ImGui::SameLine();
  if (ImGui::Button("Download quantized ONNX"))
    app.run_action([&] { download_quantized(app, true); });
  ui::tip("Save it as ONNX in QDQ form, which ONNX Runtime runs on int8 kernels: int8 weights behind "
          "DequantizeLinear and (int8 mode) the calibrated activation ranges as QuantizeLinear/DequantizeLinear.");
  ui::dim_text("TF.js has no integer models: the TF.js formats above carry the float model.");
}

std::vector<std::string> download_model(App& app, bool student, ExportFormat format, bool compact) {
  std::vector<DownloadFile> files;
  if (format == ExportFormat::kDistilleryJson)
    files.push_back({student ? student_file_name(app) : teacher_file_name(app),
                     student ? export_student_json(app, compact) : export_teacher_json(app, compact)});
  else if (format == ExportFormat::kOnnx)
    files.push_back(export_onnx_download(app, student));
  else
    files = export_tfjs_download(app, student, format == ExportFormat::kTfjsZip);
  std::vector<std::string> names;
  std::string where;
  for (const DownloadFile& f : files) {
    where = app.platform.save_file(f.name, f.bytes);
    names.push_back(f.name);
  }
  app.notices.success(files.size() > 1 ? where + " (and " + names[0] + ")" : where);
  return names;
}

std::string download_quantized(App& app, bool onnx) {
  const DownloadFile f = onnx ? export_quantized_onnx_download(app) : export_quantized_download(app);
  app.notices.success(app.platform.save_file(f.name, f.bytes));
  return f.name;
}

}  // namespace distillery
