// ONNX models through the app, the way a user brings them: the Teacher
// panel's picker, a drop and the JS API's loadTeacherFiles read a .onnx file
// as the teacher; a broken one keeps the earlier teacher with one notice;
// the Export panel and exportOnnx give the student as ONNX that reads back to
// the same predictions. The ONNX bytes are made by export_onnx_model from a
// model trained here (tests/onnx checks the files against real PyTorch).
#include <gtest/gtest.h>

#include "app/actions.h"
#include "app/app.h"
#include "app/app_api.h"
#include "app/model_upload.h"
#include "app/prediction.h"
#include "app/zip_archive.h"
#include "app_test_data.h"
#include "engine/io/base64.h"
#include "engine/io/onnx_export.h"
#include "engine/io/onnx_import.h"

namespace distillery {
namespace {

using testing::Studio;
using testing::run_job;

// Every class's probability for dataset sample i, by class index.
std::vector<float> probabilities(Model& model, const Dataset& d, int i) {
  std::vector<float> p(static_cast<size_t>(model.num_outputs()));
  for (const ClassScore& s : predict_pixels(model, &d.pixels[static_cast<size_t>(i) * d.image_bytes()]))
    p[s.index] = s.probability;
  return p;
}

void expect_same_predictions(const Model& want, const Model& got, const Dataset& d) {
  Model a = want.clone(), b = got.clone();
  for (int i : {0, 1, 2, 50, 133}) {
    const std::vector<float> pa = probabilities(a, d, i), pb = probabilities(b, d, i);
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t k = 0; k < pa.size(); ++k) EXPECT_NEAR(pb[k], pa[k], 1e-5) << "sample " << i << " class " << k;
  }
}

std::string banner(const App& app) { return app.notices.banner() ? app.notices.banner()->text : ""; }

int errors_since(const App& app, size_t first) {
  int n = 0;
  for (size_t i = first; i < app.notices.all().size(); ++i) n += app.notices.all()[i].kind == Notice::Kind::kError;
  return n;
}

class OnnxTeacher : public ::testing::TestWithParam<const char*> {
 protected:
  // A teacher trained here on the band dataset (GetParam() is its arch), as ONNX bytes.
  void train_and_export() {
    for (auto& f : testing::band_dataset_files(240)) studio.api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(studio.app, studio.api, "loadDataset")["value"]["ok"]);
    const nlohmann::json trained = run_job(studio.app, studio.api, "trainTeacher",
                                           {{"arch", GetParam()}, {"epochs", 2}, {"lr", 0.01}, {"seed", 5}});
    ASSERT_TRUE(trained["value"]["ok"]) << trained.dump();
    original = studio.app.session.teacher;
    onnx = export_onnx_model(*original);
  }
  Studio studio;
  std::shared_ptr<Model> original;
  std::vector<uint8_t> onnx;
};

TEST_P(OnnxTeacher, AnOnnxFileThroughTheJsApiPredictsAsTheModelItCameFrom) {
  train_and_export();
  // A fresh page with the same dataset: the teacher comes only from the file.
  Studio page;
  for (auto& f : testing::band_dataset_files(240)) page.api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(page.app, page.api, "loadDataset")["value"]["ok"]);
  page.api.stage_file("from-pytorch.onnx", onnx);
  const nlohmann::json loaded = page.api.call_json("loadTeacherFiles", nlohmann::json::object());
  ASSERT_TRUE(loaded["ok"].get<bool>()) << loaded.dump();
  EXPECT_EQ(loaded["value"]["format"], "onnx");
  EXPECT_EQ(loaded["value"]["source"], "from-pytorch.onnx (ONNX)");
  ASSERT_NE(page.app.session.teacher, nullptr);
  const Model& t = *page.app.session.teacher;
  EXPECT_EQ(t.input_shape(), original->input_shape());
  EXPECT_EQ(t.class_names, original->class_names);
  EXPECT_FLOAT_EQ(t.preprocessing.scale, original->preprocessing.scale);
  expect_same_predictions(*original, t, *page.app.session.dataset);

  // The input-scale setting applies to ONNX as to TF.js (a torch export records none).
  page.api.stage_file("from-pytorch.onnx", onnx);
  const nlohmann::json scaled = page.api.call_json("loadTeacherFiles", {{"inputScale", 0.5}});
  ASSERT_TRUE(scaled["ok"].get<bool>()) << scaled.dump();
  EXPECT_FLOAT_EQ(scaled["value"]["inputScale"].get<float>(), 0.5f);
  EXPECT_FLOAT_EQ(page.app.session.teacher->preprocessing.scale, 0.5f);

  // Distilling from it works as from any teacher.
  const nlohmann::json distilled = run_job(page.app, page.api, "distill",
      {{"arch", "dense:8"}, {"temperature", 2}, {"alpha", 0.1}, {"epochs", 3}, {"batch", 32}, {"lr", 0.01}, {"seed", 3}});
  ASSERT_TRUE(distilled["value"]["ok"]) << distilled.dump();
}

