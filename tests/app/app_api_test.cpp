// The JS API's C++ side (AppApi) driven as the page drives it: staged files,
// JSON options, job polling. Runs in both worker modes: threaded (the
// pthreads page, the desktop) and time-sliced (the single-thread page).
#include <gtest/gtest.h>

#include <regex>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/io/model_json.h"
#include "engine/metrics/metrics.h"

namespace distillery {
namespace {

using testing::band_bmp;
using testing::band_dataset_files;
using testing::run_job;

using testing::runtime;

class ApiModes : public ::testing::TestWithParam<bool> {
 protected:
  ApiModes() : app(runtime(GetParam()), platform), api(app) {}

  nlohmann::json load_bands(int count = 300) {
    for (auto& f : band_dataset_files(count)) api.stage_file(f.path, f.bytes);
    return run_job(app, api, "loadDataset");
  }
  nlohmann::json train_teacher() {
    return run_job(app, api, "trainTeacher", {{"arch", "dense:32"}, {"epochs", 3}, {"batch", 32}, {"lr", 0.01}, {"seed", 1}});
  }
  nlohmann::json distill(const std::string& arch = "dense:8") {
    return run_job(app, api, "distill",
                   {{"arch", arch}, {"temperature", 4}, {"alpha", 0.1}, {"epochs", 3}, {"batch", 32}, {"lr", 0.01}, {"seed", 3}});
  }

  NullPlatform platform;
  App app;
  AppApi api;
};

TEST_P(ApiModes, LoadTrainDistilEvaluateExportPrune) {
  nlohmann::json loaded = load_bands();
  ASSERT_TRUE(loaded["ok"]) << loaded.dump();
  ASSERT_TRUE(loaded["value"]["ok"]) << loaded.dump();
  EXPECT_EQ(loaded["value"]["result"]["count"], 300);
  EXPECT_EQ(loaded["value"]["result"]["classes"].size(), 3u);

  nlohmann::json teacher = train_teacher();
  ASSERT_TRUE(teacher["value"]["ok"]) << teacher.dump();
  EXPECT_GE(teacher["value"]["result"]["accuracy"].get<double>(), 0.9);

  nlohmann::json student = distill();
  ASSERT_TRUE(student["value"]["ok"]) << student.dump();
  const nlohmann::json& r = student["value"]["result"];
  EXPECT_GE(r["accuracy"].get<double>(), 0.9);
  EXPECT_GE(r["agreement"].get<double>(), 0.9);
  EXPECT_EQ(r["epochs"], 3);

  nlohmann::json status = api.call_json("status", {});
  EXPECT_EQ(status["value"]["state"], "idle");
  EXPECT_EQ(status["value"]["threaded"], GetParam());
  EXPECT_EQ(status["value"]["epoch"], 3);
  EXPECT_LT(status["value"]["student"]["params"].get<int>(), status["value"]["teacher"]["params"].get<int>());

  nlohmann::json eval = run_job(app, api, "evaluate");
  ASSERT_TRUE(eval["value"]["ok"]) << eval.dump();
  const nlohmann::json& e = eval["value"]["result"];
  EXPECT_DOUBLE_EQ(e["accuracy"].get<double>(), r["accuracy"].get<double>());  // same model, same test split
  EXPECT_EQ(e["samples"].get<size_t>(), app.session.split.test.size());
  EXPECT_EQ(e["params"], e["nonzero_params"]);
  EXPECT_TRUE(e.contains("teacher"));

  // The exported JSON is the same model: same accuracy on the same samples.
  nlohmann::json exported = api.call_json("exportStudent", {});
  ASSERT_TRUE(exported["ok"]) << exported.dump();
  Model again = load_model_json(exported["value"]["text"].get<std::string>());
  const EvalReport check = evaluate(again, *app.session.dataset, app.session.split.test);
  EXPECT_DOUBLE_EQ(check.accuracy, e["accuracy"].get<double>());
  EXPECT_TRUE(std::regex_match(exported["value"]["fileName"].get<std::string>(),
                               std::regex(R"(student-dense8-distilled-T4-a0\.1-acc[01]\.\d{3}\.json)")))
      << exported["value"]["fileName"];

  // Prune the student: half its prunable weights go, it stays accurate.
  nlohmann::json pruned = run_job(app, api, "prune", {{"method", "global"}, {"sparsity", 0.5}, {"finetuneEpochs", 1}});
  ASSERT_TRUE(pruned["value"]["ok"]) << pruned.dump();
  const nlohmann::json& p = pruned["value"]["result"];
  EXPECT_NEAR(p["sparsity"].get<double>(), 0.5, 0.01);
  EXPECT_LT(p["nonzero_params"].get<int>(), p["params"].get<int>() * 0.6);
  EXPECT_GE(p["accuracy"].get<double>(), 0.85);
  EXPECT_NEAR(app.session.student_recipe.sparsity, 0.5, 0.01);
}

TEST_P(ApiModes, ACorruptUploadKeepsTheDatasetAndSaysWhy) {
  ASSERT_TRUE(load_bands()["value"]["ok"]);
  const Dataset* before = app.session.dataset.get();
  api.stage_file("broken.zip", {'P', 'K', 3, 4, 0, 1, 2});
  nlohmann::json bad = run_job(app, api, "loadDataset");
  ASSERT_TRUE(bad["ok"]);
  EXPECT_FALSE(bad["value"]["ok"]);
  EXPECT_NE(bad["value"]["error"].get<std::string>().find("broken.zip"), std::string::npos) << bad.dump();
  EXPECT_EQ(app.session.dataset.get(), before);
  EXPECT_EQ(api.call_json("status", {})["value"]["dataset"]["count"], 300);
}

TEST_P(ApiModes, AModelThatDoesNotFitTheDataIsRefusedAndTheTeacherKept) {
  // A teacher for 10x10 images...
  NullPlatform other_platform;
  App other(runtime(GetParam()), other_platform);
  AppApi other_api(other);
  for (auto& f : band_dataset_files(90, 3, 10)) other_api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(other, other_api, "loadDataset")["value"]["ok"]);
  ASSERT_TRUE(run_job(other, other_api, "trainTeacher", {{"arch", "dense:4"}, {"epochs", 1}})["value"]["ok"]);
  const std::string small_teacher = other_api.call_json("exportTeacher", {})["value"]["text"];

