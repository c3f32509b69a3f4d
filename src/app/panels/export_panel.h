#pragma once
// Export panel: download the student (and the teacher) as Distillery model
// JSON, as a TensorFlow.js Layers model (a ZIP, or model.json + weights.bin)
// or as ONNX, with file names that say what they are; and the quantized
// model as quantized Distillery JSON.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/name_table.h"

namespace distillery {

class App;

enum class ExportFormat {
  kDistilleryJson,  // "json"
  kTfjsZip,         // "tfjs-zip"
  kTfjsFiles,       // "tfjs-files": model.json + weights.bin
  kOnnx,            // "onnx": one .onnx file (opset 13)
};
inline const NameTable<ExportFormat>& export_format_names() {
  static const NameTable<ExportFormat> table("export format", {{ExportFormat::kDistilleryJson, "json"},
                                                               {ExportFormat::kTfjsZip, "tfjs-zip"},
                                                               {ExportFormat::kTfjsFiles, "tfjs-files"},
                                                               {ExportFormat::kOnnx, "onnx"}});
  return table;
}
inline ExportFormat export_format_from_name(const std::string& name) { return export_format_names().parse(name); }

struct ExportPanel {
  void draw(App& app);
  ExportFormat format = ExportFormat::kDistilleryJson;
  bool compact = false;  // base64 float32 weights instead of number arrays

 private:
  void draw_format();
  void draw_model(App& app, bool student);
  void draw_quantized(App& app);

  // Non-zero counts per model version: a full scan of the weights is too slow for every frame.
  struct Count {
    int version = -1;
    int64_t nonzero = 0;
  };
  Count student_count_, teacher_count_;
};

// Saves the student / teacher through the platform in a format; returns the
// file names. Throws Error (no such model, a layer TF.js or ONNX cannot express).
std::vector<std::string> download_model(App& app, bool student, ExportFormat format, bool compact);

// Saves the quantized model (quantized Distillery JSON); returns its file name.
// Throws Error when nothing is quantized.
std::string download_quantized(App& app, bool onnx = false);

}  // namespace distillery
