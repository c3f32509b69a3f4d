// distillery convert: TensorFlow.js Layers models and ONNX models <-> Distillery model files.
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/flag_groups.h"
#include "engine/core/error.h"
#include "engine/core/text.h"
#include "engine/io/onnx_export.h"
#include "engine/io/onnx_import.h"
#include "engine/model/arch_spec.h"
#include "native/dataset_files.h"
#include "native/file_writing.h"
#include "native/model_files.h"
#include "native/quantized_model_files.h"
#include "native/tfjs_files.h"

namespace distillery {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> parse_classes(const std::string& text) {
  std::vector<std::string> names = split(text, ',');
  for (const std::string& name : names) require(!name.empty(), "--classes: a class name is empty in '" + text + "'");
  return names;
}

Shape parse_shape(const std::string& text) {
  Shape shape;
  for (const std::string& part : split(text, ',')) {
    char* end = nullptr;
    const long v = std::strtol(part.c_str(), &end, 10);
    require(!part.empty() && *end == '\0' && v > 0 && v <= 16384,
            "--input-shape: '" + text + "' is not H,W,C with positive integers");
    shape.dims.push_back(static_cast<int>(v));
  }
  require(shape.rank() == 3 && (shape[2] == 1 || shape[2] == 3),
          "--input-shape: '" + text + "' must be H,W,C with C = 1 (gray) or 3 (RGB)");
  return shape;
}

// An output of no extension, a trailing slash or an existing folder is a TF.js folder.
bool looks_like_folder(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) || path.back() == '/' || fs::path(path).extension().empty();
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

std::string join(const std::vector<std::string>& names, size_t limit = 6) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > limit) out += ", ...";
  return out;
}


// The formats convert reads and writes; format_names() is their one name table (--to, provenance).
enum class Format { kDistillery, kTfjs, kOnnx };
const NameTable<Format>& format_names() {
  static const NameTable<Format> table(
      "format", {{Format::kDistillery, "distillery"}, {Format::kTfjs, "tfjs"}, {Format::kOnnx, "onnx"}});
  return table;
}
const char* format_name(Format f) { return format_names().name(f); }
const char* format_title(Format f) {
  return f == Format::kTfjs ? "TensorFlow.js Layers model" : f == Format::kOnnx ? "ONNX model" : "Distillery model";
}

bool has_extension(const std::string& path, const char* ext) { return fs::path(path).extension() == ext; }

Format input_format(const std::string& in) {
  if (has_extension(in, ".onnx")) return Format::kOnnx;
  return is_tfjs_model_path(in) ? Format::kTfjs : Format::kDistillery;
}

Format output_format(const ArgParser& args, const std::string& out, Format from) {
  Format fallback = from == Format::kDistillery ? Format::kTfjs : Format::kDistillery;
  if (has_extension(out, ".onnx")) fallback = Format::kOnnx;
  else if (looks_like_folder(out)) fallback = Format::kTfjs;
  return args.get_named("--to", fallback, format_names());
}