TEST_P(OnnxTeacher, AnOnnxFileDroppedOrZippedIsRecognisedAsTheTeacher) {
  train_and_export();
  App& app = studio.app;
  app.selected = PanelId::kData;
  const std::vector<FileEntry> drop = {{"model.onnx", onnx}};
  ASSERT_TRUE(looks_like_model_upload(drop));
  app.receive_files(UploadPurpose::kAuto, drop);
  ASSERT_NE(app.session.teacher, original) << banner(app);
  EXPECT_EQ(app.selected, PanelId::kTeacher);
  EXPECT_EQ(app.session.teacher_source, "model.onnx (ONNX)");
  expect_same_predictions(*original, *app.session.teacher, *app.session.dataset);

  const std::vector<uint8_t> zip = zip_store({{"net/model.onnx", onnx}});
  const std::vector<FileEntry> zipped = {{"net.zip", zip}};
  ASSERT_TRUE(looks_like_model_upload(zipped));
  app.receive_files(UploadPurpose::kAuto, zipped);
  EXPECT_EQ(app.session.teacher_source, "net.zip (ONNX)") << banner(app);
  expect_same_predictions(*original, *app.session.teacher, *app.session.dataset);
}

INSTANTIATE_TEST_SUITE_P(Archs, OnnxTeacher, ::testing::Values("dense:16", "conv:4:3,pool:2,dense:8"));

TEST(OnnxTeacherErrors, ACorruptOnnxKeepsTheEarlierTeacherWithOneClearNotice) {
  Studio studio;
  studio.load_and_train_teacher();
  App& app = studio.app;
  const std::shared_ptr<Model> earlier = app.session.teacher;
  std::vector<uint8_t> truncated = export_onnx_model(*earlier);
  truncated.resize(truncated.size() / 2);

  // The Teacher panel's picker.
  size_t first = app.notices.all().size();
  app.receive_files(UploadPurpose::kTeacher, {{"broken.onnx", truncated}});
  EXPECT_EQ(app.session.teacher, earlier);
  EXPECT_EQ(errors_since(app, first), 1);
  EXPECT_EQ(app.notices.all().size(), first + 1);
  EXPECT_EQ(banner(app).rfind("broken.onnx: ", 0), 0u) << banner(app);
  EXPECT_NE(banner(app).find("not an ONNX model"), std::string::npos) << banner(app);

  // A file named .onnx that is something else entirely.
  first = app.notices.all().size();
  const std::string text = "{\"not\": \"a model\"}";
  app.receive_files(UploadPurpose::kAuto, {{"other.onnx", std::vector<uint8_t>(text.begin(), text.end())}});
  EXPECT_EQ(app.session.teacher, earlier);
  EXPECT_EQ(errors_since(app, first), 1);
  EXPECT_EQ(banner(app).rfind("other.onnx: ", 0), 0u) << banner(app);

  // The JS API: refused with the same message, one notice, the teacher kept.
  first = app.notices.all().size();
  studio.api.stage_file("broken.onnx", truncated);
  const nlohmann::json reply = studio.api.call_json("loadTeacherFiles", nlohmann::json::object());
  EXPECT_FALSE(reply["ok"].get<bool>());
  EXPECT_EQ(reply["error"].get<std::string>().rfind("broken.onnx: not an ONNX model", 0), 0u) << reply.dump();
  EXPECT_EQ(app.session.teacher, earlier);
  EXPECT_EQ(errors_since(app, first), 1);
  EXPECT_EQ(app.notices.all().size(), first + 1);
}

