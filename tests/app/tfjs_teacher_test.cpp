// TensorFlow.js models through the app, the way a user brings them: the
// Teacher panel's picker (several files), a drop of one ZIP, and the JS API;
// errors keep the earlier teacher; the Export panel's TF.js downloads load
// back with the same predictions. (The browser test tests/web/tfjs_ui.test.mjs
// does the same against the real TensorFlow.js.)
#include <gtest/gtest.h>

#include <cmath>

#include "app/actions.h"
#include "app/app.h"
#include "app/app_api.h"
#include "app/model_upload.h"
#include "app/zip_archive.h"
#include "app/runtime_info.h"
#include "app_test_data.h"
#include "engine/core/settings.h"
#include "engine/data/zip.h"
#include "engine/io/base64.h"
#include "engine/io/tfjs_import.h"
#include "engine/io/tfjs_test_util.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;

constexpr int kSize = 12, kClasses = 3;

std::vector<uint8_t> bytes_of(const std::string& text) { return std::vector<uint8_t>(text.begin(), text.end()); }

// A Keras-style MLP as TF.js saves it: flat input of 144 pixels, one dense
// softmax layer whose weights pick out each class's vertical band (the band
// dataset's classes), the weights cut into two shards.
struct BandTfjsModel {
  test::TfjsModelBuilder builder{{kSize * kSize}};
  std::vector<float> kernel, bias{0.3f, -0.2f, 0.1f};

  explicit BandTfjsModel(int classes = kClasses, const std::string& layer = "Dense") {
    builder.layer(layer, "dense_Dense1", {{"units", classes}, {"activation", "softmax"}, {"use_bias", true}});
    kernel.resize(static_cast<size_t>(kSize * kSize * classes));
    for (int i = 0; i < kSize * kSize; ++i)
      for (int k = 0; k < classes; ++k) kernel[i * classes + k] = (i % kSize) * classes / kSize == k ? 0.15f : -0.02f;
    bias.resize(static_cast<size_t>(classes), 0.0f);
    builder.weights.push_back({"dense_Dense1/kernel", {kSize * kSize, classes}, kernel});
    builder.weights.push_back({"dense_Dense1/bias", {classes}, bias});
  }

  std::vector<FileEntry> files() const {
    const auto shards = builder.shards(2);
    return {{"model.json", bytes_of(builder.model_json(2))},
            {"group1-shard1of2.bin", shards[0]},
            {"group1-shard2of2.bin", shards[1]}};
  }

  // softmax(x W + b) with x = pixel / 255, computed here independently.
  std::vector<float> probabilities(const uint8_t* pixels) const {
    const int classes = static_cast<int>(bias.size());
    std::vector<double> z(bias.begin(), bias.end());
    for (int i = 0; i < kSize * kSize; ++i)
      for (int k = 0; k < classes; ++k) z[k] += pixels[i] / 255.0 * kernel[i * classes + k];
    double top = *std::max_element(z.begin(), z.end()), sum = 0;
    for (double& v : z) sum += v = std::exp(v - top);
    std::vector<float> p;
    for (double v : z) p.push_back(static_cast<float>(v / sum));
    return p;
  }
};

class TfjsTeacher : public ::testing::Test {
 protected:
  TfjsTeacher() : app(detect_runtime(), platform), api(app) {}

  void load_bands() {
    for (auto& f : band_dataset_files(240)) api.stage_file(f.path, f.bytes);
    const nlohmann::json loaded = run_job(app, api, "loadDataset");
    ASSERT_TRUE(loaded["value"]["ok"]) << loaded.dump();
  }

  // The teacher's probability of every class for dataset sample i, by class index.
  std::vector<float> teacher_probabilities(int i) {
    const Dataset& d = *app.session.dataset;
    std::vector<float> p(static_cast<size_t>(app.session.teacher->num_outputs()));
    for (const ClassScore& s : predict_pixels(*app.session.teacher, &d.pixels[static_cast<size_t>(i) * d.image_bytes()]))
      p[s.index] = s.probability;
    return p;
  }

  std::string banner() const { return app.notices.banner() ? app.notices.banner()->text : ""; }

  NullPlatform platform;
  App app;
  AppApi api;
};

