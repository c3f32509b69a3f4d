// Crafted bad inputs through the real `distillery` executable: broken,
// truncated, hostile and oversized datasets, model files, architectures and
// images. Each must end in exit code 1, nothing on stdout and ONE line on
// stderr "distillery: <file or flag>: <problem>" naming the problem - never a
// crash, a hang or running out of memory. docs/RELIABILITY.md lists the cases.
// Then: failed loads leave earlier results untouched (CLI level; the engine
// level is tests/engine/limits/failed_load_test.cpp).
//
// Sections:
//   1. byte builders (stored deflate, gzip, ZIP, IDX, PNG/JPEG headers)
//   2. the cases: datasets, model files, architectures, images to predict
//   3. the tests
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "engine/data/crc32.h"

namespace distillery::testing {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using Json = nlohmann::json;

// ------------------------------------------------------------- 1. builders

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

void write_bytes(const std::string& path, const Bytes& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

Bytes read_bytes(const std::string& path) { return bytes_of(read_text(path)); }

void put_le(Bytes& out, uint64_t v, int n) {
  for (int k = 0; k < n; ++k) out.push_back(uint8_t(v >> (8 * k)));
}
void put_be32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

// Raw deflate made of stored blocks: valid for any decoder, no compressor needed.
Bytes stored_deflate(const Bytes& data) {
  Bytes out;
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(65535, data.size() - pos);
    out.push_back(pos + n == data.size() ? 1 : 0);
    put_le(out, n, 2);
    put_le(out, ~n & 0xFFFF, 2);
    out.insert(out.end(), data.begin() + long(pos), data.begin() + long(pos + n));
    pos += n;
  } while (pos < data.size());
  return out;
}

Bytes gzip_of(const Bytes& data) {
  Bytes out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
  const Bytes payload = stored_deflate(data);
  out.insert(out.end(), payload.begin(), payload.end());
  put_le(out, crc32(data.data(), data.size()), 4);
  put_le(out, data.size(), 4);
  return out;
}

struct ZipEntry {
  std::string name;
  Bytes data;
  uint16_t method = 8;  // 0 stored, 8 deflated; anything else is written stored
  uint16_t flags = 0;
};

Bytes zip_of(const std::vector<ZipEntry>& entries) {
  Bytes out, central;
  for (const ZipEntry& e : entries) {
    const Bytes payload = e.method == 8 ? stored_deflate(e.data) : e.data;
    const uint32_t crc = crc32(e.data.data(), e.data.size());
    const uint32_t offset = uint32_t(out.size());
    for (Bytes* h : {&out, &central}) {
      const bool is_central = h == &central;
      put_le(*h, is_central ? 0x02014b50 : 0x04034b50, 4);
      if (is_central) put_le(*h, 20, 2);  // version made by
      for (uint64_t v : {20, int(e.flags), int(e.method), 0, 0}) put_le(*h, v, 2);
      put_le(*h, crc, 4);
      put_le(*h, payload.size(), 4);
      put_le(*h, e.data.size(), 4);
      put_le(*h, e.name.size(), 2);
      put_le(*h, 0, 2);  // extra length
      if (is_central) {
        for (int field : {2, 2, 2, 4}) put_le(*h, 0, field);  // comment length, disk, internal and external attributes
        put_le(*h, offset, 4);
      }
      h->insert(h->end(), e.name.begin(), e.name.end());
    }
    out.insert(out.end(), payload.begin(), payload.end());
  }
  const uint32_t central_offset = uint32_t(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 4);
  put_le(out, entries.size(), 2);
  put_le(out, entries.size(), 2);
  put_le(out, central.size(), 4);
  put_le(out, central_offset, 4);
  put_le(out, 0, 2);
  return out;
}

Bytes idx_images(uint32_t count, uint32_t height, uint32_t width, size_t bytes_present) {
  Bytes out;
  for (uint32_t v : {0x803u, count, height, width}) put_be32(out, v);
  for (size_t i = 0; i < bytes_present; ++i) out.push_back(uint8_t(i * 13));
  return out;
}

Bytes idx_labels(const Bytes& labels) {
  Bytes out;
  put_be32(out, 0x801);
  put_be32(out, uint32_t(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

Bytes jpeg_claiming(uint16_t width, uint16_t height) {
  return {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, uint8_t(height >> 8), uint8_t(height), uint8_t(width >> 8),
          uint8_t(width), 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9};
}

// ------------------------------------------------------------- 2. the cases

struct BadInput {
  std::string what;     // the crafted input, for the table in docs/RELIABILITY.md
  std::string args;     // the command line after "distillery"
  std::string names;    // the message starts "distillery: " + names
  std::string problem;  // and contains this
};

// Writes every crafted file under dir/bad and returns the cases. `model` is a
// good model trained on 8x8 gray band images, `csv` a good dataset for it.
std::vector<BadInput> make_cases(const TempDir& dir, const std::string& model, const std::string& csv) {
  std::vector<BadInput> cases;
  const std::string bad = dir.file("bad");
  fs::create_directories(bad);
  const std::string good_csv = read_text(csv);
  // Dataset cases run `eval --model M --data X`; the message names X (CSV
  // messages go on with " line N:").
  auto data_case = [&](const std::string& what, const std::string& name, const Bytes& bytes,
                       const std::string& problem) {
    const std::string path = bad + "/" + name;
    write_bytes(path, bytes);
    cases.push_back({what, "eval --model " + model + " --data " + path, path, problem});
  };
  auto folder_case = [&](const std::string& what, const std::string& folder,
                         const std::vector<std::pair<std::string, Bytes>>& files, const std::string& names,
                         const std::string& problem) {
    const std::string path = bad + "/" + folder;
    fs::create_directories(path);
    for (const auto& [name, bytes] : files) write_bytes(path + "/" + name, bytes);
    cases.push_back({what, "eval --model " + model + " --data " + path, path + ": " + names, problem});
  };

  // --- CSV
  data_case("empty CSV file", "empty.csv", {}, "the CSV file is empty");
  data_case("CSV with a single column", "one_column.csv", bytes_of("label\ncat\ndog\n"), "found a single column");
  data_case("CSV pixel value out of range", "pixel300.csv", bytes_of("cat,1,2,3,300\ndog,0,0,0,0\n"),
            "pixel value '300' is not a number from 0 to 255");
  data_case("CSV row with a missing cell", "ragged.csv", bytes_of("cat,1,2,3,4\ndog,1,2,3\n"),
            "expected 5 cells (a label and 4 pixels), found 4");
  data_case("CSV text where a pixel belongs", "word_pixel.csv", bytes_of("cat,1,2,3,4\ndog,1,abc,3,4\n"),
            "line 2, column 3: pixel value 'abc'");
  data_case("CSV header without rows", "header_only.csv", bytes_of("label,p0,p1,p2,p3\n"),
            "has a header but no data rows");
  data_case("CSV with 7 pixel columns (no image shape)", "seven.csv", bytes_of("cat,1,2,3,4,5,6,7\n"),
            "cannot infer an image shape from 7 pixel columns");
  data_case("CSV class index 20000", "big_label.csv", bytes_of("20000,1,2,3,4\n1,1,2,3,4\n"),
            "label 20000 is too large");
  data_case("CSV row with an empty label", "empty_label.csv", bytes_of("cat,1,2,3,4\n\"\",1,2,3,4\n"),
            "line 2: empty label");
  data_case("binary bytes named .csv", "binary.csv", Bytes(1024, 0x01), "found a single column");

  // --- gzip
  const Bytes gz = gzip_of(bytes_of(good_csv));
  data_case("truncated .csv.gz (half a download)", "truncated.csv.gz", Bytes(gz.begin(), gz.begin() + long(gz.size() / 2)),
            "truncated or corrupt gzip file");
  Bytes gz_crc = gz;
  gz_crc[gz_crc.size() - 8] ^= 0xFF;
  data_case("gzip with a wrong CRC-32", "bad_crc.csv.gz", gz_crc, "gzip CRC-32 mismatch");
  Bytes gz_claim = gz;
  for (int k = 0; k < 4; ++k) gz_claim[gz_claim.size() - 4 + size_t(k)] = k ? 0xFF : 0xF0;
  data_case("gzip trailer claiming 4 GB", "claims_4gb.csv.gz", gz_claim, "its trailer records 4294967280 bytes");

  // --- ZIP
  const Bytes zip = zip_of({{"d.csv", bytes_of(good_csv)}});
  data_case("truncated ZIP (half a download)", "truncated.zip", Bytes(zip.begin(), zip.begin() + long(zip.size() / 2)),
            "no end of central directory record");
  data_case("ZIP with no files", "empty.zip", zip_of({}), "the archive holds no files");
  data_case("ZIP entry with '..'", "dotdot.zip", zip_of({{"../d.csv", bytes_of(good_csv)}}),
            "entry '../d.csv' has a '..' path component");
  data_case("ZIP entry with an absolute path", "absolute.zip", zip_of({{"/tmp/d.csv", bytes_of(good_csv)}}),
            "entry '/tmp/d.csv' has an absolute path");
  data_case("ZIP entry with a drive letter", "drive.zip", zip_of({{"C:\\d.csv", bytes_of(good_csv)}}),
            "has an absolute path");
  data_case("password-protected ZIP", "encrypted.zip", zip_of({{"d.csv", bytes_of(good_csv), 0, 1}}),
            "is encrypted");
  data_case("ZIP with bzip2 compression", "bzip2.zip", zip_of({{"d.csv", bytes_of(good_csv), 12}}),
            "uses compression method 12");
  Bytes zip_crc = zip;
  zip_crc[30 + 5 + 5 + 10] ^= 0xFF;  // a byte of the CSV inside the entry (local header, name, block header)
  data_case("ZIP entry with corrupt data", "corrupt.zip", zip_crc, "CRC-32 mismatch");
  data_case("ZIP inside a ZIP", "nested.zip", zip_of({{"inner.zip", zip, 0}}), "a ZIP inside a ZIP is not supported");
  Bytes zip_bomb_claim = zip;  // central directory: uncompressed size 4 GB - 1
  const size_t central = zip.size() - 22 - (46 + 5);
  for (int k = 0; k < 4; ++k) zip_bomb_claim[central + 24 + size_t(k)] = 0xFF;
  data_case("ZIP entry claiming 4 GB (zip bomb)", "bomb.zip", zip_bomb_claim,
            "more than the limit of 1073741824 bytes");

  // --- image folders
  const std::string png_path = dir.file("good.png");
  write_png(png_path, Bytes(64, 128), 8, 8, 1);
  const Bytes png = read_bytes(png_path);
  Bytes huge_png = png;
  for (int k = 0; k < 8; ++k) huge_png[16 + size_t(k)] = Bytes{0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0}[size_t(k)];
  folder_case("folder with one class only", "one_class", {{"cat/1.png", png}, {"cat/2.png", png}},
              "dataset has only one class 'cat'", "at least two class folders");
  folder_case("truncated PNG in a folder", "truncated_png", {{"cat/1.png", png}, {"dog/1.png", Bytes(png.begin(), png.begin() + 40)}},
              "dog/1.png:", "cannot decode the image");
  folder_case("PNG header claiming 100000x100000", "huge_png", {{"cat/1.png", png}, {"dog/1.png", huge_png}},
              "dog/1.png:", "100000x100000 pixels is over the limit");
  folder_case("JPEG header claiming 60000x60000", "huge_jpeg", {{"cat/1.png", png}, {"dog/1.jpg", jpeg_claiming(60000, 60000)}},
              "dog/1.jpg:", "60000x60000 pixels is over the limit");
  folder_case("text file named .png", "text_png", {{"cat/1.png", png}, {"dog/1.png", bytes_of("hello")}}, "dog/1.png:",
              "not a supported image");
  folder_case("images outside class folders", "no_classes", {{"1.png", png}, {"2.png", png}}, "1.png:",
              "not inside a class folder");
  fs::create_directories(bad + "/empty_folder");
  cases.push_back({"empty folder", "eval --model " + model + " --data " + bad + "/empty_folder",
                   bad + "/empty_folder:", "the folder is empty"});

  // --- IDX
  fs::create_directories(bad + "/idx_alone");
  data_case("IDX images without labels", "idx_alone/train-images-idx3-ubyte", idx_images(2, 8, 8, 128),
            "IDX images need their labels file too");
  auto idx_case = [&](const std::string& what, const std::string& folder, const Bytes& images, const Bytes& labels,
                      const std::string& names_file, const std::string& problem) {
    const std::string path = bad + "/" + folder;
    write_bytes(path + "/train-images-idx3-ubyte", images);
    write_bytes(path + "/train-labels-idx1-ubyte", labels);
    cases.push_back({what, "eval --model " + model + " --data " + path + "/train-images-idx3-ubyte",
                     path + "/" + names_file + ":", problem});
  };
  idx_case("IDX declaring 1000 images, holding 2", "idx_count", idx_images(1000, 8, 8, 128), idx_labels(Bytes(1000, 0)),
           "train-images-idx3-ubyte", "declares 1000 images of 8x8 (64000 bytes) but holds only 128 bytes");
  idx_case("IDX declaring 4 billion images", "idx_billions", idx_images(0xFFFFFFFF, 8, 8, 128), idx_labels({0, 1}),
           "train-images-idx3-ubyte", "declares 4294967295 images");
  idx_case("IDX with 3 labels for 2 images", "idx_mismatch", idx_images(2, 8, 8, 128), idx_labels({0, 1, 2}),
           "train-labels-idx1-ubyte", "has 3 labels but");
  idx_case("IDX images and labels swapped", "idx_swapped", idx_labels({0, 1}), idx_images(2, 8, 8, 128),
           "train-images-idx3-ubyte", "too short for an IDX images header");
  idx_case("IDX with trailing bytes", "idx_trailing", idx_images(2, 8, 8, 130), idx_labels({0, 1}),
           "train-images-idx3-ubyte", "2 unexpected bytes after the declared images");
  idx_case("IDX of 1 x 20000 x 8 images", "idx_wide", idx_images(1, 20000, 8, 160000), idx_labels({0}),
           "train-images-idx3-ubyte", "implausible IDX dimensions");
  data_case("unknown format", "data.bin", bytes_of("\x01\x02\x03 random"), "unknown dataset format");
  data_case("a single image as the dataset", "one.png", png, "a single image is not a dataset");

  // --- model files: `eval --model X --data good.csv`
  const std::string good_model = read_text(model);
  auto model_case = [&](const std::string& what, const std::string& name, const std::string& text,
                        const std::string& problem) {
    const std::string path = bad + "/" + name;
    write_text(path, text);
    cases.push_back({what, "eval --model " + path + " --data " + csv, path + ":", problem});
  };
  auto edited_model = [&](const std::function<void(Json&)>& edit) {
    Json doc = Json::parse(good_model);
    edit(doc);
    return doc.dump();
  };
  // The first dense layer (the model is flatten, dense:16, relu, dense:3).
  auto dense_of = [](Json& doc) -> Json& {
    for (Json& layer : doc["layers"])
      if (layer["type"] == "dense") return layer;
    return doc["layers"][0];
  };
  model_case("empty model file", "empty.json", "", "the file is empty");
  model_case("truncated model file", "truncated.json", good_model.substr(0, good_model.size() / 2), "not valid JSON");
  model_case("JSON array instead of a model", "array.json", "[1, 2, 3]", "a model file must be a JSON object");
  model_case("TF.js model.json given as a model", "tfjs.json", R"({"modelTopology": {}, "weightsManifest": []})",
             "this is a TensorFlow.js model");
  model_case("another format name", "keras.json", edited_model([](Json& d) { d["format"] = "keras"; }),
             "\"format\" is \"keras\"");
  model_case("a newer format version", "v99.json", edited_model([](Json& d) { d["version"] = 99; }),
             "\"version\" 99 is newer than this build");
  model_case("unknown layer type", "lstm.json", edited_model([](Json& d) { d["layers"][0]["type"] = "lstm"; }),
             "unknown layer type 'lstm'");
  model_case("a billion units", "billion.json", edited_model([&](Json& d) { dense_of(d)["units"] = 1000000000; }),
             "units must be between 1 and 1048576");
  model_case("over the parameter limit", "params.json",
             edited_model([&](Json& d) {
               d["input_shape"] = {4096};
               dense_of(d)["units"] = 1048576;
             }),
             "over the limit of 67108864 parameters");
  model_case("input shape over the limit", "huge_input.json",
             edited_model([](Json& d) { d["input_shape"] = {16777216, 16777216, 16777216}; }),
             "over the limit of 16777216 values per sample");
  std::string deep = good_model;
  deep.insert(deep.rfind('}'), ",\"x\":" + std::string(100000, '[') + std::string(100000, ']'));
  model_case("arrays nested 100000 deep", "deep.json", deep, "nests arrays/objects deeper than 256 levels");
  model_case("missing weights", "no_kernel.json",
             edited_model([&](Json& d) { dense_of(d)["weights"].erase("kernel"); }), "weights.kernel is missing");
  model_case("weights of the wrong shape", "wrong_shape.json",
             edited_model([&](Json& d) { dense_of(d)["weights"]["kernel"]["shape"] = {3, 4}; }),
             "weights.kernel has shape [3, 4]");
  model_case("a weight outside float32", "overflow.json",
             edited_model([&](Json& d) { dense_of(d)["weights"]["bias"]["data"][0] = 1e39; }),
             "is outside the float32 range");
  model_case("broken base64 weights", "base64.json",
             edited_model([&](Json& d) {
               Json& bias = dense_of(d)["weights"]["bias"];
               bias.erase("data");
               bias["base64"] = "!!!!";
             }),
             "invalid base64 character");
  model_case("class names not matching the outputs", "classes.json",
             edited_model([](Json& d) { d["class_names"] = {"a", "b"}; }), "has 2 names but the model outputs 3");
  model_case("mask values other than 0 and 1", "mask.json",
             edited_model([&](Json& d) {
               Json& layer = dense_of(d);
               layer["mask"] = {{"bias", layer["weights"]["bias"]}};
               layer["mask"]["bias"]["data"][0] = 0.5;
             }),
             "is not 0 or 1");

  const std::string huge_model = bad + "/huge.json";  // sparse: takes no disk space
  write_text(huge_model, "{");
  fs::resize_file(huge_model, (uintmax_t(1) << 30) + 1);
  cases.push_back({"model file of 1 GiB + 1 byte", "eval --model " + huge_model + " --data " + csv, huge_model + ":",
                   "the file is 1073741825 bytes, over the limit of 1073741824 bytes"});

  // --- architectures: `train --arch X`
  auto arch_case = [&](const std::string& what, const std::string& arch, const std::string& problem) {
    cases.push_back({what, "train --data " + csv + " --arch '" + arch + "' --out " + bad + "/never.json", "--arch:",
                     problem});
  };
  arch_case("zero units", "dense:0", "UNITS must be a whole number from 1 to 1048576");
  arch_case("a billion units", "dense:1000000000", "UNITS must be a whole number");
  arch_case("convolution after a dense layer", "dense:8,conv:8:3", "comes after a flat (dense or flatten) layer");
  arch_case("JSON architecture nested 300 deep", std::string(300, '[') + std::string(300, ']'),
            "deeper than 256 levels");
  arch_case("JSON architecture with a billion units", R"([{"type": "dense", "units": 1000000000}])",
            "dense: units must be between 1 and 1048576, got 1000000000");

  // --- images to classify: `predict --model M X`
  auto predict_case = [&](const std::string& what, const std::string& name, const Bytes& bytes,
                          const std::string& problem) {
    const std::string path = bad + "/" + name;
    write_bytes(path, bytes);
    cases.push_back({what, "predict --model " + model + " " + path, path + ":", problem});
  };
  predict_case("predict: truncated PNG", "p_truncated.png", Bytes(png.begin(), png.begin() + 40), "cannot decode");
  predict_case("predict: PNG claiming 100000x100000", "p_huge.png", huge_png, "over the limit");
  predict_case("predict: text named .png", "p_text.png", bytes_of("text"), "not a supported image");
  return cases;
}

// ------------------------------------------------------------- 3. the tests

class CliBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = train_quick_model(dir_);
    csv_ = dir_.file("quick_train.csv");
  }
  TempDir dir_;
  std::string model_, csv_;
};

// With DISTILLERY_BAD_INPUTS_TABLE=FILE set, the cases and the messages the
// CLI printed are written to FILE as the Markdown table of docs/RELIABILITY.md.
TEST_F(CliBadInputTest, EachCraftedInputEndsInItsOneLineMessage) {
  const std::vector<BadInput> cases = make_cases(dir_, model_, csv_);
  EXPECT_GE(cases.size(), 40u);
  std::string table = "| # | crafted input | command | message (temporary folder shown as ...) |\n|---|---|---|---|\n";
  int number = 0;
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.what + ": distillery " + c.args.substr(0, 300));
    const RunResult r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    const auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << r.err.substr(0, 2000);
    EXPECT_EQ(lines[0].rfind("distillery: " + c.names, 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find(c.problem), std::string::npos) << lines[0] << "\nexpected: " << c.problem;
    std::string message = lines[0];
    for (size_t at; (at = message.find(dir_.path())) != std::string::npos;) message.replace(at, dir_.path().size(), "...");
    table += "| " + std::to_string(++number) + " | " + c.what + " | `" + c.args.substr(0, c.args.find(' ')) + "` | " +
             message.substr(0, 240) + " |\n";
  }
  if (const char* path = std::getenv("DISTILLERY_BAD_INPUTS_TABLE")) write_text(path, table);
}

TEST_F(CliBadInputTest, FailedLoadsLeaveEarlierResultsUntouched) {
  const std::string eval = "eval --model " + model_ + " --data " + csv_ + " --json";
  const RunResult before = run_cli(eval);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const std::string model_bytes = read_text(model_);

  // Every command below would write over the good model; each fails on a bad input.
  const std::string bad_csv = dir_.file("bad.csv"), bad_model = dir_.file("bad.json");
  write_text(bad_csv, "cat,1,2,3,300\n");
  write_text(bad_model, read_text(model_).substr(0, 200));
  const std::string out = " --out " + model_;
  const std::vector<std::string> failing = {
      "train --data " + bad_csv + " --arch dense:4" + out,
      "train --data " + csv_ + " --arch dense:4 --epochs 1 --test-data " + bad_csv + out,  // fails after training
      "train --data " + csv_ + " --arch dense:1000000000" + out,
      "distill --teacher " + bad_model + " --data " + csv_ + " --arch dense:4" + out,
      "distill --teacher " + model_ + " --data " + bad_csv + " --arch dense:4" + out,
      "prune --model " + bad_model + " --data " + csv_ + " --method magnitude --sparsity 0.5" + out,
      "prune --model " + model_ + " --data " + bad_csv + " --method magnitude --sparsity 0.5" + out,
  };
  for (const std::string& args : failing) {
    SCOPED_TRACE(args);
    const RunResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(read_text(model_), model_bytes);
    EXPECT_FALSE(fs::exists(model_ + ".partial"));
  }
  // The good model and data still work, with the same results as before.
  const RunResult after = run_cli(eval);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  const Json a = Json::parse(before.out), b = Json::parse(after.out);
  EXPECT_EQ(a["accuracy"], b["accuracy"]);
  EXPECT_EQ(a["confusion"], b["confusion"]);
  EXPECT_EQ(a["params"], b["params"]);
}

}  // namespace
}  // namespace distillery::testing