TEST(OnnxTeacherErrors, AnOnnxModelOfAnotherClassCountIsRefused) {
  Studio source;
  for (auto& f : testing::band_dataset_files(120, 4)) source.api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(source.app, source.api, "loadDataset")["value"]["ok"]);
  ASSERT_TRUE(run_job(source.app, source.api, "trainTeacher", {{"arch", "dense:8"}, {"epochs", 1}})["value"]["ok"]);
  const std::vector<uint8_t> four_classes = export_onnx_model(*source.app.session.teacher);

  Studio studio;
  studio.load_and_train_teacher();  // 3 classes
  const std::shared_ptr<Model> earlier = studio.app.session.teacher;
  studio.app.receive_files(UploadPurpose::kTeacher, {{"four.onnx", four_classes}});
  EXPECT_EQ(studio.app.session.teacher, earlier);
  EXPECT_NE(banner(studio.app).find("has 4 outputs but the dataset has 3 classes"), std::string::npos)
      << banner(studio.app);
}

TEST(OnnxExport, ExportOnnxGivesTheStudentAsOnnxThatReadsBackToTheSamePredictions) {
  Studio studio;
  studio.load_and_train_teacher();
  const nlohmann::json distilled = run_job(studio.app, studio.api, "distill",
      {{"arch", "conv:4:3,pool:2,dense:8"}, {"temperature", 2}, {"alpha", 0.1}, {"epochs", 2}, {"batch", 32},
       {"lr", 0.01}, {"seed", 3}});
  ASSERT_TRUE(distilled["value"]["ok"]) << distilled.dump();
  const Model& student = *studio.app.session.student;

  const nlohmann::json reply = studio.api.call_json("exportOnnx", nlohmann::json::object());
  ASSERT_TRUE(reply["ok"].get<bool>()) << reply.dump();
  const std::string name = reply["value"]["fileName"];
  const std::string json_name = student_file_name(studio.app);
  EXPECT_EQ(name, json_name.substr(0, json_name.size() - 5) + ".onnx");
  EXPECT_EQ(name.rfind("student-conv4x3-pool2-dense8-distilled-T2-a0.1", 0), 0u) << name;
  const std::vector<uint8_t> bytes = base64_decode(reply["value"]["base64"].get<std::string>());
  const Model back = import_onnx_model(bytes);
  EXPECT_EQ(back.input_shape(), student.input_shape());
  EXPECT_EQ(back.class_names, student.class_names);
  EXPECT_FLOAT_EQ(back.preprocessing.scale, student.preprocessing.scale);
  expect_same_predictions(student, back, *studio.app.session.dataset);

  // The teacher too, and the Export panel's button saves the same bytes.
  const nlohmann::json teacher = studio.api.call_json("exportOnnx", {{"model", "teacher"}});
  ASSERT_TRUE(teacher["ok"].get<bool>()) << teacher.dump();
  expect_same_predictions(*studio.app.session.teacher,
                          import_onnx_model(base64_decode(teacher["value"]["base64"].get<std::string>())),
                          *studio.app.session.dataset);
  const nlohmann::json saved = studio.api.call_json("download", {{"format", "onnx"}});
  ASSERT_TRUE(saved["ok"].get<bool>()) << saved.dump();
  EXPECT_EQ(saved["value"]["fileNames"], nlohmann::json::array({name}));
  EXPECT_EQ(studio.app.export_panel.format, ExportFormat::kOnnx);
  EXPECT_EQ(studio.platform.last_file_name, name);
  EXPECT_EQ(std::vector<uint8_t>(studio.platform.last_text.begin(), studio.platform.last_text.end()), bytes);

  EXPECT_FALSE(studio.api.call_json("exportOnnx", {{"model", "both"}})["ok"].get<bool>());
}

TEST(OnnxExport, WithoutAStudentExportOnnxSaysSo) {
  Studio studio;
  const nlohmann::json reply = studio.api.call_json("exportOnnx", nlohmann::json::object());
  EXPECT_FALSE(reply["ok"].get<bool>());
  EXPECT_NE(reply["error"].get<std::string>().find("there is no student yet"), std::string::npos) << reply.dump();
}

}  // namespace
}  // namespace distillery
