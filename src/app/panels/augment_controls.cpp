#include "app/panels/augment_controls.h"

#include "app/widgets/ui.h"

namespace distillery {

bool draw_augment_options(AugmentSpec& spec, const char* id) {
  ImGui::PushID(id);
  const float font = ImGui::GetFontSize();
  bool changed = false;
  ImGui::SetNextItemWidth(font * 6);
  changed |= ImGui::SliderInt("shift", &spec.shift, 0, 8, "%d px");
  ui::tip("Moves each training image by up to this many pixels in x and y (the border is filled with black).");
  ImGui::SameLine();
  changed |= ImGui::Checkbox("flip", &spec.flip);
  ui::tip("Mirrors half of the training images left to right. Right for clothes and animals, wrong for digits and text.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  changed |= ImGui::SliderFloat("rotate", &spec.rotate, 0.0f, 30.0f, "%.0f deg");
  ui::tip("Turns each training image by a random angle up to this many degrees, either way.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  changed |= ImGui::SliderFloat("scale", &spec.scale, 0.0f, 0.3f, "%.2f");
  ui::tip("Zooms each training image in or out by up to this fraction (0.1: between 90 % and 110 %).");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  changed |= ImGui::SliderFloat("mixup", &spec.mixup, 0.0f, 1.0f, "%.2f");
  ui::tip("Blends pairs of training images and their labels (Beta(a, a) weights; 0 is off, 0.2 is usual). The teacher "
          "says what a blend looks like, which labels alone cannot.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  changed |= ImGui::SliderFloat("cutmix", &spec.cutmix, 0.0f, 2.0f, "%.2f");
  ui::tip("Pastes a box of one training image into another, labels mixed by area (Beta(a, a); 0 is off, 1 is usual).");
  ImGui::SameLine();
  ui::dim_text(("augment: " + augment_spec_text(spec)).c_str());
  ImGui::PopID();
  return changed;
}

}  // namespace distillery