void declare_args(ArgParser& args) {
  args.add_required("--in", "PATH",
                    "a model.json (or a folder holding one), a .onnx file or a Distillery model file");
  args.add_required("--out", "PATH",
                    "where to write: a folder or a .json file for TF.js (weights go beside it), a .onnx file for "
                    "ONNX, a .json file for Distillery");
  args.add_value("--to", "FORMAT",
                 format_names().listing() + "; by default from --out (.onnx means onnx, a folder or a path without "
                                            "extension tfjs), else the other format than --in");
  args.add_value("--input-scale", "X", "pixel multiplier recorded for an imported model (x = pixel * X)", "1/255");
  args.add_value("--classes", "A,B,C", "class names, one per output, in output order", "class_0, class_1, ...");
  args.add_value("--input-shape", "H,W,C",
                 "the image a flat-input (MLP) model reads, e.g. 28,28,1; guessed for square images");
  add_weights_encoding_flag(args, WeightsEncoding::kArray, "for a Distillery model file");
  args.add_named("--tfjs-weights", "DTYPE", tfjs_weight_dtype_names(), TfjsWeightDtype::Float32,
                 "how a TF.js export stores its weights: TF.js's own quantized storage (uint8 4x smaller, uint16 "
                 "and float16 2x), which tf.loadLayersModel dequantizes when it loads");
  args.add_epilog(
      "\nAn imported model keeps its layers and weights; a softmax output becomes logits (Distillery applies\n"
      "softmax when predicting). An exported model ends with a softmax, so TF.js' predict() and ONNX runtimes\n"
      "give probabilities; its input is the preprocessed image (pixel * scale - mean) / std, NHWC for TF.js\n"
      "and NCHW for ONNX (class names and preprocessing are in the ONNX model's metadata_props).\n"
      "A quantized Distillery model (distillery quantize) exports to TF.js as the float model it stands for:\n"
      "its dequantized weights, stored as --tfjs-weights says (TF.js computes in float32 either way). To ONNX\n"
      "it stays quantized, in the QDQ form ONNX Runtime runs on int8 kernels: int8 kernels behind\n"
      "DequantizeLinear and, for --mode int8, QuantizeLinear/DequantizeLinear on the activations.\n\n"
      "examples:\n"
      "  distillery convert --in keras_tfjs/model.json --out teacher.json --classes cat,dog\n"
      "  distillery convert --in pytorch_model.onnx --out teacher.json --classes cat,dog\n"
      "  distillery convert --in student.json --out student_tfjs/\n"
      "  distillery convert --in student.json --out student_tfjs/ --tfjs-weights uint8\n"
      "  distillery convert --in student.json --out student.onnx\n");
}

TfjsImportOptions import_options(const ArgParser& args) {
  TfjsImportOptions options;
  if (args.has("--input-scale"))
    options.input_scale = static_cast<float>(args.get_double("--input-scale", 0, 1e-12, 1e6));
  if (args.has("--classes")) options.class_names = parse_classes(args.get("--classes"));
  if (args.has("--input-shape")) options.image_shape = parse_shape(args.get("--input-shape"));
  return options;
}

Model load_onnx_file(const std::string& path, const TfjsImportOptions& options) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  require(!ec && size <= (uintmax_t(1) << 30), path + ": not a readable ONNX file of at most 1 GiB");
  try {
    return import_onnx_model(read_file_bytes(path), options);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

// A Distillery model file, with --classes and --input-scale applied.
Model load_distillery_file(const ArgParser& args, const std::string& path, const TfjsImportOptions& options) {
  require(!args.has("--input-shape"), "--input-shape applies to TF.js and ONNX models only");
  Model model = load_model_file(path);
  if (!options.class_names.empty()) {
    require(static_cast<int>(options.class_names.size()) == model.num_outputs(),
            "--classes: " + std::to_string(options.class_names.size()) + " names for a model with " +
                std::to_string(model.num_outputs()) + " outputs");
    model.class_names = options.class_names;
  }
  if (options.input_scale > 0.0f) model.preprocessing.scale = options.input_scale;
  return model;
}

// quantized: the quantized model `model` stands for, when the input was one (ONNX keeps it quantized).
std::vector<std::string> write_model(const std::string& out, Format to, const Model& model,
                                     const ModelJsonOptions& json_options, TfjsWeightDtype tfjs_weights,
                                     const QuantizedModel* quantized) {
  if (to == Format::kTfjs) return save_tfjs_model_files(out, model, tfjs_weights);
  if (to == Format::kOnnx) {
    const std::vector<uint8_t> bytes = quantized ? export_onnx_model(*quantized) : export_onnx_model(model);
    write_file_atomically(out, bytes.data(), bytes.size());
  } else {
    save_model_file(out, model, json_options);
  }
  return {out};
}

void print_notes(const Model& model, Format from, bool classes_given) {
  if (from == Format::kDistillery) return;
  if (!classes_given && model.class_names.front() == "class_0")
    std::printf("note: the classes have generic names; name them with --classes A,B,C (in output order)\n");
  if (!model.provenance.contains("imported_from")) return;
  const std::string activation = model.provenance["imported_from"].value("output_activation", "");
  if (activation == "linear")
    std::printf("note: the model outputs logits; Distillery applies softmax when predicting\n");
  else if (activation == "log_softmax")
    std::printf("note: the model's LogSoftmax output was read as logits (the same classes, the same softmax)\n");
  else if (activation == "sigmoid")
    std::printf("note: the one-unit sigmoid output became two classes [not, yes]\n");
}

// What the chosen storage saved: the shard's bytes against float32's.
void print_tfjs_weights(const std::string& shard, TfjsWeightDtype dtype, const Model& model) {
  std::error_code ec;
  const auto bytes = static_cast<long long>(fs::file_size(shard, ec));
  const long long float32_bytes = 4 * static_cast<long long>(model.parameter_count());
  std::printf("weights: %s, %lld bytes", tfjs_weight_dtype_name(dtype), bytes);
  if (dtype != TfjsWeightDtype::Float32 && bytes > 0)
    std::printf(" (float32: %lld, %.2fx smaller)", float32_bytes, double(float32_bytes) / double(bytes));
  std::printf("\n");
}

}  // namespace

