#include "app/widgets/item_locator.h"

#include <map>

#include "imgui.h"

namespace distillery::ui {
namespace {

struct Seen {
  ItemRect rect;
  int frame = 0;
};

// One UI thread draws, and the JS API runs on it between frames. Entries are
// told apart by frame count only: one ImGui context per process (the app's).
std::map<std::string, Seen>& seen_items() {
  static std::map<std::string, Seen> items;
  return items;
}

}  // namespace

void remember_item(const std::string& name) {
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  seen_items()[name] = {{min.x, min.y, max.x - min.x, max.y - min.y}, ImGui::GetFrameCount()};
}

std::optional<ItemRect> remembered_item(const std::string& name) {
  const auto it = seen_items().find(name);
  // Between frames GetFrameCount() is the last frame drawn; one frame of
  // slack covers a call made while the next frame is being built.
  if (it == seen_items().end() || ImGui::GetCurrentContext() == nullptr ||
      it->second.frame < ImGui::GetFrameCount() - 1)
    return std::nullopt;
  return it->second.rect;
}

}  // namespace distillery::ui
