#pragma once
// Data panel: upload a dataset (files, a folder, a ZIP, IDX, CSV, or a drop),
// see its classes, counts and sample thumbnails, set the train / validation /
// test split, and add images without labels for distillation.
#include <string>
#include <vector>

#include "app/session.h"
#include "app/widgets/texture.h"

namespace distillery {

class App;

struct DataPanel {
  void draw(App& app);

  std::string path_input;         // desktop: a path to load
  std::string unlabeled_path_input;  // desktop: a path of unlabeled images
  SplitSettings split_draft;      // edited here, applied with the button
  bool split_draft_loaded = false;
  int thumbs_per_class = 10;

  // Thumbnails of the current dataset (rebuilt when it changes).
  ui::Texture thumbnails;
  int thumbnails_version = -1;
  int thumb_columns = 0, thumb_rows = 0;
  std::vector<int> thumb_class;  // per grid cell: its class (-1 for empty)

 private:
  void draw_upload(App& app);
  void draw_summary(App& app);
  void draw_split(App& app);
  void draw_unlabeled(App& app);
  void draw_classes(App& app);
  void rebuild_thumbnails(App& app);
};

}  // namespace distillery
