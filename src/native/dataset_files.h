#pragma once
// Reading datasets and files from disk for the native front ends (CLI,
// desktop app). The engine decodes bytes; this file only gathers them.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset.h"
#include "engine/data/dataset_decoding.h"
#include "engine/data/file_entry.h"

namespace distillery {

// Loads a dataset from `path`: a folder (walked recursively, one subfolder
// per class, or a folder holding a CSV or IDX files), a .zip, a .csv, or an
// IDX images file whose labels file is `labels_path` or lies beside it under
// the standard name (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz).
// A path containing "fashion" selects the Fashion-MNIST class names for IDX.
// Throws Error naming the path and the problem.
Dataset load_dataset_from_path(const std::string& path, const std::string& labels_path = "",
                               const DatasetOptions& options = {});

// Loads images without labels (a distillation transfer set, see
// decode_unlabeled_images) from `path`: a folder (walked recursively) or one
// file. An IDX images file stands alone: no labels file is looked for.
// Throws Error naming the path and the problem.
Dataset load_unlabeled_images_from_path(const std::string& path, const DatasetOptions& options = {});

// Every regular file under `folder` (recursively, hidden files and folders
// skipped) with its path relative to `folder`, '/'-separated.
std::vector<FileEntry> read_folder_entries(const std::string& folder, const DataLimits& limits = {});

// The whole file; throws Error "cannot open FILE: reason".
std::vector<uint8_t> read_file_bytes(const std::string& path);
std::string read_text_file(const std::string& path);

}  // namespace distillery
