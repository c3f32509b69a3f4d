// The student and the teacher as files for the user (see model_export.h):
// Distillery JSON, TF.js or ONNX, with file names that say what they are.
#include "app/model_export.h"

#include <cstdio>

#include "app/app.h"
#include "app/zip_archive.h"
#include "engine/core/error.h"
#include "engine/io/model_json.h"
#include "engine/io/onnx_export.h"
#include "engine/io/tfjs_export.h"
#include "engine/model/arch_spec.h"
#include "engine/quant/quantized_json.h"

namespace distillery {

namespace {

// Readable (numbers, indented) or compact (base64 on one line), as the Export panel's checkbox says.
ModelJsonOptions export_json_options(bool base64) {
  return base64 ? ModelJsonOptions{WeightsEncoding::kBase64, -1} : ModelJsonOptions{WeightsEncoding::kArray, 1};
}

}  // namespace

std::string export_student_json(const App& app, bool base64) {
  require(app.session.student != nullptr, "there is no student yet: distil one in the Distil panel first");
  return save_model_json(*app.session.student, export_json_options(base64));
}

std::string export_teacher_json(const App& app, bool base64) {
  require(app.session.teacher != nullptr, "there is no teacher loaded");
  return save_model_json(*app.session.teacher, export_json_options(base64));
}

namespace {

const Model& require_model(const App& app, bool student) {
  const Model* model = student ? app.session.student.get() : app.session.teacher.get();
  require(model != nullptr, student ? "there is no student yet: distil one in the Distil panel first"
                                    : "there is no teacher loaded");
  return *model;
}

// "<name>" of the model file name "<name>.json".
std::string json_stem(const std::string& json_name) {
  return json_name.size() > 5 ? json_name.substr(0, json_name.size() - 5) : "model";
}

std::string format_number(double v, const char* format) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

// "conv:8:3,pool:2,dense:32" -> "conv8x3-pool2-dense32": safe in any file system.
std::string arch_slug(const std::string& arch) {
  std::string out;
  bool first_colon = true;
  for (char c : arch) {
    if (c == ',') {
      out += '-';
      first_colon = true;
    } else if (c == ':') {
      if (!first_colon) out += 'x';
      first_colon = false;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_') {
      out += c;
    }
  }
  if (out.size() > 60) out = out.substr(0, 60);
  return out.empty() ? "model" : out;
}

std::string trim_number(double v) {
  std::string s = format_number(v, "%.2f");
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string student_file_name(const App& app) {
  const StudentRecipe& r = app.session.student_recipe;
  std::string name = "student-" + arch_slug(r.arch);
  if (r.method == StudentMethod::kDistilled)
    name += "-distilled-T" + trim_number(r.temperature) + "-a" + trim_number(r.alpha);
  else if (r.method == StudentMethod::kAlone) name += "-alone";
  if (r.sparsity > 0) name += "-pruned" + std::to_string(static_cast<int>(std::lround(r.sparsity * 100)));
  if (app.session.student_eval) name += "-acc" + format_number(app.session.student_eval->accuracy, "%.3f");
  return name + ".json";
}

std::vector<std::string> tfjs_file_names(const std::string& json_name, bool zip) {
  const std::string stem = json_stem(json_name);
  if (zip) return {stem + "-tfjs.zip"};
  return {stem + ".model.json", stem + ".weights.bin"};
}

std::string onnx_file_name(const std::string& json_name) { return json_stem(json_name) + ".onnx"; }

DownloadFile export_onnx_download(const App& app, bool student) {
  const std::vector<uint8_t> bytes = export_onnx_model(require_model(app, student));
  return {onnx_file_name(student ? student_file_name(app) : teacher_file_name(app)),
          std::string(bytes.begin(), bytes.end())};
}

std::vector<DownloadFile> export_tfjs_download(const App& app, bool student, bool zip, TfjsWeightDtype weights) {
  const Model& model = require_model(app, student);
  const std::string json_name = student ? student_file_name(app) : teacher_file_name(app);
  const std::vector<std::string> names = tfjs_file_names(json_name, zip);
  const TfjsModelFiles files = export_tfjs_model(model, zip ? "weights.bin" : names[1], weights);
  const std::vector<uint8_t> model_json(files.model_json.begin(), files.model_json.end());
  if (!zip) return {{names[0], files.model_json}, {names[1], {files.weights.begin(), files.weights.end()}}};
  const std::vector<uint8_t> archive = zip_store({{"model.json", model_json}, {"weights.bin", files.weights}});
  return {{names[0], std::string(archive.begin(), archive.end())}};
}

std::string quantized_file_name(const App& app) {
  const auto& q = app.session.quantized;
  require(q.has_value(), "nothing is quantized yet: quantize the student in the Quantize panel first");
  const std::string source = q->source == ModelRole::kStudent ? student_file_name(app) : teacher_file_name(app);
  return json_stem(source) + "-" + quant_mode_name(q->model->mode()) + ".json";
}

DownloadFile export_quantized_download(const App& app) {
  const std::string name = quantized_file_name(app);
  return {name, save_quantized_model_json(*app.session.quantized->model, {WeightsEncoding::kBase64, -1})};
}

DownloadFile export_quantized_onnx_download(const App& app) {
  const std::string name = onnx_file_name(quantized_file_name(app));
  const std::vector<uint8_t> bytes = export_onnx_model(*app.session.quantized->model);
  return {name, std::string(bytes.begin(), bytes.end())};
}

std::string teacher_file_name(const App& app) {
  std::string name = "teacher";
  if (app.session.teacher) name += "-" + arch_slug(describe_arch(*app.session.teacher));
  if (app.session.teacher_eval) name += "-acc" + format_number(app.session.teacher_eval->accuracy, "%.3f");
  return name + ".json";
}

}  // namespace distillery
