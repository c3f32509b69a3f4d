#include "app/restore_offer.h"

#include "app/widgets/item_locator.h"
#include "app/widgets/ui.h"
#include "imgui.h"

namespace distillery {

void RestoreOffer::draw() {
  if (!shown) return;
  const float font = ImGui::GetFontSize();
  const std::string question = "Restore your session from " + saved_at + "?";
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.08f, 0.25f, 0.24f, 1.0f));
  ImGui::BeginChild("restore-offer", ImVec2(-1, font * (detail.empty() ? 2.6f : 3.7f)), false);
  ImGui::SetCursorPos(ImVec2(font * 0.6f, font * 0.6f));
  ImGui::TextUnformatted(question.c_str());
  if (!detail.empty()) {
    ImGui::SetCursorPosX(font * 0.6f);
    ui::dim_text(detail.c_str());
  }
  ImGui::SameLine(ImGui::GetWindowWidth() - font * 10.5f);
  ImGui::SetCursorPosY(font * 0.45f);
  if (ImGui::Button("Restore")) {
    choice = "restore";
    shown = false;
  }
  ui::remember_item("Restore");
  ui::tip("Load the dataset, models and settings saved before the page was closed, and continue the training run "
          "from its last finished epoch.");
  ImGui::SameLine();
  if (ImGui::Button("Discard")) {
    choice = "discard";
    shown = false;
  }
  ui::remember_item("Discard");
  ui::tip("Forget the saved session and keep working with what is loaded now.");
  ImGui::EndChild();
  ImGui::PopStyleColor();
  ImGui::Spacing();
}

}  // namespace distillery
