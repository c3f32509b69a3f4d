#pragma once
// RestoreOffer: the banner "Restore your session from HH:MM? [Restore]
// [Discard]" shown after a reload when the page found a saved session
// (web/session-store.js). The buttons only record the choice; the page reads
// it through the JS API ("sessionTick") and does the restore, since the
// saved bytes live in the browser's IndexedDB.
#include <string>

namespace distillery {

struct RestoreOffer {
  bool shown = false;
  std::string saved_at;  // "HH:MM", local time, as the page formats it
  std::string detail;    // what the session holds, e.g. "dataset, teacher, distillation at epoch 2 of 6"
  std::string choice;    // "" until a button is pressed, then "restore" or "discard"

  void offer(std::string time, std::string what) {
    shown = true;
    saved_at = std::move(time);
    detail = std::move(what);
    choice.clear();
  }
  // Draws the banner while shown (inside the panel area).
  void draw();
};

}  // namespace distillery