TEST_F(TfjsTeacher, ModelJsonWithItsShardsFromThePickerBecomesTheTeacher) {
  load_bands();
  const BandTfjsModel tfjs;
  app.receive_files(UploadPurpose::kTeacher, tfjs.files());
  ASSERT_NE(app.session.teacher, nullptr) << banner();
  const Model& t = *app.session.teacher;
  EXPECT_EQ(t.input_shape(), (Shape{kSize, kSize, 1}));
  EXPECT_EQ(t.class_names, app.session.dataset->class_names);  // the counts match: the dataset's names
  EXPECT_FLOAT_EQ(t.preprocessing.scale, 1.0f / 255.0f);
  EXPECT_NE(app.session.teacher_source.find("model.json + 2 weight files (TF.js)"), std::string::npos);

  const Dataset& d = *app.session.dataset;
  for (int i : {0, 1, 2, 100}) {
    const std::vector<float> want = tfjs.probabilities(&d.pixels[static_cast<size_t>(i) * d.image_bytes()]);
    const std::vector<float> got = teacher_probabilities(i);
    for (int k = 0; k < kClasses; ++k) EXPECT_NEAR(got[k], want[k], 1e-5) << "sample " << i << " class " << k;
  }

  // Distilling from it works as from any teacher.
  const nlohmann::json distilled = run_job(app, api, "distill",
      {{"arch", "dense:8"}, {"temperature", 2}, {"alpha", 0.1}, {"epochs", 4}, {"batch", 32}, {"lr", 0.01}, {"seed", 3}});
  ASSERT_TRUE(distilled["value"]["ok"]) << distilled.dump();
  EXPECT_GE(distilled["value"]["result"]["agreement"].get<double>(), 0.9) << distilled.dump();
}

TEST_F(TfjsTeacher, AZipDroppedOnThePageIsRecognisedAsAModelAndTheScaleCanBeSet) {
  load_bands();
  std::vector<FileEntry> inside = BandTfjsModel().files();
  for (FileEntry& f : inside) f.path = "band-mlp/" + f.path;  // zipped as a folder
  const std::vector<FileEntry> dropped = {{"band-mlp.zip", zip_store(inside)}};
  EXPECT_TRUE(looks_like_model_upload(dropped));
  EXPECT_FALSE(looks_like_model_upload({{"images.zip", zip_store({{"cat/1.png", {1, 2}}, {"dog/2.png", {3}}})}}));
  EXPECT_FALSE(looks_like_model_upload(band_dataset_files(6)));

  app.teacher_panel.custom_tfjs_scale = true;
  app.teacher_panel.tfjs_scale = 0.5f;
  app.receive_files(UploadPurpose::kAuto, dropped);
  ASSERT_NE(app.session.teacher, nullptr) << banner();
  EXPECT_EQ(app.session.teacher_source, "band-mlp.zip (TF.js)");
  EXPECT_FLOAT_EQ(app.session.teacher->preprocessing.scale, 0.5f);
  EXPECT_EQ(app.selected, PanelId::kTeacher);  // a drop shows what was dropped
}

TEST_F(TfjsTeacher, ErrorsNameTheProblemAndTheEarlierTeacherStays) {
  load_bands();
  const nlohmann::json trained =
      run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 1}, {"batch", 32}, {"lr", 0.01}, {"seed", 1}});
  ASSERT_TRUE(trained["value"]["ok"]) << trained.dump();
  const std::shared_ptr<Model> earlier = app.session.teacher;

  std::vector<FileEntry> missing = BandTfjsModel().files();
  missing.pop_back();
  app.receive_files(UploadPurpose::kTeacher, missing);
  EXPECT_NE(banner().find("needs the weight file 'group1-shard2of2.bin', which was not given"), std::string::npos)
      << banner();
  EXPECT_EQ(app.session.teacher, earlier);

  app.receive_files(UploadPurpose::kTeacher, BandTfjsModel(kClasses, "LSTM").files());
  EXPECT_NE(banner().find("layer 'dense_Dense1' (LSTM) is not supported"), std::string::npos) << banner();
  EXPECT_EQ(app.session.teacher, earlier);

  app.receive_files(UploadPurpose::kTeacher, BandTfjsModel(4).files());
  EXPECT_NE(banner().find("has 4 outputs but the dataset has 3 classes"), std::string::npos) << banner();
  EXPECT_EQ(app.session.teacher, earlier);

  app.receive_files(UploadPurpose::kTeacher, {{"group1-shard1of2.bin", {1, 2, 3, 4}}});
  EXPECT_NE(banner().find("no TF.js model.json"), std::string::npos) << banner();
  EXPECT_EQ(app.session.teacher, earlier);

  // The API rejects the same way.
  const std::vector<FileEntry> again = BandTfjsModel(4).files();
  for (const FileEntry& f : again) api.stage_file(f.path, f.bytes);
  const nlohmann::json reply = api.call_json("loadTeacherFiles", nlohmann::json::object());
  EXPECT_FALSE(reply["ok"].get<bool>());
  EXPECT_EQ(app.session.teacher, earlier);
}

