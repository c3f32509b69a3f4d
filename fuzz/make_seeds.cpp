// Writes the seed corpus of every fuzz target: small valid inputs of each
// format (built in memory with the engine's own writers and the test
// builders), so libFuzzer starts from the interesting parts of each parser.
//   fuzz_make_seeds OUT_DIR      -> OUT_DIR/<target>/<seed files>
// scripts/fuzz.sh runs it before fuzzing; the seeds are regenerated, never
// committed.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/data/data_builders.h"
#include "engine/io/model_json.h"
#include "engine/model/arch_spec.h"
#include "fuzz_input.h"
#ifdef DISTILLERY_HAVE_TFJS
#include "engine/io/onnx_export.h"
#include "engine/io/tfjs_export.h"
#endif

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#include <stb/stb_image_write.h>

namespace fs = std::filesystem;
using namespace distillery;
using distillery::test::Bytes;

namespace {

fs::path out_root;
int seeds_written = 0;

void write_seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = out_root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  ++seeds_written;
}

Bytes with_prefix(uint8_t prefix, const Bytes& bytes) {
  Bytes out{prefix};
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

Bytes gradient(int height, int width, int channels, int seed) {
  Bytes pixels(size_t(height * width * channels));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t((i * 37 + size_t(seed) * 101) % 251);
  return pixels;
}

void append_to(void* context, void* data, int size) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

Bytes encode_jpeg(int width, int height, int channels, const Bytes& pixels) {
  Bytes out;
  stbi_write_jpg_to_func(append_to, &out, width, height, channels, pixels.data(), 80);
  return out;
}

// The smallest GIF: one transparent pixel.
const Bytes kGif1x1 = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF,
                       0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
                       0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};

// A CSV of n rows with 4x4 gray pixels; labels as names or indices.
std::string small_csv(int n, bool header, bool names, char delimiter) {
  std::string text = header ? "label" : "";
  if (header)
    for (int p = 0; p < 16; ++p) text += std::string(1, delimiter) + "p" + std::to_string(p);
  if (header) text += "\n";
  for (int r = 0; r < n; ++r) {
    text += names ? (r % 2 ? "cat" : "\"dog\"") : std::to_string(r % 3);
    for (int p = 0; p < 16; ++p) text += std::string(1, delimiter) + std::to_string((r * 16 + p) * 7 % 256);
    text += r % 2 ? "\r\n" : "\n";
  }
  return text;
}

void model_seeds() {
  struct Arch {
    const char* spec;
    Shape input;
  };
  const Arch archs[] = {{"dense:8", Shape{12}},
                        {"conv:2:3,pool:2,dense:4", Shape{6, 6, 1}},
                        {"conv:2:3x2:s2:valid:tanh,avgpool:2:same,dropout:0.25,dense:3:sigmoid", Shape{7, 5, 3}},
                        {"leaky_relu:0.1,flatten,dense:4:linear", Shape{3, 3, 2}}};
  int index = 0;
  for (const Arch& arch : archs) {
    Rng rng(uint64_t(index) + 7);
    Model model = Model::from_layer_configs(parse_arch_spec(arch.spec, 3, arch.input.rank()), arch.input, rng);
    model.class_names = {"a", "b", "c"};
    model.provenance = {{"source", "fuzz seed"}, {"settings", {{"epochs", 1}}}};
    if (index == 1) {
      // A pruned model: every other weight of the first tensor masked.
      for (int64_t i = 0; i < model.params().refs[0].size(); i += 2) model.params().masks[size_t(i)] = 0.0f;
      model.params().apply_masks();
    }
    for (const char* encoding : {"array", "base64"}) {
      const std::string text = save_model_json(model, {weights_encoding_names().parse(encoding), index % 2 ? -1 : 1});
      write_seed("model_json", "model" + std::to_string(index) + "_" + encoding + ".json", test::to_bytes(text));
    }
    ++index;
  }
}

