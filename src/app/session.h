#pragma once
// Session: what the user has loaded and made so far (dataset and its split,
// teacher, student, their evaluations and the curves of the last run). Panels
// read it; jobs replace parts of it on the main thread only when they succeed,
// so a failed upload or run never loses what was there before.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/dataset.h"
#include "engine/metrics/metrics.h"
#include "engine/model/model.h"
#include "engine/train/trainer.h"

namespace distillery {

struct SplitSettings {
  float val_fraction = 0.1f;   // of all samples, watched during training
  float test_fraction = 0.2f;  // of all samples, never trained on: Evaluate uses it
  uint64_t seed = 1;
};

struct DataSplit {
  std::vector<int> train, val, test;  // sample indices, each sorted
};

// Shuffles 0..n-1 with seed, takes the test part, then the validation part;
// the rest trains. Deterministic for a given n and settings.
DataSplit make_split(int n, const SplitSettings& settings);

// The curves of one training run, as the Distil panel plots them.
struct TrainingCurves {
  std::string title;                  // "Distilling student", "Training teacher", ...
  std::vector<float> batch_epoch;     // x: fractional epoch of each batch
  std::vector<float> batch_loss;
  std::vector<float> batch_accuracy;
  std::vector<EpochReport> epochs;
  float teacher_val_accuracy = -1;    // reference line; -1 when there is no teacher
};

// How the current student was made, for provenance and the export file name.
struct StudentRecipe {
  std::string arch;          // layer spec, e.g. "dense:32"
  std::string method;        // "distilled", "trained alone", "pruned", "loaded"
  float temperature = 0;
  float alpha = 0;
  float sparsity = 0;        // after pruning
};

struct Session {
  std::shared_ptr<const Dataset> dataset;
  std::string dataset_source;  // file or folder name
  SplitSettings split_settings;
  DataSplit split;

  std::shared_ptr<Model> teacher;
  std::string teacher_source;
  std::optional<EvalReport> teacher_eval;

  std::shared_ptr<Model> student;
  StudentRecipe student_recipe;
  std::optional<EvalReport> student_eval;

  TrainingCurves curves;

  // Bumped on every replacement so panels can refresh their caches.
  int dataset_version = 0;
  int teacher_version = 0;
  int student_version = 0;

  void set_dataset(std::shared_ptr<const Dataset> data, std::string source);
  void resplit();  // after the split settings change
  void set_teacher(std::shared_ptr<Model> model, std::string source);
  void set_student(std::shared_ptr<Model> model, StudentRecipe recipe);
};

// Why a model cannot run on a dataset ("" when it can): input shape and class
// count must match.
std::string model_data_mismatch(const Model& model, const Dataset& data, const std::string& model_name);

}  // namespace distillery
