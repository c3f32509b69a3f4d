// Failed loads leave the earlier state untouched (engine level): a good model
// and dataset are loaded, then a series of bad files is tried in their place,
// as the app and the CLI do (`model = load_model_json(...)` inside a try).
// Every bad load must fail with an Error, and afterwards the good model must
// still predict the same logits bit for bit and save to the same text, and
// the good dataset must still hold the same pixels and labels.
// The CLI-level version is tests/cli/cli_bad_input_test.cpp.
#include <gtest/gtest.h>

#include <cstring>

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/data/data_builders.h"
#include "engine/data/dataset_decoding.h"
#include "engine/io/model_json.h"
#include "engine/model/arch_spec.h"

namespace distillery {
namespace {

using test::Bytes;

std::string good_model_text() {
  Rng rng(3);
  Model model = Model::from_layer_configs(parse_arch_spec("conv:2:3,pool:2,dense:6", 3, 3), Shape{4, 4, 1}, rng);
  model.class_names = {"a", "b", "c"};
  return save_model_json(model);
}

std::vector<FileEntry> good_dataset_files() {
  std::string csv = "label";
  for (int p = 0; p < 16; ++p) csv += ",p" + std::to_string(p);
  csv += "\n";
  for (int r = 0; r < 9; ++r) {
    csv += std::string(1, char('a' + r % 3));
    for (int p = 0; p < 16; ++p) csv += "," + std::to_string((r * 31 + p * 7) % 256);
    csv += "\n";
  }
  return {{"good.csv", test::to_bytes(csv)}};
}

Tensor logits_of(Model& model, const Dataset& data) {
  std::vector<int> indices(size_t(data.size()));
  for (int i = 0; i < data.size(); ++i) indices[size_t(i)] = i;
  Tensor batch;
  gather_batch(data, indices.data(), data.size(), model.preprocessing, batch);
  return model.predict_logits(batch);
}

std::vector<std::string> bad_model_texts(const std::string& good) {
  std::vector<std::string> bad = {
      good.substr(0, good.size() / 2),                   // truncated download
      "",                                                // empty file
      "{\"modelTopology\": {}, \"weightsManifest\": []}",  // TF.js, not ours
      std::string(100000, '[') + std::string(100000, ']'),
  };
  std::string huge = good;
  huge.replace(huge.find("\"units\": 6"), 10, "\"units\": 1000000000");
  bad.push_back(huge);
  std::string wrong_classes = good;
  wrong_classes.replace(wrong_classes.find("\"a\""), 3, "\"b\"");
  bad.push_back(wrong_classes);
  return bad;
}

std::vector<std::vector<FileEntry>> bad_datasets() {
  std::vector<std::vector<FileEntry>> bad;
  bad.push_back({{"bad.csv", test::to_bytes("label,p0\ncat,300\n")}});
  bad.push_back({{"trunc.zip", Bytes{0x50, 0x4b, 0x03, 0x04, 1, 2, 3}}});
  bad.push_back({{"evil.zip", test::ZipBuilder().add("../x/1.png", test::solid_png(2, 2, {0})).build()}});
  Bytes png = test::solid_png(2, 2, {0});
  png[16] = 0x7F;  // width 2 billion
  bad.push_back({{"cat/1.png", png}, {"dog/1.png", test::solid_png(2, 2, {9})}});
  bad.push_back({{"train-images-idx3-ubyte", test::idx_images(5, 2, 2, Bytes(4, 0))}});
  return bad;
}

TEST(FailedLoadTest, BadModelsAndDatasetsLeaveTheGoodOnesWorking) {
  const std::string good_text = good_model_text();
  Model model = load_model_json(good_text);
  Dataset data = decode_dataset(good_dataset_files());
  ASSERT_EQ(data.size(), 9);
  const Tensor before = logits_of(model, data);
  const std::vector<uint8_t> pixels = data.pixels;
  const std::vector<int> labels = data.labels;

  int rejected = 0;
  for (const std::string& text : bad_model_texts(good_text)) {
    try {
      model = load_model_json(text);
      ADD_FAILURE() << "a bad model loaded: " << text.substr(0, 80);
    } catch (const Error&) {
      ++rejected;
    }
  }
  for (const auto& files : bad_datasets()) {
    try {
      data = decode_dataset(files);
      ADD_FAILURE() << "a bad dataset loaded: " << files[0].path;
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, 11);

  EXPECT_EQ(data.pixels, pixels);
  EXPECT_EQ(data.labels, labels);
  EXPECT_EQ((std::vector<std::string>{"a", "b", "c"}), data.class_names);
  const Tensor after = logits_of(model, data);
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(std::memcmp(after.data(), before.data(), size_t(before.size()) * sizeof(float)), 0);
  EXPECT_EQ(save_model_json(model), good_text);
}

}  // namespace
}  // namespace distillery
