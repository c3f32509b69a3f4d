#pragma once
// A combo box over a closed set (an enum class): the items pair each value
// with the label the panel shows, which may differ from the value's name in
// the engine's table (the prune panel says "gradual" for the polynomial
// schedule).
//
//   static const EnumItem<LrSchedule> kSchedules[] = {{LrSchedule::kConstant, "constant"}, ...};
//   enum_combo("schedule", o.schedule, kSchedules);
#include <cstddef>

#include "imgui.h"

namespace distillery::ui {

template <typename E>
struct EnumItem {
  E value;
  const char* label;
};

template <typename E, size_t N>
bool enum_combo(const char* label, E& value, const EnumItem<E> (&items)[N]) {
  int index = 0;
  const char* labels[N];
  for (size_t i = 0; i < N; ++i) {
    labels[i] = items[i].label;
    if (items[i].value == value) index = static_cast<int>(i);
  }
  if (!ImGui::Combo(label, &index, labels, static_cast<int>(N))) return false;
  value = items[index].value;
  return true;
}

}  // namespace distillery::ui
