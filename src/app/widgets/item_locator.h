#pragma once
// Where a widget was drawn in the last frame, by name, so a test can click it
// as a user would (the JS API's "widgetRect", then a real mouse event at
// that point) instead of calling what the button calls.
//
//   if (ImGui::Button("Restore")) ...;
//   ui::remember_item("Restore");
#include <optional>
#include <string>

namespace distillery::ui {

struct ItemRect {
  float x = 0, y = 0, width = 0, height = 0;  // ImGui display units (CSS pixels in the page)
};

// Records the last item's rectangle under `name` for this frame.
void remember_item(const std::string& name);
// The rectangle of `name` if it was drawn in this frame or the one before.
std::optional<ItemRect> remembered_item(const std::string& name);

}  // namespace distillery::ui