TEST_F(TfjsTeacher, TheApiLoadsTfjsFilesAndExportsTheStudentAsTfjs) {
  load_bands();
  for (const FileEntry& f : BandTfjsModel().files()) api.stage_file(f.path, f.bytes);
  const nlohmann::json loaded = api.call_json("loadTeacherFiles", {{"inputScale", 0.004}});
  ASSERT_TRUE(loaded["ok"].get<bool>()) << loaded.dump();
  EXPECT_EQ(loaded["value"]["format"], "tfjs");
  EXPECT_NEAR(loaded["value"]["inputScale"].get<double>(), 0.004, 1e-7);
  EXPECT_EQ(loaded["value"]["classes"], app.session.dataset->class_names);

  const nlohmann::json distilled = run_job(app, api, "distill",
      {{"arch", "dense:8"}, {"temperature", 2}, {"alpha", 0.1}, {"epochs", 2}, {"batch", 32}, {"lr", 0.01}, {"seed", 3}});
  ASSERT_TRUE(distilled["value"]["ok"]) << distilled.dump();

  // ZIP: model.json + weights.bin, named after the student file.
  nlohmann::json reply = api.call_json("exportTfjs", {{"zip", true}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  const nlohmann::json zip = reply["value"]["files"][0];
  const std::string zip_name = zip["name"];
  EXPECT_EQ(zip_name, student_file_name(app).substr(0, student_file_name(app).size() - 5) + "-tfjs.zip");
  EXPECT_EQ(zip_name.rfind("student-dense8-distilled-T2-a0.1", 0), 0u) << zip_name;
  const std::vector<FileEntry> unpacked = unzip(base64_decode(zip["base64"].get<std::string>()), zip_name);
  ASSERT_EQ(unpacked.size(), 2u);
  EXPECT_EQ(unpacked[0].path, "model.json");
  EXPECT_EQ(unpacked[1].path, "weights.bin");
  const Model from_zip = import_tfjs_files(unpacked);

  // Two files: the manifest names the second.
  reply = api.call_json("exportTfjs", {{"zip", false}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  const nlohmann::json two = reply["value"]["files"];
  ASSERT_EQ(two.size(), 2u);
  const std::string json_text = [&] {
    const auto b = base64_decode(two[0]["base64"].get<std::string>());
    return std::string(b.begin(), b.end());
  }();
  EXPECT_EQ(tfjs_weight_paths(json_text), std::vector<std::string>{two[1]["name"].get<std::string>()});
  const Model from_files = import_tfjs_model(json_text, {base64_decode(two[1]["base64"].get<std::string>())});

  // Both give the student's probabilities, and keep its preprocessing and class names.
  const Dataset& d = *app.session.dataset;
  for (const Model* m : {&from_zip, &from_files}) {
    EXPECT_EQ(m->class_names, app.session.student->class_names);
    EXPECT_FLOAT_EQ(m->preprocessing.scale, 0.004f);
    Model copy = m->clone();
    for (int i : {0, 5, 77}) {
      const uint8_t* pixels = &d.pixels[static_cast<size_t>(i) * d.image_bytes()];
      const auto want = predict_pixels(*app.session.student, pixels);
      const auto got = predict_pixels(copy, pixels);
      for (size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(got[k].index, want[k].index);
        EXPECT_NEAR(got[k].probability, want[k].probability, 1e-5);
      }
    }
  }

  // TF.js's uint8 form: a quarter of the float shard, read back within half a step per weight.
  reply = api.call_json("exportTfjs", {{"zip", false}, {"weights", "uint8"}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  const std::vector<uint8_t> uint8_shard = base64_decode(reply["value"]["files"][1]["base64"].get<std::string>());
  const std::vector<uint8_t> float_shard = base64_decode(two[1]["base64"].get<std::string>());
  EXPECT_EQ(uint8_shard.size() * 4, float_shard.size());
  const auto uint8_json = base64_decode(reply["value"]["files"][0]["base64"].get<std::string>());
  Model from_uint8 = import_tfjs_model(std::string(uint8_json.begin(), uint8_json.end()), {uint8_shard});
  ASSERT_EQ(from_uint8.parameter_count(), from_files.parameter_count());
  double worst = 0, largest = 0;
  for (int64_t k = 0; k < from_files.parameter_count(); ++k) {
    worst = std::max(worst, double(std::fabs(from_uint8.params().values[k] - from_files.params().values[k])));
    largest = std::max(largest, double(std::fabs(from_files.params().values[k])));
  }
  EXPECT_GT(worst, 0.0);               // really quantized
  EXPECT_LT(worst, largest / 255.0);   // within a step of the widest tensor's range
  reply = api.call_json("exportTfjs", {{"weights", "int4"}});
  EXPECT_FALSE(reply["ok"].get<bool>());
  EXPECT_NE(reply.dump().find("int4"), std::string::npos) << reply.dump();

  // The Export panel's button saves through the platform.
  reply = api.call_json("download", {{"format", "tfjs-zip"}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  EXPECT_EQ(platform.last_file_name, zip_name);
  EXPECT_EQ(std::vector<uint8_t>(platform.last_text.begin(), platform.last_text.end()),
            base64_decode(zip["base64"].get<std::string>()));
  reply = api.call_json("download", {{"model", "teacher"}, {"format", "tfjs-files"}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  EXPECT_EQ(platform.last_file_name, reply["value"]["fileNames"][1]);
  EXPECT_EQ(platform.last_file_name.rfind("teacher-", 0), 0u);
  EXPECT_FALSE(api.call_json("download", {{"format", "pytorch"}})["ok"].get<bool>());
}

TEST(ZipArchive, StoredArchivesUnzipAndListTheirNames) {
  const std::vector<FileEntry> files = {{"model.json", {'{', '}'}}, {"dir/weights.bin", {0, 1, 2, 255}}, {"empty", {}}};
  const std::vector<uint8_t> archive = zip_store(files);
  const std::vector<FileEntry> back = unzip(archive);
  ASSERT_EQ(back.size(), 3u);
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(back[i].path, files[i].path);
    EXPECT_EQ(back[i].bytes, files[i].bytes);
  }
  EXPECT_EQ(zip_entry_names(archive), (std::vector<std::string>{"model.json", "dir/weights.bin", "empty"}));
  EXPECT_EQ(zip_store(files), archive);  // same files, same bytes
  EXPECT_THROW(zip_store({{"a", {}}, {"a", {}}}), Error);
  EXPECT_TRUE(zip_entry_names({1, 2, 3}).empty());
}

TEST(KernelThreads, TheApiSetsThemWithinWhatTheBuildOffers) {
  NullPlatform platform;
  App app(detect_runtime(), platform);
  AppApi api(app);
  const int most = max_kernel_threads();
  nlohmann::json reply = api.call_json("setThreads", {{"threads", 1}});
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  EXPECT_EQ(reply["value"]["kernelThreads"], 1);
  EXPECT_EQ(thread_count(), 1);
  reply = api.call_json("setThreads", {{"threads", 1000}});
  EXPECT_EQ(reply["value"]["kernelThreads"], most);
  EXPECT_EQ(api.call_json("status", nlohmann::json::object())["value"]["kernelThreads"], most);
  reply = api.call_json("setThreads", {{"threads", 0}});
  EXPECT_EQ(reply["value"]["kernelThreads"], std::max(1, most - 1));
  EXPECT_FALSE(api.call_json("setThreads", {{"threads", "four"}})["ok"].get<bool>());
}

}  // namespace
}  // namespace distillery
