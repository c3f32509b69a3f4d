// Draws the whole UI headlessly (an ImGui context without a window or GL):
// every panel, empty and with data, teacher, student and evaluation. Catches
// crashes and ImGui stack mistakes, and checks textures are freed.
#include <gtest/gtest.h>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "headless_imgui.h"
#include "imgui.h"

namespace distillery {
namespace {

class HeadlessImGui {
 public:
  testing::HeadlessImGuiContext context;

  // One frame; returns the number of vertices drawn.
  int frame(App& app, ImVec2 mouse = ImVec2(-1, -1), bool pressed = false) {
    ImGui::GetIO().MousePos = mouse;
    ImGui::GetIO().MouseDown[0] = pressed;
    ImGui::NewFrame();
    app.frame();
    ImGui::Render();
    return ImGui::GetDrawData()->TotalVtxCount;
  }
};

void draw_every_panel(HeadlessImGui& gui, App& app) {
  for (int i = 0; i < static_cast<int>(PanelId::kCount); ++i) {
    app.selected = static_cast<PanelId>(i);
    // Two frames (the first lays out), the second with the pointer over the middle.
    gui.frame(app);
    EXPECT_GT(gui.frame(app, ImVec2(700, 400)), 1000) << panel_title(app.selected);
  }
}

// The saved-session question's buttons, clicked where widgetRect says they are.
TEST(AppFrame, RestoreQuestionButtonsAreFoundAndClickedWhereWidgetRectSays) {
  HeadlessImGui gui;
  NullPlatform platform;
  App app(detect_runtime(), platform);
  AppApi api(app);
  EXPECT_FALSE(api.call_json("widgetRect", {{"name", "Restore"}})["ok"]) << "not offered yet";
  for (const char* button : {"Restore", "Discard"}) {
    api.call_json("offerRestore", {{"savedAt", "14:05"}, {"detail", "dataset, teacher"}});
    gui.frame(app);
    gui.frame(app);
    const nlohmann::json reply = api.call_json("widgetRect", {{"name", button}});
    ASSERT_TRUE(reply["ok"]) << reply.dump();
    const nlohmann::json& rect = reply["value"];
    EXPECT_GT(rect["width"].get<float>(), 10.0f);
    EXPECT_GT(rect["height"].get<float>(), 5.0f);
    const ImVec2 centre(rect["x"].get<float>() + rect["width"].get<float>() / 2,
                        rect["y"].get<float>() + rect["height"].get<float>() / 2);
    gui.frame(app, centre);        // hover
    gui.frame(app, centre, true);  // press
    gui.frame(app, centre);        // release: the click
    const nlohmann::json tick = api.call_json("sessionTick", {});
    ASSERT_TRUE(tick["ok"]) << tick.dump();
    EXPECT_EQ(tick["value"]["choice"], std::string(button) == "Restore" ? "restore" : "discard");
    EXPECT_FALSE(app.restore_offer.shown);
    gui.frame(app);
    gui.frame(app);
    EXPECT_FALSE(api.call_json("widgetRect", {{"name", button}})["ok"]) << "gone once answered";
  }
}

TEST(AppFrame, EveryPanelDrawsWhenEmpty) {
  HeadlessImGui gui;
  NullPlatform platform;
  App app(detect_runtime(), platform);
  draw_every_panel(gui, app);
}

TEST(AppFrame, EveryPanelDrawsWithDataModelsAndResultsAndFreesItsTextures) {
  HeadlessImGui gui;
  NullPlatform platform;
  {
    App app(detect_runtime(), platform);
    AppApi api(app);
    for (auto& f : testing::band_dataset_files(150)) api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(testing::run_job(app, api, "loadDataset")["value"]["ok"]);
    ASSERT_TRUE(testing::run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 2}})["value"]["ok"]);
    ASSERT_TRUE(testing::run_job(app, api, "distill", {{"arch", "dense:8"}, {"epochs", 2}})["value"]["ok"]);
    ASSERT_TRUE(testing::run_job(app, api, "quantize", {{"calibration", 50}})["value"]["ok"]);  // its rows and download
    ASSERT_TRUE(testing::run_job(app, api, "evaluate")["value"]["ok"]);
    app.predict_panel.add_test_image(app);
    draw_every_panel(gui, app);
    EXPECT_GT(platform.textures_alive, 0);  // thumbnails, explainer image, prediction, masks
    // The Export panel's other formats name other files (ONNX: one .onnx each).
    for (ExportFormat format : {ExportFormat::kTfjsZip, ExportFormat::kTfjsFiles, ExportFormat::kOnnx}) {
      app.export_panel.format = format;
      app.selected = PanelId::kExport;
      gui.frame(app);
      EXPECT_GT(gui.frame(app), 1000) << export_format_names().name(format);
      EXPECT_EQ(app.export_panel.format, format);
    }

    // While a job runs (sliced: it advances one slice per frame) the UI keeps drawing.
    App sliced(RuntimeInfo{false, true, true, "st", "test", 1}, platform);
    AppApi sliced_api(sliced);
    for (auto& f : testing::band_dataset_files(150)) sliced_api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(testing::run_job(sliced, sliced_api, "loadDataset")["value"]["ok"]);
    // Big enough that it cannot finish in the few frames below.
    ASSERT_TRUE(sliced_api.call_json("trainTeacher", {{"arch", "dense:512,dense:512"}, {"epochs", 1000}})["ok"]);
    sliced.selected = PanelId::kDistil;
    for (int i = 0; i < 5; ++i) EXPECT_GT(gui.frame(sliced), 1000);
    ASSERT_TRUE(sliced.worker.busy());
    const auto progress = sliced.worker.progress();
    ASSERT_TRUE(progress.has_value());
    EXPECT_FALSE(progress->curves.batch_loss.empty());  // it trained in those frames
    sliced.worker.stop();
  }
  EXPECT_EQ(platform.textures_alive, 0);
}

TEST(AppFrame, AFailedActionBecomesABannerAndTheAppKeepsDrawing) {
  HeadlessImGui gui;
  NullPlatform platform;
  App app(detect_runtime(), platform);
  app.receive_files(UploadPurpose::kTeacher, {{"teacher.json", {'{', '}'}}});
  ASSERT_NE(app.notices.banner(), nullptr);
  EXPECT_EQ(app.session.teacher, nullptr);
  EXPECT_GT(gui.frame(app), 1000);
  app.notices.dismiss_banner();
  EXPECT_EQ(app.notices.banner(), nullptr);
}

}  // namespace
}  // namespace distillery