  // ...offered to an app holding 12x12 images and its own teacher.
  ASSERT_TRUE(load_bands()["value"]["ok"]);
  ASSERT_TRUE(train_teacher()["value"]["ok"]);
  const Model* kept = app.session.teacher.get();
  nlohmann::json reply = api.call_json("loadTeacher", {{"text", small_teacher}, {"name", "small.json"}});
  EXPECT_FALSE(reply["ok"]);
  EXPECT_NE(reply["error"].get<std::string>().find("[10, 10, 1]"), std::string::npos) << reply.dump();
  EXPECT_EQ(app.session.teacher.get(), kept);
  ASSERT_NE(app.notices.banner(), nullptr);  // the UI shows it too

  // Malformed JSON is refused the same way.
  reply = api.call_json("loadTeacher", {{"text", "{not json"}});
  EXPECT_FALSE(reply["ok"]);
  EXPECT_EQ(app.session.teacher.get(), kept);
}

TEST_P(ApiModes, PredictRanksTheRightClassFirst) {
  ASSERT_TRUE(load_bands()["value"]["ok"]);
  ASSERT_TRUE(train_teacher()["value"]["ok"]);
  ASSERT_TRUE(distill()["value"]["ok"]);
  for (int label = 0; label < 3; ++label) {
    api.stage_file("band.bmp", band_bmp(label, 3, 12));
    nlohmann::json reply = api.call_json("predict", {});
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    const nlohmann::json& top = reply["value"];
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0]["label"], std::to_string(label));
    EXPECT_GE(top[0]["probability"].get<double>(), top[1]["probability"].get<double>());
    double sum = 0;
    for (const auto& s : top) sum += s["probability"].get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-4);
  }
  api.stage_file("not-an-image.png", {1, 2, 3});
  EXPECT_FALSE(api.call_json("predict", {})["ok"]);
}

