#pragma once
// decode_dataset: the one entry point the web app and the CLI use to turn
// uploaded or read files into a Dataset, whatever their format.
#include <vector>

#include "engine/data/data_limits.h"
#include "engine/data/dataset.h"
#include "engine/data/file_entry.h"

namespace distillery {

struct DatasetOptions {
  // Wanted image shape (e.g. a model's input). Each 0 keeps what the data
  // has; a folder of images then takes the first image's size (gray when all
  // images are gray). Non-zero values convert the decoded dataset.
  int height = 0;
  int width = 0;
  int channels = 0;
  // IDX class names: Fashion-MNIST's instead of "0".."9". Also chosen when a
  // file path contains "fashion" (any case).
  bool fashion_mnist_names = false;
  DataLimits limits;
};

// Recognises the format:
//   one ZIP                      -> its entries, decoded by the rules below
//   one .csv (optionally .gz)    -> CSV (label, then pixels)
//   IDX images + labels          -> MNIST-style dataset; the labels file is
//                                   a second entry, found by its standard name
//   many files                   -> image folder, one subfolder per class
// Throws Error with a message for the person who supplied the files.
Dataset decode_dataset(const std::vector<FileEntry>& files, const DatasetOptions& options = {});

// Images without labels (a distillation transfer set): a ZIP or a folder of
// images in any folders (class folders are allowed and ignored), IDX images
// without a labels file, or any labelled dataset decode_dataset reads (its
// labels are dropped). Every label is Dataset::kUnlabeled; no class names.
// Same options (shape conversion, limits) and the same kind of errors as decode_dataset.
Dataset decode_unlabeled_images(const std::vector<FileEntry>& files, const DatasetOptions& options = {});

// An IDX pair whose roles are known (e.g. the CLI's --labels), whatever the
// file names; plain or gzip. Same options and conversion as decode_dataset.
Dataset decode_idx_files(const FileEntry& images, const FileEntry& labels, const DatasetOptions& options = {});

}  // namespace distillery
