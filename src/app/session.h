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

#include "app/jobs/job_kind.h"
#include "app/model_role.h"
#include "engine/core/name_table.h"
#include "engine/data/dataset.h"
#include "engine/metrics/metrics.h"
#include "engine/model/model.h"
#include "engine/quant/quantized_model.h"
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
  std::string title;                  // "Distilling student", "Training teacher", ...: what the chart says
  std::optional<JobKind> kind;        // the job that drew them, which panels route on; none before a run
  std::vector<float> batch_epoch;     // x: fractional epoch of each batch
  std::vector<float> batch_loss;
  std::vector<float> batch_accuracy;
  std::vector<EpochReport> epochs;
  float teacher_val_accuracy = -1;    // reference line; -1 when there is no teacher
};

// The distilled student against the same student trained alone (same seed,
// split, augmentation and schedule), on the test split: the Distil panel's
// last line and the JS result's baseline_accuracy and gain.
struct BaselineComparison {
  double distilled_accuracy = 0;
  double alone_accuracy = 0;
  double gain() const { return distilled_accuracy - alone_accuracy; }
  // "distilled 91.8 % vs alone 90.9 % (+0.9 points, same seed and schedule)"
  std::string line() const;
};

// How the current student was made, for provenance and the export file name.
// How the student came about; the names are what saved sessions and the JS API's status say.
enum class StudentMethod { kDistilled, kAlone, kPruned };
inline const NameTable<StudentMethod>& student_method_names() {
  static const NameTable<StudentMethod> table(
      "student method",
      {{StudentMethod::kDistilled, "distilled"}, {StudentMethod::kAlone, "alone"}, {StudentMethod::kPruned, "pruned"}});
  return table;
}
inline const char* student_method_name(StudentMethod m) { return student_method_names().name(m); }

struct StudentRecipe {
  std::string arch;          // layer spec, e.g. "dense:32"
  StudentMethod method = StudentMethod::kDistilled;
  float temperature = 0;
  float alpha = 0;
  float sparsity = 0;        // after pruning
};

// The quantized form of the student or the teacher (the Quantize panel), and
// the file sizes the Evaluate and Export panels show.
struct QuantizedEntry {
  // forward() keeps workspaces, so jobs run their own copy (clone_quantized).
  std::shared_ptr<QuantizedModel> model;
  ModelRole source = ModelRole::kStudent;
  int64_t file_bytes = 0;        // its Distillery JSON, weights in base64
  int64_t float_file_bytes = 0;  // the float model it came from, in the same encoding
  int64_t float32_weight_bytes = 0;  // that model's weights as float32 (compare with model->weight_bytes())
};

// The quantized model on the test split against the float model it came
// from, both measured in the same run so their speeds compare.
struct QuantizedEval {
  // agreement, kl_to_teacher and teacher_accuracy are against the float model.
  EvalReport report;
  double float_latency_ms_per_sample = 0;
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
  // The student-alone run of the last distillation with a baseline (empty
  // without one), drawn on the same axes as `curves`, and its verdict.
  TrainingCurves baseline_curves;
  std::optional<BaselineComparison> comparison;
  std::shared_ptr<const Model> baseline_student;  // that run's student, kept for inspection

  // Images without labels (a transfer set) in the dataset's image shape:
  // distillation with a teacher also learns from them. Null when none.
  std::shared_ptr<const Dataset> unlabeled;
  std::string unlabeled_source;

  // Made from the student or the teacher; dropped when that model is replaced.
  std::optional<QuantizedEntry> quantized;
  std::optional<QuantizedEval> quantized_eval;

  // Bumped on every replacement so panels can refresh their caches.
  int dataset_version = 0;
  int teacher_version = 0;
  int student_version = 0;
  int unlabeled_version = 0;
  int quantized_version = 0;

  // Keeps the unlabeled set only when it has the new dataset's image shape.
  void set_dataset(std::shared_ptr<const Dataset> data, std::string source);
  void set_unlabeled(std::shared_ptr<const Dataset> images, std::string source);  // null: remove
  void resplit();  // after the split settings change
  void set_teacher(std::shared_ptr<Model> model, std::string source);
  // Also forgets the baseline comparison: it was about the student replaced.
  void set_student(std::shared_ptr<Model> model, StudentRecipe recipe);
  // Empty: remove it. Also forgets its evaluation.
  void set_quantized(std::optional<QuantizedEntry> entry);
  // The model a role names (null when there is none).
  const std::shared_ptr<Model>& model_of(ModelRole role) const { return role == ModelRole::kStudent ? student : teacher; }
};

// Why a model cannot run on a dataset ("" when it can): input shape and class
// count must match.
std::string model_data_mismatch(const Model& model, const Dataset& data, const std::string& model_name);

}  // namespace distillery
