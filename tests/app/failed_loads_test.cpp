// Failed loads leave the earlier state untouched, in the app: a good dataset
// and teacher are loaded, then bad datasets, bad teachers and bad options are
// offered through the JS API (as the page and the panels do); each fails with
// a message, and afterwards the same dataset and teacher objects are in the
// session, evaluate gives the same accuracy and predict the same answer.
#include <gtest/gtest.h>

#include "app/actions.h"
#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

class FailedLoads : public ::testing::TestWithParam<bool> {
 protected:
  FailedLoads() : app(runtime(), platform), api(app) {}
  RuntimeInfo runtime() {
    RuntimeInfo info = detect_runtime();
    info.threaded = GetParam();
    return info;
  }
  NullPlatform platform;
  App app;
  AppApi api;
};

TEST_P(FailedLoads, BadDatasetsTeachersAndOptionsLeaveTheGoodOnesWorking) {
  for (auto& f : band_dataset_files(240)) api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
  ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 2}, {"seed", 5}})["value"]["ok"]);
  const auto data = app.session.dataset;
  const auto teacher = app.session.teacher;
  const std::string teacher_text = api.call_json("exportTeacher", {{"base64", true}})["value"]["text"];
  const nlohmann::json evaluation = run_job(app, api, "evaluate")["value"]["result"]["teacher"];
  std::vector<uint8_t> row(12 * 12, 0);
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 4; ++x) row[y * 12 + x] = 200;
  const auto prediction = predict_pixels(*teacher, row.data());

  // A CSV row of label and 144 pixels, one of them `odd`.
  auto csv_row = [](const std::string& label, const std::string& odd) {
    std::string row = label;
    for (int i = 0; i < 144; ++i) row += "," + (i == 5 ? odd : std::string("7"));
    return row + "\n";
  };
  const std::vector<std::pair<std::string, std::string>> bad_datasets = {
      {"half.zip", std::string("PK\x03\x04\x14\x00", 6)},
      {"empty.csv", ""},
      {"junk.csv", "hello,world\nfoo\n"},
      {"p300.csv", csv_row("1", "7") + csv_row("2", "300")},
      {"ragged.csv", "0,1,2,3\n1,2\n"},
      {"word.csv", csv_row("1", "7") + csv_row("2", "seven")},
      {"cut.csv.gz", std::string("\x1f\x8b\x08\x00\x00\x00", 6)},
      {"x-images-idx3-ubyte", std::string("\x00\x00\x08\x03\x00\x00\x03\xe8\x00\x00\x00\x0c\x00\x00\x00\x0c", 16)},
      {"sheet.xlsx", "PK"},
  };
  for (const auto& [name, content] : bad_datasets) {
    api.stage_file(name, bytes_of(content));
    const nlohmann::json reply = run_job(app, api, "loadDataset");
    EXPECT_FALSE(reply["value"].value("ok", true)) << name;
    EXPECT_NE(reply.dump().find(name), std::string::npos) << reply.dump();
  }
  // One class is not a dataset to classify.
  for (auto& f : band_dataset_files(60, 1)) api.stage_file(f.path, f.bytes);
  EXPECT_FALSE(run_job(app, api, "loadDataset")["value"].value("ok", true));

  nlohmann::json wide = nlohmann::json::parse(teacher_text);
  wide["layers"][1]["units"] = 1000000000;
  wide["layers"][1].erase("weights");
  nlohmann::json shape = nlohmann::json::parse(teacher_text);
  shape["input_shape"] = {28, 28, 1};
  const std::vector<std::string> bad_teachers = {"{not json", "", "[]", "{\"format\": \"keras\"}", wide.dump(),
                                                 shape.dump(), std::string(100000, '[')};
  for (const std::string& text : bad_teachers) {
    const nlohmann::json reply = api.call_json("loadTeacher", {{"text", text}, {"name", "bad.json"}});
    EXPECT_FALSE(reply["ok"]) << text.substr(0, 40);
    EXPECT_FALSE(reply.value("error", std::string()).empty());
  }
  for (const auto& [method, args] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"distill", {{"epochs", -1}}}, {"distill", {{"arch", "dense:0"}}}, {"prune", {{"sparsity", 1.5}}},
           {"trainTeacher", {{"arch", "dense:1000000000"}}}}) {
    EXPECT_FALSE(api.call_json(method, args)["ok"]) << method << args.dump();
  }

  EXPECT_EQ(app.session.dataset, data);
  EXPECT_EQ(app.session.teacher, teacher);
  EXPECT_EQ(api.call_json("exportTeacher", {{"base64", true}})["value"]["text"], teacher_text);
  const nlohmann::json again = run_job(app, api, "evaluate")["value"]["result"]["teacher"];
  EXPECT_EQ(again["accuracy"], evaluation["accuracy"]);
  EXPECT_EQ(again["confusion"], evaluation["confusion"]);
  const auto prediction_again = predict_pixels(*app.session.teacher, row.data());
  ASSERT_EQ(prediction_again.size(), prediction.size());
  for (size_t i = 0; i < prediction.size(); ++i) {
    EXPECT_EQ(prediction_again[i].index, prediction[i].index);
    EXPECT_EQ(prediction_again[i].probability, prediction[i].probability);
  }
}

INSTANTIATE_TEST_SUITE_P(ThreadedAndSliced, FailedLoads, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Threaded" : "Sliced"; });

}  // namespace
}  // namespace distillery
