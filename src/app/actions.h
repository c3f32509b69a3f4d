#pragma once
// Actions: what a button in a panel or a JS API call does. Each checks its
// inputs and throws Error with a message for the user; long work starts a
// job on the worker and returns its id. Nothing in the session changes until
// a job succeeds (or, for the quick actions, until the new value is built).
#include <memory>
#include <string>
#include <vector>

#include "app/model_export.h"
#include "app/model_upload.h"
#include "app/options.h"
#include "app/platform_services.h"
#include "app/prediction.h"
#include "engine/data/file_entry.h"
#include "engine/model/model.h"

namespace distillery {

class App;
struct ResumePoint;

// Decodes uploaded files into the dataset (a job). When a teacher is loaded
// and the images differ in size or colour, they are converted to its input.
int start_dataset_upload(App& app, std::vector<FileEntry> files);
// Parses a model JSON file; on success it becomes the teacher.
void load_teacher_json(App& app, const std::string& text, const std::string& source);
// Model files (Distillery JSON, TF.js model.json + .bin shards, or a ZIP of
// either, see model_upload.h); on success the model becomes the teacher.
// Returns the name of the file's format (model_file_format_names: "distillery", "tfjs" or "onnx").
std::string load_teacher_files(App& app, const std::vector<FileEntry>& files, const ModelImportSettings& settings);
// resume (optional): continue a saved run of the same options from its
// checkpoint (session restore) instead of starting over.
int start_teacher_training(App& app, const TrainOptions& options, std::shared_ptr<const ResumePoint> resume = nullptr);
// Distils a new student from the teacher (loss kd, dkd, mse; the session's
// unlabeled images join its training split), or trains it alone (ce: labelled
// images only). With options.baseline, one job also trains the same student
// alone and measures the gain (jobs/baseline_job.h).
int start_distillation(App& app, const DistillOptions& options, std::shared_ptr<const ResumePoint> resume = nullptr);
// Decodes images without labels (a job) into the session's unlabeled set, in
// the dataset's image shape; on failure the earlier set stays.
int start_unlabeled_upload(App& app, std::vector<FileEntry> files);
// Removes the unlabeled set; returns how many images it held.
int clear_unlabeled(App& app);
// Prunes the student, or a copy of the teacher when there is no student.
int start_pruning(App& app, const PruneOptions& options, std::shared_ptr<const ResumePoint> resume = nullptr);
// Evaluates the student, the teacher and the quantized model on the test split (a job).
int start_evaluation(App& app);
// Quantizes the student or the teacher (a job); the result becomes the
// session's quantized model, the float model stays as it is.
int start_quantization(App& app, const QuantizeRequest& request);

}  // namespace distillery
