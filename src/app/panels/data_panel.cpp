// Data panel. Sections: upload, summary, split, unlabeled images, classes and thumbnails.
#include "app/panels/data_panel.h"

#include <algorithm>

#include "app/actions.h"
#include "app/app.h"
#include "app/widgets/charts.h"
#include "app/widgets/ui.h"
#include "imgui_stdlib.h"

namespace distillery {

void DataPanel::draw(App& app) {
  draw_upload(app);
  if (!app.session.dataset) {
    ui::dim_text("No dataset yet. Upload one above (or drop files on the window). A dataset is a set of labelled "
                 "images: the teacher and the student both learn from it.");
    return;
  }
  draw_summary(app);
  draw_split(app);
  draw_unlabeled(app);
  draw_classes(app);
}

// --- upload ----------------------------------------------------------------------------

void DataPanel::draw_upload(App& app) {
  ui::section("Upload a dataset");
  const bool busy = app.worker.busy();
  ImGui::BeginDisabled(busy);
  if (app.platform.has_file_picker()) {
    if (ImGui::Button("Upload files...")) app.platform.pick_files(UploadPurpose::kDataset);
    ui::tip("Pick a ZIP of class folders, IDX files (images + labels, .gz fine) or a CSV (label, then pixels).");
    ImGui::SameLine();
    if (ImGui::Button("Upload a folder...")) app.platform.pick_files(UploadPurpose::kDatasetFolder);
    ui::tip("Pick a folder holding one subfolder per class, each full of images (PNG, JPEG, BMP, GIF).");
    ImGui::SameLine();
    ui::dim_text("or drop files or a folder anywhere on the page");
  } else {
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 30, ImGui::GetContentRegionAvail().x * 0.6f));
    ImGui::InputTextWithHint("##path", "path to a folder, ZIP, IDX images file or CSV", &path_input);
    ui::tip("A dataset on this computer: a folder of class subfolders, a ZIP, an IDX images file or a CSV.");
    ImGui::SameLine();
    if (ImGui::Button("Load") && !path_input.empty()) app.load_path(UploadPurpose::kDataset, path_input);
    ui::tip("Read the dataset at this path (you can also drop files on the window).");
  }
  ImGui::EndDisabled();
}

void DataPanel::draw_summary(App& app) {
  const Dataset& d = *app.session.dataset;
  ui::section("Dataset");
  ui::key_value("Source", app.session.dataset_source);
  ui::key_value("Images", ui::thousands(d.size()));
  ui::key_value("Image size", ui::format("%d x %d, %s", d.width, d.height, d.channels == 1 ? "gray" : "colour"));
  ui::key_value("Classes", std::to_string(d.num_classes()));
  ui::key_value("Memory", ui::bytes(static_cast<double>(d.pixels.size())) + " (kept as bytes, made float per batch)");
}

// --- split -------------------------------------------------------------------------------

