// Actions shared by the panels and the JS API. Sections:
//   - helpers: checks that data and models are there and fit
//   - dataset and teacher loading
//   - training, distillation, evaluation (jobs)
// (prediction: prediction.h; export and file names: model_export.h)
#include "app/actions.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app.h"
#include "app/options_json.h"
#include "app/jobs/baseline_job.h"
#include "app/jobs/decode_dataset_job.h"
#include "app/jobs/decode_unlabeled_job.h"
#include "app/jobs/evaluate_job.h"
#include "app/jobs/prune_job.h"
#include "app/jobs/quantize_job.h"
#include "app/jobs/quantized_measure.h"
#include "app/jobs/resume_point.h"
#include "app/jobs/train_job.h"
#include "app/unlabeled_set.h"
#include "app/zip_archive.h"
#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/data/image.h"
#include "engine/io/model_json.h"
#include "engine/io/tfjs_export.h"
#include "engine/losses/losses.h"
#include "engine/model/arch_spec.h"

namespace distillery {

// --- helpers ------------------------------------------------------------------------

namespace {

const Dataset& require_dataset(const App& app) {
  require(app.session.dataset != nullptr, "no dataset is loaded: upload one in the Data panel first");
  return *app.session.dataset;
}

Model& require_teacher(const App& app) {
  require(app.session.teacher != nullptr, "no teacher is loaded: load or train one in the Teacher panel first");
  return *app.session.teacher;
}

void require_fits(const Model& model, const Dataset& data, const std::string& role) {
  const std::string why = model_data_mismatch(model, data, role);
  require(why.empty(), why);
}

void require_idle(const App& app) {
  require(!app.worker.busy(), "\"" + app.worker.current_title() + "\" is still running: wait for it or stop it");
}

std::unique_ptr<Model> build_model(const std::string& arch, const Dataset& data, uint64_t seed) {
  Rng rng(seed);
  auto configs = parse_arch_spec(arch, data.num_classes(), data.sample_shape().rank());
  auto model = std::make_unique<Model>(Model::from_layer_configs(configs, data.sample_shape(), rng));
  model->class_names = data.class_names;
  return model;
}

nlohmann::json train_provenance(const App& app, const TrainOptions& o) {
  return {{"tool", "distillery app (" + app.runtime.build + ")"},
          {"arch", o.arch},
          {"dataset", app.session.dataset_source},
          {"epochs", o.epochs},
          {"batch", o.batch},
          {"lr", o.lr},
          {"optimizer", o.optimizer},
          {"schedule", o.schedule},
          {"warmup_epochs", o.warmup_epochs},
          {"augment", augment_spec_text(o.augment)},
          {"seed", o.seed}};
}

nlohmann::json distill_provenance(const App& app, const DistillOptions& o, int unlabeled_images) {
  nlohmann::json p = train_provenance(app, o.train);
  if (!loss_needs_teacher(o.loss)) {
    p["method"] = "trained without a teacher";
    return p;
  }
  p["method"] = "distillation";
  p["loss"] = loss_name(o.loss);
  p["temperature"] = o.temperature;
  p["alpha"] = o.alpha;
  if (o.loss == LossKind::kDecoupled) {
    p["dkd_target_weight"] = o.dkd_target_weight;
    p["dkd_nontarget_weight"] = o.dkd_nontarget_weight;
  }
  p["teacher_mode"] = teacher_mode_name(o.teacher_mode);
  p["unlabeled_images"] = unlabeled_images;
  p["teacher"] = app.session.teacher_source;
  p["teacher_params"] = app.session.teacher->parameter_count();
  return p;
}

}  // namespace

// --- dataset and teacher loading ----------------------------------------------------------

int start_dataset_upload(App& app, std::vector<FileEntry> files) {
  require_idle(app);
  require(!files.empty(), "no files were given");
  const std::string source = describe_upload(files);
  DatasetOptions options;
  std::optional<ConformTarget> target;
  if (app.session.teacher) target = ConformTarget{app.session.teacher->input_shape(), app.session.teacher->num_outputs()};
  return app.worker.start(std::make_unique<DecodeDatasetJob>(std::move(files), source, options, target));
}

void load_teacher_json(App& app, const std::string& text, const std::string& source) {
  require_idle(app);
  // Parse into a temporary: the old teacher stays unless the new one fits.
  auto model = std::make_shared<Model>(load_model_json(text));
  if (app.session.dataset) {
    const std::string why = model_data_mismatch(*model, *app.session.dataset, "teacher");
    require(why.empty(), source + ": " + why + " (load a matching dataset first)");
  }
  app.session.set_teacher(std::move(model), source);
}

std::string load_teacher_files(App& app, const std::vector<FileEntry>& files, const ModelImportSettings& settings) {
  require_idle(app);
  ImportedModel imported = import_model_files(files, settings, app.session.dataset.get());
  if (app.session.dataset) {
    const std::string why = model_data_mismatch(*imported.model, *app.session.dataset, "teacher");
    require(why.empty(), imported.source + ": " + why + " (load a matching dataset first)");
  }
  app.session.set_teacher(std::move(imported.model), imported.source);
  return model_file_format_name(imported.format);
}

// --- training, distillation, evaluation ------------------------------------------------------

int start_teacher_training(App& app, const TrainOptions& options, std::shared_ptr<const ResumePoint> resume) {
  require_idle(app);
  validate_train_options(options, "trainTeacher");
  const Dataset& data = require_dataset(app);
  auto model = build_model(options.arch, data, options.seed);
  model->name = "teacher";
  TrainJobSettings settings;
  settings.title = "Training teacher";
  settings.trains_teacher = true;
  settings.config = to_train_config(options);
  settings.config.loss = LossKind::kCrossEntropy;
  settings.model_source = "trained here: " + options.arch;
  settings.provenance = train_provenance(app, options);
  settings.provenance["method"] = "trained";
  settings.kind = JobKind::kTrainTeacher;
  settings.resumable = true;
  settings.resume_options = train_options_to_json(options);
  settings.resume_from = std::move(resume);
  return app.worker.start(std::make_unique<TrainJob>(std::move(settings), std::move(model), app.session.dataset,
                                                     app.session.split, nullptr));
}

namespace {

// The job that trains one student: distilled (kd, dkd, mse: with the session's
// unlabeled images appended to the training split) or alone (ce: labelled
// images only). `baseline_part`: the run alone of a comparison, which keeps
// no resume point of its own.
std::unique_ptr<TrainJob> make_student_job(App& app, const DistillOptions& options, bool baseline_part,
                                           std::shared_ptr<const ResumePoint> resume) {
  const Session& session = app.session;
  const Dataset& data = require_dataset(app);
  const bool alone = !loss_needs_teacher(options.loss);
  std::unique_ptr<Model> teacher;
  if (!alone || session.teacher) {
    Model& t = require_teacher(app);
    require_fits(t, data, "teacher");
    teacher = std::make_unique<Model>(t.clone());
  }
  auto student = build_model(options.train.arch, data, options.train.seed);
  student->name = "student";
  if (teacher) student->preprocessing = teacher->preprocessing;  // the same inputs the teacher saw

  std::shared_ptr<const Dataset> training_data = session.dataset;
  DataSplit split = session.split;
  const int unlabeled = !alone && session.unlabeled ? session.unlabeled->size() : 0;
  if (unlabeled > 0) {
    training_data = std::make_shared<Dataset>(append_unlabeled(data, *session.unlabeled));
    split.train = with_appended_indices(std::move(split.train), data.size(), unlabeled);
  }

  TrainJobSettings settings;
  settings.title = alone ? "Training student alone" : "Distilling student";
  settings.config = to_train_config(options);
  settings.recipe.arch = options.train.arch;
  settings.recipe.method = alone ? StudentMethod::kAlone : StudentMethod::kDistilled;
  settings.recipe.temperature = alone ? 0 : options.temperature;
  settings.recipe.alpha = alone ? 0 : options.alpha;
  settings.provenance = distill_provenance(app, options, unlabeled);
  settings.extra_result["unlabeled"] = unlabeled;
  if (alone && session.unlabeled && !baseline_part)
    settings.extra_result["note"] = "the " + std::to_string(session.unlabeled->size()) +
                                    " unlabeled images were not used: a student alone learns from labels only";
  if (!baseline_part) {
    settings.resumable = true;
    settings.resume_options = distill_options_to_json(options);
    settings.resume_from = std::move(resume);
  }
  return std::make_unique<TrainJob>(std::move(settings), std::move(student), std::move(training_data),
                                    std::move(split), std::move(teacher));
}

}  // namespace

int start_distillation(App& app, const DistillOptions& options, std::shared_ptr<const ResumePoint> resume) {
  require_idle(app);
  validate_distill_options(options);
  std::unique_ptr<TrainJob> student = make_student_job(app, options, false, std::move(resume));
  if (!loss_needs_teacher(options.loss) && app.session.unlabeled)
    app.notices.info("Training alone uses the labelled images only: the unlabeled images need a teacher.");
  if (!options.baseline) return app.worker.start(std::move(student));
  // The same student, seed, split, augmentation and schedule, without the teacher.
  DistillOptions alone = options;
  alone.loss = LossKind::kCrossEntropy;
  alone.baseline = false;
  std::unique_ptr<TrainJob> baseline = make_student_job(app, alone, true, nullptr);
  return app.worker.start(std::make_unique<DistillWithBaselineJob>(std::move(student), std::move(baseline)));
}

int start_unlabeled_upload(App& app, std::vector<FileEntry> files) {
  require_idle(app);
  const Dataset& data = require_dataset(app);
  require(!files.empty(), "no unlabeled images were given");
  const std::string source = describe_upload(files);
  return app.worker.start(std::make_unique<DecodeUnlabeledJob>(std::move(files), source, data.sample_shape()));
}

int clear_unlabeled(App& app) {
  require_idle(app);
  const int removed = app.session.unlabeled ? app.session.unlabeled->size() : 0;
  app.session.set_unlabeled(nullptr, "");
  return removed;
}

int start_pruning(App& app, const PruneOptions& options, std::shared_ptr<const ResumePoint> resume) {
  require_idle(app);
  const Dataset& data = require_dataset(app);
  // The write-up's pipeline: prune the student, or a copy of the teacher
  // when there is no student yet.
  const bool from_teacher = app.session.student == nullptr;
  require(!from_teacher || app.session.teacher, "there is no student or teacher to prune: make one first");
  Model& source = from_teacher ? *app.session.teacher : *app.session.student;
  require_fits(source, data, from_teacher ? "teacher" : "student");
  std::unique_ptr<Model> teacher;
  if (app.session.teacher) {
    require_fits(*app.session.teacher, data, "teacher");
    teacher = std::make_unique<Model>(app.session.teacher->clone());
  }
  require(!options.use_teacher || teacher || options.finetune_epochs == 0,
          "fine-tuning with the teacher needs a teacher: load one or untick 'use teacher'");
  StudentRecipe recipe = from_teacher ? StudentRecipe{describe_arch(source), StudentMethod::kPruned, 0, 0, 0} : app.session.student_recipe;
  recipe.sparsity = options.sparsity;
  if (from_teacher) recipe.method = StudentMethod::kPruned;
  return app.worker.start(std::make_unique<PruneJob>(options, std::make_unique<Model>(source.clone()),
                                                     std::move(teacher), app.session.dataset, app.session.split,
                                                     std::move(recipe), from_teacher ? "teacher" : "student",
                                                     std::move(resume)));
}

int start_evaluation(App& app) {
  require_idle(app);
  const Dataset& data = require_dataset(app);
  require(app.session.student || app.session.teacher, "there is no model to evaluate: load a teacher or distil a student");
  require(!app.session.split.test.empty(), "the test split is empty: raise the test fraction in the Data panel");
  std::unique_ptr<Model> student, teacher;
  if (app.session.student) {
    require_fits(*app.session.student, data, "student");
    student = std::make_unique<Model>(app.session.student->clone());
  }
  if (app.session.teacher) {
    require_fits(*app.session.teacher, data, "teacher");
    teacher = std::make_unique<Model>(app.session.teacher->clone());
  }
  auto job = std::make_unique<EvaluateJob>(std::move(student), std::move(teacher), app.session.dataset,
                                           app.session.split.test, app.session.student_version,
                                           app.session.teacher_version);
  if (const auto& q = app.session.quantized)
    job->add_quantized(clone_quantized(*q->model), q->source, app.session.quantized_version);
  return app.worker.start(std::move(job));
}

int start_quantization(App& app, const QuantizeRequest& request) {
  require_idle(app);
  validate_quantize_request(request);
  const Dataset& data = require_dataset(app);
  const std::shared_ptr<Model>& source = app.session.model_of(request.model);
  require(source != nullptr, request.model == ModelRole::kStudent
                                 ? "quantize: there is no student yet: distil one in the Distil panel first"
                                 : "quantize: there is no teacher loaded");
  require_fits(*source, data, model_role_name(request.model));
  require(!app.session.split.test.empty(), "quantize: the test split is empty: raise the test fraction in the Data panel");
  require(request.engine.mode != QuantMode::Int8 || !app.session.split.train.empty(),
          "quantize: int8 calibrates on training images and the training split is empty: lower the validation and "
          "test fractions in the Data panel");
  const int version = request.model == ModelRole::kStudent ? app.session.student_version : app.session.teacher_version;
  return app.worker.start(std::make_unique<QuantizeJob>(request, std::make_unique<Model>(source->clone()),
                                                        app.session.dataset, app.session.split, version));
}

}  // namespace distillery
