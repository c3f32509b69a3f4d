#pragma once
// Image-folder datasets: one subfolder per class ("cat/1.png", "dog/7.jpg"),
// as uploaded from a directory picker or unpacked from a ZIP.
#include <vector>

#include "engine/data/data_limits.h"
#include "engine/data/dataset.h"
#include "engine/data/file_entry.h"

namespace distillery {

struct ImageFolderOptions {
  // Every image is brought to this shape. 0 means: height/width of the first
  // image (in path order); channels 1 when every image is stored gray, else 3.
  int height = 0;
  int width = 0;
  int channels = 0;
  DataLimits limits;
  // Images without labels (a distillation transfer set): any folders or none,
  // folder names ignored, every label Dataset::kUnlabeled, no class names.
  bool unlabeled = false;
};

// The class of "cat/1.png" (or "root/cat/1.png", a single top folder shared
// by all images is stripped) is "cat"; classes are sorted by name, samples by
// path. Files without an image extension and dotfiles are skipped. Throws
// Error naming the file for an image that does not decode, and when there
// are fewer than two classes (unless options.unlabeled).
Dataset decode_image_folder(const std::vector<FileEntry>& files, const ImageFolderOptions& options = {});

}  // namespace distillery
