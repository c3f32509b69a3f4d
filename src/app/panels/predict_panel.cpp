// Predict panel. Sections: inputs, adding images, the result cards.
#include "app/panels/predict_panel.h"

#include <algorithm>

#include "app/app.h"
#include "app/widgets/charts.h"
#include "app/widgets/ui.h"
#include "engine/data/image.h"

namespace distillery {

namespace {
constexpr size_t kMaxImages = 12;

const Model* input_model(const App& app) {
  return app.session.student ? app.session.student.get() : app.session.teacher.get();
}
}  // namespace

void PredictPanel::draw(App& app) {
  ui::section("Predict");
  ui::dim_text("Give the models an image and compare their top guesses.");
  const bool has_model = input_model(app) != nullptr;
  ImGui::BeginDisabled(!has_model);
  if (app.platform.has_file_picker()) {
    if (ImGui::Button("Pick images...")) app.platform.pick_files(UploadPurpose::kPredictImages);
    ui::tip("Choose PNG/JPEG/BMP/GIF images; they are resized and converted to the models' input. You can also drop them here.");
    ImGui::SameLine();
  }
  ImGui::BeginDisabled(!app.session.dataset || app.session.split.test.empty());
  if (ImGui::Button("Take a test image")) add_test_image(app);
  ImGui::EndDisabled();
  ui::tip("Use the next image of the held-out test split (its true class is shown).");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  ImGui::SliderInt("top k", &top_k, 1, 5);
  ui::tip("How many of the most likely classes to show per model.");
  if (!images.empty()) {
    ImGui::SameLine();
    if (ImGui::Button("Clear")) images.clear();
    ui::tip("Remove all images from this panel.");
  }
  if (!has_model) {
    ui::dim_text("Load a teacher or distil a student first.");
    return;
  }

  const float font = ImGui::GetFontSize();
  const float card_w = font * 24;
  const int per_row = std::max(1, static_cast<int>(ImGui::GetContentRegionAvail().x / (card_w + font)));
  for (size_t i = 0; i < images.size(); ++i) {
    PredictedImage& im = images[i];
    refresh_scores(app, im);
    if (i % per_row) ImGui::SameLine(0, font);
    // Top-k bars, teacher and student side by side per class (union of both top-k lists).
    std::vector<std::string> labels;
    for (const auto* scores : {&im.teacher, &im.student})
      for (int k = 0; k < top_k && k < static_cast<int>(scores->size()); ++k)
        if (std::find(labels.begin(), labels.end(), (*scores)[k].label) == labels.end()) labels.push_back((*scores)[k].label);
    if (labels.size() > static_cast<size_t>(top_k) + 2) labels.resize(top_k + 2);
    auto values = [&](const std::vector<ClassScore>& scores) {
      std::vector<float> v;
      for (const auto& l : labels) {
        auto it = std::find_if(scores.begin(), scores.end(), [&](const ClassScore& s) { return s.label == l; });
        v.push_back(it == scores.end() ? 0.0f : it->probability);
      }
      return v;
    };
    std::vector<ui::BarSeries> series;
    if (!im.teacher.empty()) series.push_back({"teacher", values(im.teacher), ui::color::kTeacher});
    if (!im.student.empty()) series.push_back({"student", values(im.student), ui::color::kAccent});
    // Card height: image and names, then one bar row per label (see horizontal_bars).
    const float row_h = font * ((series.size() > 1 ? 0.72f : 0.85f) * std::max<size_t>(1, series.size()) + 0.45f);
    const float card_h = font * 6.6f + row_h * static_cast<float>(labels.size()) + ImGui::GetStyle().WindowPadding.y * 2;

    ImGui::PushID(static_cast<int>(i));
    ImGui::BeginChild("card", ImVec2(card_w, card_h), true, ImGuiWindowFlags_NoScrollbar);
    ImGui::Image(im.texture.id(), ImVec2(font * 5, font * 5));
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::TextWrapped("%s", im.name.c_str());
    auto best = [](const std::vector<ClassScore>& s) { return s.empty() ? std::string("-") : s[0].label; };
    if (!im.teacher.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::color::kTeacher), "teacher: %s", best(im.teacher).c_str());
    if (!im.student.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(ui::color::kAccent), "student: %s", best(im.student).c_str());
    ImGui::EndGroup();
    ui::horizontal_bars("topk", labels, series, 1.0f, "%.1f%%", true);
    ImGui::EndChild();
    ui::tip("Orange: the teacher's probabilities. Teal: the student's.");
    ImGui::PopID();
  }
}

void PredictPanel::refresh_scores(App& app, PredictedImage& im) {
  auto fits = [&](const Model& m) {
    return m.input_shape() == Shape{im.height, im.width, im.channels};
  };
  if (im.teacher_version != app.session.teacher_version) {
    im.teacher_version = app.session.teacher_version;
    im.teacher.clear();
    if (app.session.teacher && fits(*app.session.teacher)) im.teacher = predict_pixels(*app.session.teacher, im.pixels.data());
  }
  if (im.student_version != app.session.student_version) {
    im.student_version = app.session.student_version;
    im.student.clear();
    if (app.session.student && fits(*app.session.student)) im.student = predict_pixels(*app.session.student, im.pixels.data());
  }
}

void PredictPanel::add_images(App& app, const std::vector<FileEntry>& files) {
  const Model* model = input_model(app);
  require(model != nullptr, "load a teacher or distil a student before predicting");
  const Shape& shape = model->input_shape();
  require(shape.rank() == 3, "the model does not take images");
  for (const FileEntry& f : files) {
    // Decode everything first: a bad file leaves the panel as it was.
    Image decoded = decode_image(f.bytes, shape[0], shape[1], shape[2], f.path);
    PredictedImage im;
    im.name = f.path;
    im.height = decoded.height;
    im.width = decoded.width;
    im.channels = decoded.channels;
    im.pixels = std::move(decoded.pixels);
    im.texture = ui::Texture(app.platform, im.pixels.data(), im.width, im.height, im.channels);
    images.insert(images.begin(), std::move(im));
  }
  if (images.size() > kMaxImages) images.resize(kMaxImages);
}

void PredictPanel::add_test_image(App& app) {
  const Dataset& d = *app.session.dataset;
  const auto& test = app.session.split.test;
  const int index = test[next_test_image++ % test.size()];
  PredictedImage im;
  im.name = "test image #" + std::to_string(index) + " (true: " + d.class_names[d.labels[index]] + ")";
  im.height = d.height;
  im.width = d.width;
  im.channels = d.channels;
  im.pixels.assign(d.image(index), d.image(index) + d.image_bytes());
  im.texture = ui::Texture(app.platform, im.pixels.data(), im.width, im.height, im.channels);
  images.insert(images.begin(), std::move(im));
  if (images.size() > kMaxImages) images.resize(kMaxImages);
}

}  // namespace distillery
