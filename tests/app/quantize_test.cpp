// The Quantize step driven through the JS API as the page drives it: the
// student distilled, then quantized (int8 on integer kernels, or weights
// only), measured against its float model, evaluated, exported, saved with
// the session; and the bad inputs a user can give, each refused with one
// message while the earlier state stays.
#include <gtest/gtest.h>

#include <regex>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/data/batch.h"
#include "engine/metrics/metrics.h"
#include "engine/quant/quantized_json.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;
using testing::runtime;

class Quantize : public ::testing::TestWithParam<bool> {
 protected:
  Quantize() : app(runtime(GetParam()), platform), api(app) {}

  void load_teacher_and_student() {
    for (auto& f : band_dataset_files(300)) api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
    ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:32"}, {"epochs", 3}, {"lr", 0.01}, {"seed", 1}})["value"]["ok"]);
    ASSERT_TRUE(distill()["value"]["ok"]);
  }
  nlohmann::json distill() {
    return run_job(app, api, "distill", {{"arch", "dense:8"}, {"epochs", 3}, {"lr", 0.01}, {"seed", 3}});
  }
  // The result of a quantize job that must succeed.
  nlohmann::json quantize(const nlohmann::json& options) {
    const nlohmann::json done = run_job(app, api, "quantize", options);
    EXPECT_TRUE(done["ok"] && done["value"]["ok"]) << done.dump();
    return done["value"]["result"];
  }

  NullPlatform platform;
  App app;
  AppApi api;
};

