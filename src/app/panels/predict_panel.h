#pragma once
// Predict panel: drop or pick images (or take one from the test split) and
// see the top-k classes with probability bars for teacher and student side by side.
#include <string>
#include <vector>

#include "app/actions.h"
#include "app/widgets/texture.h"
#include "engine/data/file_entry.h"

namespace distillery {

class App;

struct PredictedImage {
  std::string name;
  std::vector<uint8_t> pixels;  // in the models' input shape
  int height = 0, width = 0, channels = 0;
  ui::Texture texture;
  std::vector<ClassScore> teacher, student;
  int teacher_version = -1, student_version = -1;
};

struct PredictPanel {
  void draw(App& app);
  // Decodes images (to the models' input shape) and predicts them.
  void add_images(App& app, const std::vector<FileEntry>& files);
  void add_test_image(App& app);

  std::vector<PredictedImage> images;  // newest first
  int top_k = 3;
  int next_test_image = 0;

 private:
  void refresh_scores(App& app, PredictedImage& image);
};

}  // namespace distillery
