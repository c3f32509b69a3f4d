#pragma once
// Datasets for the subcommands: loaded from --data/--labels, checked, and,
// for an existing model, brought to its input size and colour with the labels
// renumbered into the model's class order. Errors name the data path.
#include <string>

#include "engine/data/dataset.h"
#include "engine/model/model.h"

namespace distillery {

// A dataset to train a new model on, as stored (its own size and colour).
// Throws Error when it is empty or has fewer than two classes.
Dataset load_training_data(const std::string& path, const std::string& labels_path);

// A dataset for `model`: decoded at the model's input shape, labels mapped to
// the model's classes by name (or by position when the names differ but the
// counts agree, e.g. IDX digits "0".."9" against named classes, with a note).
Dataset load_data_for_model(const std::string& path, const std::string& labels_path, const Model& model,
                            const std::string& model_path);

// Renumbers data's labels into class_names' order; data then carries class_names.
void align_classes(Dataset& data, const std::vector<std::string>& class_names, const std::string& data_path,
                   const std::string& model_path);

// Throws "PATH: the dataset has only one class ('x'); a classifier needs at
// least two" unless samples of two classes or more are present.
void require_two_classes(const Dataset& data, const std::string& path);

// The teacher at teacher_path, refused unless it takes the model's input
// and has its classes (eval --teacher, prune --teacher).
Model load_teacher_for(const std::string& teacher_path, const Model& model);

// Throws "PATH: no such file or folder" when nothing is there.
void require_exists(const std::string& path);

// Throws "MODEL_PATH: ..." unless the model takes images [H, W, 1 or 3].
void require_image_model(const Model& model, const std::string& model_path);

}  // namespace distillery