TEST_P(Quantize, Int8StudentRunsOnIntegerKernelsAndReportsWhatItCostsAndSaves) {
  load_teacher_and_student();
  const Model& student = *app.session.student;
  const nlohmann::json r = quantize({{"mode", "int8"}, {"calibration", 100}});
  EXPECT_EQ(r["mode"], "int8");
  EXPECT_EQ(r["model"], "student");
  EXPECT_EQ(r["calibration_samples"], 100);
  EXPECT_EQ(r["calibration_method"], "minmax");
  EXPECT_EQ(r["samples"].get<size_t>(), app.session.split.test.size());

  // float_accuracy is the float student's on the same test split.
  Model float_copy = student.clone();
  const EvalReport float_report = evaluate(float_copy, *app.session.dataset, app.session.split.test);
  EXPECT_DOUBLE_EQ(r["float_accuracy"].get<double>(), float_report.accuracy);
  EXPECT_NEAR(r["accuracy"].get<double>(), float_report.accuracy, 0.05);
  EXPECT_GE(r["agreement"].get<double>(), 0.9);
  EXPECT_GE(r["kl_to_float"].get<double>(), 0.0);
  // int8 weights and base64: well under half the float file, a quarter of the float32 weights plus scales.
  EXPECT_LT(r["file_bytes"].get<double>(), r["float_file_bytes"].get<double>() / 2);
  EXPECT_LT(r["weight_bytes"].get<double>(), r["float32_weight_bytes"].get<double>() * 0.3);
  EXPECT_GT(r["ms_per_sample"].get<double>(), 0.0);
  EXPECT_GT(r["float_ms_per_sample"].get<double>(), 0.0);

  // The accuracy is the int8 forward's, not the dequantized float model's.
  ASSERT_TRUE(app.session.quantized.has_value());
  QuantizedModel& q = *app.session.quantized->model;
  const EvalReport int8_report =
      evaluate(q.reference(), [&](const Tensor& x) -> const Tensor& { return q.forward(x); }, *app.session.dataset,
               app.session.split.test);
  EXPECT_DOUBLE_EQ(r["accuracy"].get<double>(), int8_report.accuracy);
  Tensor batch;
  gather_batch(*app.session.dataset, app.session.split.test.data(), 16, student.preprocessing, batch);
  Model dequantized = q.reference().clone();
  const Tensor int8_logits = q.predict_logits(batch);
  const Tensor float_logits = dequantized.predict_logits(batch);
  EXPECT_FALSE(testing::same_bits(std::vector<float>(int8_logits.data(), int8_logits.data() + int8_logits.size()),
                                  std::vector<float>(float_logits.data(), float_logits.data() + float_logits.size())))
      << "the int8 path computes in integers, so its logits differ from the dequantized floats' in the last bits";

  // The float student is untouched, and the status says what is quantized.
  EXPECT_EQ(app.session.student.get(), &student);
  const nlohmann::json status = api.call_json("status", {})["value"];
  EXPECT_EQ(status["quantized"]["mode"], "int8");
  EXPECT_EQ(status["quantized"]["model"], "student");

  // Evaluate measures it again beside the teacher and the student: the same figures.
  const nlohmann::json eval = run_job(app, api, "evaluate");
  ASSERT_TRUE(eval["value"]["ok"]) << eval.dump();
  const nlohmann::json& again = eval["value"]["result"]["quantized"];
  EXPECT_DOUBLE_EQ(again["accuracy"].get<double>(), r["accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(again["agreement"].get<double>(), r["agreement"].get<double>());
  EXPECT_EQ(api.call_json("lastEvaluation", {})["value"]["quantized"]["accuracy"], again["accuracy"]);

  // The export is the quantized file: it loads, is int8 and predicts what the session's model predicts.
  const nlohmann::json exported = api.call_json("exportQuantized", {});
  ASSERT_TRUE(exported["ok"]) << exported.dump();
  const std::string text = exported["value"]["text"].get<std::string>();
  EXPECT_EQ(static_cast<int64_t>(text.size()), r["file_bytes"].get<int64_t>());
  QuantizedModel loaded = load_quantized_model_json(text);
  EXPECT_EQ(loaded.mode(), QuantMode::Int8);
  const Tensor loaded_logits = loaded.predict_logits(batch);
  EXPECT_TRUE(testing::same_bits(std::vector<float>(loaded_logits.data(), loaded_logits.data() + loaded_logits.size()),
                                 std::vector<float>(int8_logits.data(), int8_logits.data() + int8_logits.size())));
  EXPECT_TRUE(std::regex_match(exported["value"]["fileName"].get<std::string>(),
                               std::regex(R"(student-dense8-distilled-T1-a0-acc[01]\.\d{3}-int8\.json)")))
      << exported["value"]["fileName"];
  // predict({model: 'quantized'}) runs it too: the right band first, as the float student says.
  for (int label = 0; label < 3; ++label) {
    api.stage_file("band.bmp", testing::band_bmp(label, 3, 12));
    const nlohmann::json top = api.call_json("predict", {{"model", "quantized"}});
    ASSERT_TRUE(top["ok"]) << top.dump();
    EXPECT_EQ(top["value"][0]["label"], std::to_string(label));
    api.stage_file("band.bmp", testing::band_bmp(label, 3, 12));
    EXPECT_EQ(api.call_json("predict", {})["value"][0]["label"], top["value"][0]["label"]);
  }
  const nlohmann::json downloaded = api.call_json("downloadQuantized", {});
  ASSERT_TRUE(downloaded["ok"]) << downloaded.dump();
  EXPECT_EQ(downloaded["value"]["fileName"], exported["value"]["fileName"]);
}

TEST_P(Quantize, WeightOnlyModesNeedNoCalibrationAndTheQuantizedModelFollowsItsSource) {
  load_teacher_and_student();
  // The teacher in float16: half the file, float compute, the same predictions nearly everywhere.
  const nlohmann::json t = quantize({{"mode", "float16"}, {"model", "teacher"}});
  EXPECT_EQ(t["model"], "teacher");
  EXPECT_EQ(t["calibration_samples"], 0);
  EXPECT_FALSE(t.contains("calibration_method"));
  EXPECT_LT(t["file_bytes"].get<double>(), t["float_file_bytes"].get<double>() * 0.7);
  EXPECT_GE(t["agreement"].get<double>(), 0.98);
  EXPECT_EQ(app.quantize_panel.request.model, ModelRole::kTeacher);  // scripted runs show their settings

  // A new student leaves the quantized teacher alone...
  ASSERT_TRUE(distill()["value"]["ok"]);
  ASSERT_TRUE(app.session.quantized.has_value());
  EXPECT_EQ(app.session.quantized->source, ModelRole::kTeacher);
  // ...but drops a quantized student: it stood for the model replaced.
  const nlohmann::json s = quantize({{"mode", "int8-weights"}});
  EXPECT_EQ(s["mode"], "int8-weights");
  ASSERT_TRUE(run_job(app, api, "prune", {{"method", "global"}, {"sparsity", 0.5}, {"finetuneEpochs", 0}})["value"]["ok"]);
  EXPECT_FALSE(app.session.quantized.has_value());
  EXPECT_TRUE(api.call_json("status", {})["value"]["quantized"].is_null());

  // The pruned student quantizes with its zeros kept exactly.
  quantize({{"mode", "int8"}, {"calibration", 50}});
  const Model& pruned = *app.session.student;
  const QuantizedModel& q = *app.session.quantized->model;
  for (size_t i = 0; i < pruned.params().masks.size(); ++i)
    if (pruned.params().masks[i] == 0.0f) {
      ASSERT_EQ(q.reference().params().values[i], 0.0f) << i;
    }
}

INSTANTIATE_TEST_SUITE_P(ThreadedAndSliced, Quantize, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "threaded" : "single_thread"; });

// Bad input: one clear message each, in the UI's banner too, and the state as it was.
TEST(QuantizeRefusals, BadInputIsRefusedWithOneMessageAndTheEarlierStateStays) {
  NullPlatform platform;
  App app(runtime(false), platform);
  AppApi api(app);
  auto error_of = [&](const nlohmann::json& options) {
    const nlohmann::json reply = api.call_json("quantize", options);
    EXPECT_FALSE(reply["ok"]) << reply.dump();
    return reply.value("error", std::string());
  };
  EXPECT_EQ(error_of({}), "no dataset is loaded: upload one in the Data panel first");
  for (auto& f : band_dataset_files(120)) api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
  EXPECT_EQ(error_of({}), "quantize: there is no student yet: distil one in the Distil panel first");
  EXPECT_EQ(error_of({{"model", "teacher"}}), "quantize: there is no teacher loaded");
  ASSERT_NE(app.notices.banner(), nullptr);
  EXPECT_EQ(app.notices.banner()->text, "quantize: there is no teacher loaded");

  ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:8"}, {"epochs", 1}})["value"]["ok"]);
  ASSERT_TRUE(run_job(app, api, "quantize", {{"model", "teacher"}, {"calibration", 40}})["value"]["ok"]);
  const QuantizedModel* kept = app.session.quantized->model.get();
  const int version = app.session.quantized_version;
  const QuantizeRequest panel = app.quantize_panel.request;

  EXPECT_EQ(error_of({{"model", "teacher"}, {"calibration", 0}}), "quantize: calibration must be 1 to 20000 images, got 0");
  EXPECT_EQ(error_of({{"model", "teacher"}, {"calibration", 50000}}),
            "quantize: calibration must be 1 to 20000 images, got 50000");
  EXPECT_EQ(error_of({{"mode", "int4"}}), "quantize: unknown quantization mode 'int4' (use int8, int8-weights or float16)");
  EXPECT_EQ(error_of({{"calibrationMethod", "mean"}}),
            "quantize: unknown calibration method 'mean' (use minmax or percentile)");
  EXPECT_EQ(error_of({{"calibrationMethod", "percentile"}, {"percentile", 40}}),
            "quantize: the calibration percentile must be above 50 and at most 100, got 40.000000");
  EXPECT_EQ(error_of({{"model", "both"}}), "quantize: unknown model 'both' (use student or teacher)");
  EXPECT_EQ(error_of({{"calibration", "many"}}), "quantize: option 'calibration' has the wrong type");
  EXPECT_NE(error_of({{"calibrations", 10}}).find("quantize: unknown option 'calibrations'"), std::string::npos);

  // Another job running: refused, nothing started (the sliced worker only moves when pumped).
  ASSERT_TRUE(api.call_json("trainTeacher", {{"arch", "dense:8"}, {"epochs", 1}})["ok"]);
  EXPECT_EQ(error_of({{"model", "teacher"}}), "\"Training teacher\" is still running: wait for it or stop it");
  app.worker.stop();
  while (app.worker.busy()) app.update();

  // None of it touched the quantized model or the panel's settings.
  ASSERT_TRUE(app.session.quantized.has_value());
  EXPECT_EQ(app.session.quantized->model.get(), kept);
  EXPECT_EQ(app.session.quantized_version, version);
  EXPECT_EQ(app.quantize_panel.request.calibration, panel.calibration);
  EXPECT_EQ(app.quantize_panel.request.model, ModelRole::kTeacher);
}

TEST(QuantizeRefusals, ExportWithNothingQuantizedSaysWhereToQuantize) {
  NullPlatform platform;
  App app(runtime(false), platform);
  AppApi api(app);
  api.stage_file("band.bmp", testing::band_bmp(0, 3, 12));
  EXPECT_EQ(api.call_json("predict", {{"model", "quantized"}})["error"], "predict: nothing is quantized yet");
  for (const char* method : {"exportQuantized", "downloadQuantized"}) {
    const nlohmann::json reply = api.call_json(method, {});
    EXPECT_FALSE(reply["ok"]);
    EXPECT_EQ(reply["error"], "nothing is quantized yet: quantize the student in the Quantize panel first");
  }
  EXPECT_TRUE(api.call_json("lastEvaluation", {})["value"].is_object());
  EXPECT_FALSE(api.call_json("lastEvaluation", {})["value"].contains("quantized"));
}

// Saved sessions keep the quantized model and the panel's settings; it is measured again after a restore.
TEST(QuantizeSession, ASavedSessionKeepsTheQuantizedModel) {
  testing::Studio before;
  before.load_and_train_teacher();
  ASSERT_TRUE(run_job(before.app, before.api, "distill", {{"arch", "dense:8"}, {"epochs", 2}})["value"]["ok"]);
  ASSERT_TRUE(run_job(before.app, before.api, "quantize", {{"calibration", 123}, {"calibrationMethod", "percentile"},
                                                           {"percentile", 99.9}})["value"]["ok"]);
  const std::string file = before.api.call_json("exportQuantized", {})["value"]["text"];
  const testing::Saved saved = before.save();

  testing::Studio after;
  const nlohmann::json restored = after.restore(saved);
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  ASSERT_TRUE(after.app.session.quantized.has_value());
  EXPECT_EQ(after.app.session.quantized->source, ModelRole::kStudent);
  EXPECT_EQ(after.api.call_json("exportQuantized", {})["value"]["text"], file);  // the very bytes
  EXPECT_EQ(after.app.quantize_panel.request.calibration, 123);
  EXPECT_EQ(after.app.quantize_panel.request.engine.calibration, CalibrationMethod::Percentile);
  EXPECT_FALSE(after.app.session.quantized_eval.has_value());
  const nlohmann::json eval = run_job(after.app, after.api, "evaluate");
  ASSERT_TRUE(eval["value"]["ok"]) << eval.dump();
  EXPECT_GE(eval["value"]["result"]["quantized"]["agreement"].get<double>(), 0.9);
  EXPECT_NE(saved.info["summary"].get<std::string>().find("student, quantized student"), std::string::npos)
      << saved.info.dump();  // the restore question names it
  // The snapshot's revision moved when the quantized model came (the page saves on it).
  EXPECT_NE(saved.info.dump().find(":q1:"), std::string::npos) << saved.info.dump();
}

TEST(QuantizeSession, ASnapshotWhoseQuantizedModelIsBrokenChangesNothing) {
  testing::Studio before;
  before.load_and_train_teacher();
  ASSERT_TRUE(run_job(before.app, before.api, "quantize", {{"model", "teacher"}})["value"]["ok"]);
  testing::Saved saved = before.save();
  nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
  snapshot["quantized"]["model"] = "{\"format\": \"distillery-model\"}";
  saved.snapshot = snapshot.dump();

  testing::Studio after;
  after.load_and_train_teacher();
  const Model* teacher = after.app.session.teacher.get();
  const nlohmann::json restored = after.restore(saved);
  EXPECT_FALSE(restored["ok"]);
  EXPECT_EQ(restored["error"].get<std::string>().rfind("the saved session's quantized model: ", 0), 0u)
      << restored.dump();
  EXPECT_EQ(after.app.session.teacher.get(), teacher);
}

}  // namespace
}  // namespace distillery