void tfjs_seeds() {
#ifdef DISTILLERY_HAVE_TFJS
  const char* specs[] = {"dense:8", "conv:2:3,pool:2,dense:4", "conv:2:3:s2:valid:tanh,avgpool:2:same,dense:3:sigmoid"};
  const Shape inputs[] = {Shape{12}, Shape{6, 6, 1}, Shape{7, 5, 3}};
  for (int i = 0; i < 3; ++i) {
    Rng rng(uint64_t(i) + 11);
    Model model = Model::from_layer_configs(parse_arch_spec(specs[i], 3, inputs[i].rank()), inputs[i], rng);
    model.class_names = {"a", "b", "c"};
    const TfjsModelFiles files = export_tfjs_model(model);
    Bytes seed;
    fuzz::append_record(seed, "model.json", test::to_bytes(files.model_json));
    fuzz::append_record(seed, files.weights_path, files.weights);
    write_seed("tfjs", "model" + std::to_string(i), seed);
  }
#endif
}

void onnx_seeds() {
  const char* specs[] = {"dense:8", "conv:2:3,pool:2,dense:4", "conv:2:3:s2:valid:tanh,avgpool:2:same,dense:3:sigmoid"};
  const Shape inputs[] = {Shape{12}, Shape{6, 6, 1}, Shape{7, 5, 3}};
  for (int i = 0; i < 3; ++i) {
    Rng rng(uint64_t(i) + 17);
    Model model = Model::from_layer_configs(parse_arch_spec(specs[i], 3, inputs[i].rank()), inputs[i], rng);
    model.class_names = {"a", "b", "c"};
    write_seed("onnx", "model" + std::to_string(i) + ".onnx", export_onnx_model(model));
  }
}

void arch_seeds() {
  const std::pair<uint8_t, std::string> specs[] = {
      {2, "conv:8:3,pool:2,dense:16"},
      {4, "conv:4:3x5:s2:valid:leaky_relu,avgpool:2:s1:same,flatten,dense:8:tanh"},
      {0x83, "dense:32:tanh,dropout:0.2,dense:8:sigmoid"},
      {1, "relu,tanh,sigmoid,leaky_relu:0.2,maxpool:3:same,conv:2:1"},
      {3, R"([{"type": "conv2d", "filters": 2, "kernel_size": [3, 3], "padding": "same"}, {"type": "flatten"}])"},
      {0x82, R"({"layers": [{"type": "dense", "units": 4, "use_bias": false}, {"type": "relu"}]})"}};
  int index = 0;
  for (const auto& [prefix, spec] : specs)
    write_seed("arch_spec", "arch" + std::to_string(index++), with_prefix(prefix, test::to_bytes(spec)));
}

void gzip_seeds() {
  const Bytes text = test::to_bytes(small_csv(6, true, true, ','));
  write_seed("gzip", "plain.gz", test::gzip(text));
  write_seed("gzip", "fields.gz", test::gzip(text, {"data.csv", "a comment", {1, 2, 3, 4}, true}));
  write_seed("gzip", "empty.gz", test::gzip({}));
}

void idx_seeds() {
  const Bytes pixels = gradient(4 * 5, 5, 1, 3);
  const Bytes images = test::idx_images(4, 5, 5, pixels), labels = test::idx_labels({0, 1, 2, 9});
  Bytes pair, gz_pair, fashion;
  fuzz::append_record(pair, "images", images);
  fuzz::append_record(pair, "labels", labels);
  fuzz::append_record(gz_pair, "images", test::gzip(images));
  fuzz::append_record(gz_pair, "labels", test::gzip(labels));
  fuzz::append_record(fashion, "fashion", images);
  fuzz::append_record(fashion, "labels", labels);
  write_seed("idx", "pair", pair);
  write_seed("idx", "pair_gz", gz_pair);
  write_seed("idx", "fashion", fashion);
}

void csv_seeds() {
  write_seed("csv", "header_names", with_prefix(0, test::to_bytes(small_csv(5, true, true, ','))));
  write_seed("csv", "indices", with_prefix(0, test::to_bytes(small_csv(4, false, false, ';'))));
  write_seed("csv", "tabs_shape", with_prefix(0x80 | 3 | (3 << 3), test::to_bytes(small_csv(3, true, false, '\t'))));
  write_seed("csv", "bom_rgb", with_prefix(0, test::to_bytes("\xEF\xBB\xBFlabel,r,g,b\ncat,1,2,3\ndog,4,5,6\n")));
}

