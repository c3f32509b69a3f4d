#pragma once
// Actions: what a button in a panel or a JS API call does. Each checks its
// inputs and throws Error with a message for the user; long work starts a
// job on the worker and returns its id. Nothing in the session changes until
// a job succeeds (or, for the quick actions, until the new value is built).
#include <string>
#include <vector>

#include "app/options.h"
#include "app/platform_services.h"
#include "engine/data/file_entry.h"
#include "engine/model/model.h"

namespace distillery {

class App;

// Decodes uploaded files into the dataset (a job). When a teacher is loaded
// and the images differ in size or colour, they are converted to its input.
int start_dataset_upload(App& app, std::vector<FileEntry> files);
// Parses a model JSON file; on success it becomes the teacher.
void load_teacher_json(App& app, const std::string& text, const std::string& source);
int start_teacher_training(App& app, const TrainOptions& options);
// Distils a new student from the teacher (loss "kd"/"mse"), or trains it alone ("ce").
int start_distillation(App& app, const DistillOptions& options);
int start_pruning(App& app, const PruneOptions& options);
// Evaluates the student and the teacher on the test split (a job).
int start_evaluation(App& app);

struct ClassScore {
  std::string label;
  int index = 0;
  float probability = 0;
};
// Decodes an image (PNG/JPEG/BMP/GIF), brings it to the model's input shape
// and returns the classes by probability, highest first.
std::vector<ClassScore> predict_image(Model& model, const std::vector<uint8_t>& bytes, const std::string& name);
// The same for raw uint8 HWC pixels already in the model's input shape.
std::vector<ClassScore> predict_pixels(Model& model, const uint8_t* pixels);

// Model JSON text of the student / teacher. Throws Error when there is none.
std::string export_student_json(const App& app, bool base64 = false);
std::string export_teacher_json(const App& app, bool base64 = false);
// A file name that says what the file is, e.g.
//   student-dense32-distilled-T4-a0.1-acc0.853.json
std::string student_file_name(const App& app);
std::string teacher_file_name(const App& app);

}  // namespace distillery