void DataPanel::draw_split(App& app) {
  ui::section("Train / validation / test split");
  const DataSplit& s = app.session.split;
  const float total = static_cast<float>(std::max<size_t>(1, s.train.size() + s.val.size() + s.test.size()));
  const float width = ImGui::GetContentRegionAvail().x;
  const float ft = static_cast<float>(s.train.size()) / total, fv = static_cast<float>(s.val.size()) / total;
  ui::fraction_bar(1.0f, IM_COL32(236, 160, 64, 200), "", width);  // test = the rest, orange
  const ImVec2 end = ImGui::GetItemRectMax(), start = ImGui::GetItemRectMin();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(start, ImVec2(start.x + width * (ft + fv), end.y), ui::color::kValidation, 3);
  dl->AddRectFilled(start, ImVec2(start.x + width * ft, end.y), ui::color::kAccent, 3);
  const std::string label = ui::format("train %zu   |   validation %zu   |   test %zu", s.train.size(), s.val.size(),
                                       s.test.size());
  const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
  dl->AddText(ImVec2(start.x + (width - ts.x) / 2, start.y + (end.y - start.y - ts.y) / 2), IM_COL32(10, 14, 18, 255),
              label.c_str());
  ui::tip("Train: what the models learn from. Validation: checked after every epoch to watch for over-fitting. "
          "Test: held out until Evaluate, so its accuracy is honest.");

  if (!split_draft_loaded) {
    split_draft = app.session.split_settings;
    split_draft_loaded = true;
  }
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderFloat("validation", &split_draft.val_fraction, 0.0f, 0.4f, "%.2f");
  ui::tip("Share of the images set aside to measure accuracy after each epoch (not trained on).");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::SliderFloat("test", &split_draft.test_fraction, 0.05f, 0.5f, "%.2f");
  ui::tip("Share of the images held out for the final evaluation: never seen during training.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  int seed = static_cast<int>(split_draft.seed);
  if (ImGui::InputInt("seed##split", &seed)) split_draft.seed = static_cast<uint64_t>(std::max(0, seed));
  ui::tip("The shuffle used to split: the same seed always gives the same split.");
  ImGui::SameLine();
  const bool differs = split_draft.val_fraction != app.session.split_settings.val_fraction ||
                       split_draft.test_fraction != app.session.split_settings.test_fraction ||
                       split_draft.seed != app.session.split_settings.seed;
  ImGui::BeginDisabled(!differs || app.worker.busy());
  if (ImGui::Button("Apply split")) {
    app.session.split_settings = split_draft;
    app.session.resplit();
    app.notices.info("New split: evaluations were cleared because the test set changed.");
  }
  ImGui::EndDisabled();
  ui::tip("Re-split the dataset with these settings (evaluations are cleared, models are kept).");
}

// --- unlabeled images ---------------------------------------------------------------------

void DataPanel::draw_unlabeled(App& app) {
  ui::section("Unlabeled images (optional)");
  const bool busy = app.worker.busy();
  const Session& s = app.session;
  if (s.unlabeled) {
    ui::key_value("Unlabeled", ui::thousands(s.unlabeled->size()) + " images from " + s.unlabeled_source);
    ImGui::SameLine();
    ImGui::BeginDisabled(busy);
    if (ImGui::Button("Remove")) app.run_action([&] { clear_unlabeled(app); });
    ImGui::EndDisabled();
    ui::tip("Forget the unlabeled images; the labelled dataset stays.");
  } else {
    ui::dim_text("Images nobody labelled: distillation also learns from the teacher's answers on them (the student "
                 "alone cannot). They are brought to the dataset's image size.");
  }
  ImGui::BeginDisabled(busy);
  if (app.platform.has_file_picker()) {
    if (ImGui::Button(s.unlabeled ? "Replace unlabeled images..." : "Add unlabeled images..."))
      app.platform.pick_files(UploadPurpose::kUnlabeled);
    ui::tip("Pick images (PNG, JPEG, BMP, GIF), a ZIP of them, or an IDX images file without labels.");
  } else {
    ImGui::SetNextItemWidth(std::min(ImGui::GetFontSize() * 30, ImGui::GetContentRegionAvail().x * 0.6f));
    ImGui::InputTextWithHint("##unlabeled_path", "path to a folder of images, a ZIP or an IDX images file",
                             &unlabeled_path_input);
    ui::tip("Images without labels on this computer: a folder (any subfolders), a ZIP or an IDX images file.");
    ImGui::SameLine();
    if (ImGui::Button("Add unlabeled") && !unlabeled_path_input.empty())
      app.load_path(UploadPurpose::kUnlabeled, unlabeled_path_input);
    ui::tip("Read the images at this path as the unlabeled set.");
  }
  ImGui::EndDisabled();
}

// --- classes and thumbnails ------------------------------------------------------------------

void DataPanel::rebuild_thumbnails(App& app) {
  thumbnails_version = app.session.dataset_version;
  thumbnails.reset();
  const Dataset& d = *app.session.dataset;
  const int classes = std::min(d.num_classes(), 40);
  thumb_columns = thumbs_per_class;
  thumb_rows = classes;
  // Cells up to 32 px: enough to see, small enough for a big colour dataset.
  const int cell = std::min(32, std::max(d.height, d.width));
  ui::ImageGridBuilder grid(thumb_columns * thumb_rows, thumb_columns, cell, cell);
  std::vector<int> filled(classes, 0);
  for (int i = 0; i < d.size(); ++i) {
    const int c = d.labels[i];
    if (c >= classes || filled[c] >= thumb_columns) continue;
    grid.put(c * thumb_columns + filled[c]++, d.image(i), d.width, d.height, d.channels);
  }
  thumbnails = grid.upload(app.platform);
}

void DataPanel::draw_classes(App& app) {
  const Dataset& d = *app.session.dataset;
  if (thumbnails_version != app.session.dataset_version) rebuild_thumbnails(app);
  ui::section("Classes and samples");
  const auto counts = d.class_counts();
  const float font = ImGui::GetFontSize();
  const float avail = ImGui::GetContentRegionAvail().x;
  const float thumb = font * 2.4f;
  const float grid_width = (thumb + 2) * thumb_columns;
  if (ImGui::BeginTable("classes", 2, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("counts", ImGuiTableColumnFlags_WidthFixed, std::max(font * 14, avail - grid_width - font * 2));
    ImGui::TableSetupColumn("samples", ImGuiTableColumnFlags_WidthFixed, grid_width);
    for (int c = 0; c < d.num_classes(); ++c) {
      ImGui::TableNextRow(ImGuiTableRowFlags_None, thumb + 2);
      ImGui::TableNextColumn();
      const int max_count = *std::max_element(counts.begin(), counts.end());
      const float col_w = ImGui::GetContentRegionAvail().x;
      const ImVec2 p = ImGui::GetCursorScreenPos();
      ImDrawList* dl = ImGui::GetWindowDrawList();
      const float name_w = font * 7.5f;
      std::string name = d.class_names[c];
      while (name.size() > 1 && ImGui::CalcTextSize(name.c_str()).x > name_w - font * 0.4f) name.pop_back();
      dl->AddText(ImVec2(p.x, p.y + (thumb - font) / 2), IM_COL32(215, 218, 226, 255), name.c_str());
      const float bar_w = std::max(10.0f, col_w - name_w - font * 3.5f);
      const float w = bar_w * static_cast<float>(counts[c]) / static_cast<float>(std::max(1, max_count));
      dl->AddRectFilled(ImVec2(p.x + name_w, p.y + thumb * 0.25f), ImVec2(p.x + name_w + w, p.y + thumb * 0.75f),
                        ui::color::kAccent, 2);
      const std::string count = std::to_string(counts[c]);
      dl->AddText(ImVec2(p.x + name_w + w + font * 0.4f, p.y + (thumb - font) / 2), ui::color::kDim, count.c_str());
      ImGui::Dummy(ImVec2(col_w, thumb));
      ui::tip("How many images this class has. Very uneven counts make a classifier favour the big classes.");
      ImGui::TableNextColumn();
      if (c < thumb_rows) {
        for (int k = 0; k < thumb_columns; ++k) {
          if (k) ImGui::SameLine(0, 2);
          ui::grid_image(thumbnails, c * thumb_columns + k, thumb_columns, thumb_rows, ImVec2(thumb, thumb));
        }
      }
    }
    ImGui::EndTable();
  }
}

}  // namespace distillery