int run_convert(const Args& argv) {
  ArgParser args("convert",
                 "Convert between TensorFlow.js Layers models (model.json + .bin weight files, as saved by\n"
                 "TF.js or written by tensorflowjs_converter from Keras), ONNX models (as written by\n"
                 "torch.onnx.export) and Distillery model files.");
  declare_args(args);
  if (!args.parse(argv)) return 0;

  const std::string in = args.get("--in");
  const std::string out = args.get("--out");
  require(!out.empty(), "--out: the path is empty");
  std::error_code ec;
  require(fs::exists(in, ec), in + ": no such file or folder");
  const Format from = input_format(in);
  const Format to = output_format(args, out, from);
  const ModelJsonOptions json_options = model_json_options(args);
  require(!args.has("--tfjs-weights") || to == Format::kTfjs,
          "--tfjs-weights applies to a TensorFlow.js export (--to tfjs), not to " + std::string(format_title(to)) + "s");
  const TfjsWeightDtype tfjs_weights =
      args.get_named("--tfjs-weights", tfjs_weight_dtype_names());
  const TfjsImportOptions options = import_options(args);

  Model model = from == Format::kTfjs   ? load_tfjs_model_files(in, options)
                : from == Format::kOnnx ? load_onnx_file(in, options)
                                        : load_distillery_file(args, in, options);
  model.provenance["converted"] = {{"by", "distillery convert"},
                                   {"at", utc_timestamp()},
                                   {"command", args.command_line()},
                                   {"from", in},
                                   {"from_format", format_name(from)},
                                   {"to_format", format_name(to)}};
  if (from != Format::kDistillery && !model.provenance.contains("arch")) model.provenance["arch"] = describe_arch(model);

  // A quantized file goes to ONNX in QDQ form: its int8 kernels and activation ranges kept.
  std::optional<QuantizedModel> quantized;
  if (from == Format::kDistillery && to == Format::kOnnx && model_file_is_quantized(in)) {
    const QuantizedModel file = load_quantized_model_file(in);
    quantized = QuantizedModel::assemble(model.clone(), file.mode(), file.layers(), file.activations(), file.calibration());
  }
  const std::vector<std::string> written =
      write_model(out, to, model, json_options, tfjs_weights, quantized ? &*quantized : nullptr);
  std::string files = written[0];
  for (size_t i = 1; i < written.size(); ++i) files += " + " + written[i];
  std::printf("%s -> %s (%s, %d layers, %lld params)\n", in.c_str(), files.c_str(), format_title(to),
              model.num_layers(), static_cast<long long>(model.parameter_count()));
  std::printf("input %s, preprocessing x = (pixel * %g - %g) / %g; classes: %s\n", model.input_shape().str().c_str(),
              model.preprocessing.scale, model.preprocessing.mean, model.preprocessing.std,
              join(model.class_names).c_str());
  if (to == Format::kTfjs) print_tfjs_weights(written[1], tfjs_weights, model);
  print_notes(model, from, !options.class_names.empty());
  return 0;
}

}  // namespace distillery