std::vector<std::pair<std::string, Bytes>> sample_images() {
  return {{"gray.png", test::encode_png(5, 4, 1, gradient(4, 5, 1, 1))},
          {"rgb.png", test::encode_png(3, 3, 3, gradient(3, 3, 3, 2))},
          {"rgba.png", test::encode_png(2, 3, 4, gradient(3, 2, 4, 3))},
          {"rgb.bmp", test::encode_bmp(3, 2, 3, gradient(2, 3, 3, 4))},
          {"gray.jpg", encode_jpeg(8, 8, 1, gradient(8, 8, 1, 5))},
          {"rgb.jpg", encode_jpeg(9, 7, 3, gradient(7, 9, 3, 6))},
          {"dot.gif", kGif1x1}};
}

void image_seeds() {
  for (const auto& [name, bytes] : sample_images()) {
    write_seed("image", name, with_prefix(0, bytes));
    write_seed("image", "resized_" + name, with_prefix(0x12, bytes));
  }
}

Bytes folder_zip() {
  test::ZipBuilder zip;
  zip.add_directory("data/");
  zip.add("data/cat/1.png", test::encode_png(4, 4, 1, gradient(4, 4, 1, 1)), true);
  zip.add("data/cat/2.bmp", test::encode_bmp(4, 4, 3, gradient(4, 4, 3, 2)));
  zip.add("data/dog/1.png", test::encode_png(4, 4, 1, gradient(4, 4, 1, 3)), true);
  zip.add("__MACOSX/data/._x", test::to_bytes("clutter"));
  return zip.build();
}

void zip_seeds() {
  write_seed("zip", "folder.zip", folder_zip());
  test::ZipBuilder csv_zip;
  csv_zip.add("train.csv", test::to_bytes(small_csv(6, true, true, ',')), true);
  write_seed("zip", "csv.zip", csv_zip.build());
  write_seed("zip", "empty.zip", test::ZipBuilder().build());
}

void dataset_seeds() {
  Bytes folder;
  int i = 0;
  for (const auto& [name, bytes] : sample_images())
    fuzz::append_record(folder, (i++ % 2 ? "cat/" : "dog/") + name, bytes);
  write_seed("dataset", "folder", with_prefix(0, folder));
  write_seed("dataset", "folder_resized", with_prefix(0x80 | 0x10 | 5, folder));

  Bytes zip, csv, csv_gz, idx;
  fuzz::append_record(zip, "upload.zip", folder_zip());
  fuzz::append_record(csv, "data.csv", test::to_bytes(small_csv(6, true, true, ',')));
  fuzz::append_record(csv_gz, "data.csv.gz", test::gzip(test::to_bytes(small_csv(4, false, false, ','))));
  const Bytes pixels = gradient(3 * 4, 4, 1, 9);
  fuzz::append_record(idx, "train-images-idx3-ubyte", test::idx_images(3, 4, 4, pixels));
  fuzz::append_record(idx, "train-labels-idx1-ubyte.gz", test::gzip(test::idx_labels({2, 0, 1})));
  write_seed("dataset", "zip", with_prefix(0, zip));
  write_seed("dataset", "csv", with_prefix(0, csv));
  write_seed("dataset", "csv_gz", with_prefix(0x80 | 3, csv_gz));
  write_seed("dataset", "idx", with_prefix(0, idx));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds OUT_DIR\n");
    return 2;
  }
  out_root = argv[1];
  model_seeds();
  arch_seeds();
  tfjs_seeds();
  onnx_seeds();
  gzip_seeds();
  idx_seeds();
  csv_seeds();
  image_seeds();
  zip_seeds();
  dataset_seeds();
  std::printf("fuzz_make_seeds: %d seeds in %s\n", seeds_written, argv[1]);
  return 0;
}