TEST_P(ApiModes, AFolderUploadWithOneSubfolderPerClassBecomesADataset) {
  // As a browser's directory picker hands it over: "picked/<class>/<file>".
  for (int label = 0; label < 3; ++label)
    for (int i = 0; i < 8; ++i)
      api.stage_file("picked/class" + std::to_string(label) + "/" + std::to_string(i) + ".bmp", band_bmp(label, 3, 12));
  nlohmann::json loaded = run_job(app, api, "loadDataset");
  ASSERT_TRUE(loaded["value"]["ok"]) << loaded.dump();
  EXPECT_EQ(loaded["value"]["result"]["count"], 24);
  EXPECT_EQ(loaded["value"]["result"]["classes"], nlohmann::json({"class0", "class1", "class2"}));
  EXPECT_EQ(app.session.dataset_source, "picked/ (24 files)");
}

INSTANTIATE_TEST_SUITE_P(ThreadedAndSliced, ApiModes, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "threaded" : "single_thread"; });

TEST(AppApi, ThreadedAndSlicedTrainingGiveTheSameStudent) {
  std::string exported[2];
  for (int threaded = 0; threaded < 2; ++threaded) {
    NullPlatform platform;
    App app(runtime(threaded), platform);
    AppApi api(app);
    for (auto& f : band_dataset_files(200)) api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
    ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 2}, {"seed", 5}})["value"]["ok"]);
    ASSERT_TRUE(run_job(app, api, "distill", {{"arch", "dense:8"}, {"epochs", 2}, {"seed", 6}})["value"]["ok"]);
    nlohmann::json student = nlohmann::json::parse(api.call_json("exportStudent", {})["value"]["text"].get<std::string>());
    student.erase("provenance");  // names the build mode
    exported[threaded] = student.dump();
  }
  EXPECT_EQ(exported[0], exported[1]);
}

TEST(AppApi, BadOptionsAndUnknownMethodsAreClearErrors) {
  NullPlatform platform;
  App app(detect_runtime(), platform);
  AppApi api(app);
  auto error_of = [&](const std::string& method, const nlohmann::json& args) {
    nlohmann::json reply = api.call_json(method, args);
    EXPECT_FALSE(reply["ok"]) << method;
    return reply.value("error", std::string());
  };
  EXPECT_NE(error_of("distill", {{"tempreature", 4}}).find("unknown option 'tempreature'"), std::string::npos);
  EXPECT_NE(error_of("distill", {{"temperature", -1}}).find("temperature"), std::string::npos);
  EXPECT_NE(error_of("distill", {{"epochs", "three"}}).find("'epochs' has the wrong type"), std::string::npos);
  EXPECT_NE(error_of("prune", {{"sparsity", 1.5}}).find("sparsity"), std::string::npos);
  EXPECT_NE(error_of("distill", {}).find("no dataset"), std::string::npos);
  EXPECT_NE(error_of("exportStudent", {}).find("no student"), std::string::npos);
  EXPECT_NE(error_of("jobStatus", {{"job", 99}}).find("no job 99"), std::string::npos);
  EXPECT_NE(error_of("fly", {}).find("unknown method 'fly'"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(api.call("status", "{bad json")).value("ok", true), false);
}

TEST(AppApi, ABusyWorkerRefusesASecondJob) {
  NullPlatform platform;
  App app(runtime(false), platform);  // sliced: nothing runs until update()
  AppApi api(app);
  for (auto& f : band_dataset_files(60)) api.stage_file(f.path, f.bytes);
  nlohmann::json first = api.call_json("loadDataset", {});
  ASSERT_TRUE(first["ok"]);
  for (auto& f : band_dataset_files(60)) api.stage_file(f.path, f.bytes);
  nlohmann::json second = api.call_json("loadDataset", {});
  EXPECT_FALSE(second["ok"]);
  EXPECT_NE(second["error"].get<std::string>().find("still running"), std::string::npos);
}

}  // namespace
}  // namespace distillery
