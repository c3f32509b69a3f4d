#pragma once
// The student and the teacher as files for the user: Distillery model JSON,
// a TensorFlow.js Layers model or ONNX, named after what they are.
#include <string>
#include <vector>

#include "engine/io/tfjs_quantization.h"

namespace distillery {

class App;

// Model JSON text of the student / teacher. Throws Error when there is none.
std::string export_student_json(const App& app, bool base64 = false);
std::string export_teacher_json(const App& app, bool base64 = false);
// A file name that says what the file is, e.g.
//   student-dense32-distilled-T4-a0.1-acc0.853.json
std::string student_file_name(const App& app);
std::string teacher_file_name(const App& app);

// A file to hand to the user (bytes in a string, as PlatformServices::save_file takes them).
struct DownloadFile {
  std::string name;
  std::string bytes;
};
// The student / teacher as a TensorFlow.js Layers model, named after the
// model file name: one "<name>-tfjs.zip" holding model.json + weights.bin, or
// two files "<name>.model.json" + "<name>.weights.bin" (the manifest points at
// the latter, so tf.loadLayersModel reads them from one folder). Throws Error
// when there is no such model or TF.js cannot express one of its layers.
// `weights`: how the shard stores them (TF.js's uint8/uint16/float16 forms are
// dequantized by tf.loadLayersModel; float32 by default).
std::vector<DownloadFile> export_tfjs_download(const App& app, bool student, bool zip,
                                               TfjsWeightDtype weights = TfjsWeightDtype::Float32);
// Those names from the model file name "<name>.json".
std::vector<std::string> tfjs_file_names(const std::string& json_name, bool zip);
// The student / teacher as one ONNX file "<name>.onnx" (opset 13, NCHW
// input, see engine/io/onnx_export.h). Throws Error when there is no such
// model or ONNX has no form for one of its layers.
DownloadFile export_onnx_download(const App& app, bool student);
// "<name>.onnx" from the model file name "<name>.json".
std::string onnx_file_name(const std::string& json_name);
// The session's quantized model as a quantized Distillery JSON file (model
// file version 2, weights in base64), named after the model it came from and
// its mode: "student-dense32-distilled-T4-a0.1-int8.json". Throws Error when
// nothing is quantized yet.
DownloadFile export_quantized_download(const App& app);
std::string quantized_file_name(const App& app);
// The same model as ONNX in QDQ form (int8 kernels behind DequantizeLinear,
// see engine/io/onnx_export.h): "<that name>.onnx".
DownloadFile export_quantized_onnx_download(const App& app);

}  // namespace distillery
