// Augmentation preview. Sections: the key and the grids, drawing.
#include "app/panels/augment_preview.h"

#include <algorithm>
#include <cmath>

#include "app/app.h"
#include "app/widgets/ui.h"
#include "engine/data/augment.h"

namespace distillery {

namespace {

std::string class_name(const Dataset& d, int label) {
  return label >= 0 && label < d.num_classes() ? d.class_names[label] : "(unlabeled)";
}

// Float image (after preprocessing) back to displayable pixels.
void to_pixels(const float* x, int values, const Preprocessing& pre, std::vector<uint8_t>& out) {
  out.resize(static_cast<size_t>(values));
  for (int i = 0; i < values; ++i) {
    const float pixel = (x[i] * pre.std + pre.mean) / pre.scale;
    out[i] = static_cast<uint8_t>(std::clamp(std::lround(pixel), 0L, 255L));
  }
}

}  // namespace

// --- the key and the grids -----------------------------------------------------------------

void AugmentPreview::rebuild(App& app, const DistillOptions& o) {
  const Dataset& d = *app.session.dataset;
  const std::vector<int>& train = app.session.split.train;
  count_ = static_cast<int>(std::min<size_t>(kImages, train.size()));
  std::vector<int> indices;
  // Spread over the split: a dataset stored class by class still shows several classes.
  for (int i = 0; i < count_; ++i) indices.push_back(train[static_cast<size_t>(i) * train.size() / count_]);
  const Preprocessing pre = app.session.teacher ? app.session.teacher->preprocessing : Preprocessing{};
  BatchAugmenter augmenter(o.train.augment, augment_seed(to_train_config(o.train)));
  Tensor images;
  BatchTargets targets;
  augmenter.draw(d, indices.data(), count_, pre, step, images, targets);

  const int cell = std::clamp(std::max(d.height, d.width), 16, 64);
  ui::ImageGridBuilder seen(count_, count_, cell, cell), plain(count_, count_, cell, cell);
  std::vector<uint8_t> pixels;
  main_caption_.assign(count_, "");
  mix_caption_.assign(count_, "");
  for (int i = 0; i < count_; ++i) {
    to_pixels(images.data() + static_cast<size_t>(i) * d.image_bytes(), d.image_bytes(), pre, pixels);
    seen.put(i, pixels.data(), d.width, d.height, d.channels);
    plain.put(i, d.image(indices[i]), d.width, d.height, d.channels);
    // The heavier class, then "+11% Shirt" for the one mixed in (the share first, so a cut keeps
    // the number); a share that rounds to 0 % is not worth a line.
    const bool mixed = targets.partner_position[i] != i;
    const bool swap = mixed && targets.weight[i] < 0.5f;
    const float minor = swap ? targets.weight[i] : 1 - targets.weight[i];
    main_caption_[i] = class_name(d, swap ? targets.partner[i] : targets.label[i]);
    if (mixed && minor >= 0.005f)
      mix_caption_[i] = ui::format("+%.0f%% ", minor * 100) + class_name(d, swap ? targets.label[i] : targets.partner[i]);
  }
  student_grid_ = seen.upload(app.platform);
  teacher_grid_ = plain.upload(app.platform);
}

// --- drawing ------------------------------------------------------------------------------

void AugmentPreview::draw_row(const char* title, const ui::Texture& grid, bool captions) {
  const float font = ImGui::GetFontSize();
  const float size = font * 4.8f;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(title);
  ImGui::SameLine(font * 7.5f);
  for (int i = 0; i < count_; ++i) {
    if (i) ImGui::SameLine(0, font * 0.5f);
    ImGui::BeginGroup();
    ui::grid_image(grid, i, count_, 1, ImVec2(size, size));
    if (captions) {
      // Cut to the image's width so the cells stay aligned.
      for (const std::string* text : {&main_caption_[i], &mix_caption_[i]}) {
        std::string shown = *text;
        while (shown.size() > 1 && ImGui::CalcTextSize(shown.c_str()).x > size) shown.pop_back();
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(text == &main_caption_[i] ? IM_COL32(215, 218, 226, 255) : ui::color::kDim));
        ImGui::TextUnformatted(shown.empty() ? " " : shown.c_str());
        ImGui::PopStyleColor();
      }
    }
    ImGui::EndGroup();
    if (captions && ImGui::IsItemHovered())
      ImGui::SetTooltip("%s%s%s", main_caption_[i].c_str(), mix_caption_[i].empty() ? "" : "\nmixed with ",
                        mix_caption_[i].c_str());
  }
}

void AugmentPreview::draw(App& app, const DistillOptions& o) {
  ui::section("What the student and the teacher see");
  if (!app.session.dataset || app.session.split.train.empty()) {
    ui::dim_text("Load a dataset to see its training images as training will show them.");
    return;
  }
  const Session& s = app.session;
  const std::string key = std::to_string(s.dataset_version) + "/" + std::to_string(s.teacher_version) + "/" +
                          augment_spec_text(o.train.augment) + "/" + std::to_string(o.train.seed) + "/" +
                          std::to_string(step);
  if (key != key_) {
    key_ = key;
    rebuild(app, o);
  }
  if (ImGui::Button("Next batch")) ++step;
  ui::tip("Show the random draws of the next training step: each step shifts, flips and mixes differently.");
  ImGui::SameLine();
  const bool consistent = o.teacher_mode == TeacherMode::kConsistent;
  ui::dim_text(ui::format("training step %d%s", step + 1,
                          o.train.augment.any() ? "" : "   (no augmentation set: every step shows the plain images)")
                   .c_str());
  draw_row("student sees", student_grid_, true);
  if (!s.teacher) {
    ui::dim_text("Load a teacher to distil: it will be shown these images too.");
    return;
  }
  draw_row("teacher sees", consistent ? student_grid_ : teacher_grid_, false);
  ui::dim_text(consistent ? "Consistent mode: the teacher sees exactly the image the student sees, augmented and mixed, "
                            "so its answer fits what the student is asked."
                          : "Cached mode: the teacher's outputs were computed once on the plain images; the student "
                            "sees augmented ones, so the two can disagree about what is in the picture.");
}

}  // namespace distillery
