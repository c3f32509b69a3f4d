// Restoring a saved session (see session_restore.h): parse and check every
// part into temporaries, then change the session, then resume the job.
#include "app/session_restore.h"

#include "app/actions.h"
#include "app/app.h"
#include "app/dataset_bytes.h"
#include "app/jobs/quantized_measure.h"
#include "app/jobs/resume_point.h"
#include "app/session_snapshot.h"
#include "engine/core/error.h"
#include "engine/io/json_text.h"
#include "engine/io/model_json.h"
#include "engine/quant/quantized_json.h"
#include "engine/train/checkpoint.h"

namespace distillery {

namespace {

std::shared_ptr<Model> saved_model(const nlohmann::json& part, const std::string& role) {
  require(part.is_object() && part.contains("model") && part["model"].is_string(),
          "the saved session's " + role + " is broken");
  try {
    return std::make_shared<Model>(load_model_json(part["model"].get<std::string>()));
  } catch (const Error& e) {
    throw Error("the saved session's " + role + ": " + e.what());
  }
}

template <typename T>
T value_of(const nlohmann::json& j, const char* key, const std::string& what) {
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error("the saved session's " + what + " is broken ('" + key + "')");
  }
}

// Every part of a saved session, parsed and checked, before anything changes.
struct SavedSession {
  SplitSettings split;
  std::shared_ptr<const Dataset> data;  // the saved one, or the one loaded now
  bool data_kept = false;               // the saved one
  std::string data_source;
  std::shared_ptr<Model> teacher, student;
  std::string teacher_source;
  std::optional<QuantizedModel> quantized;  // of quantized_source, which the session also holds
  ModelRole quantized_source = ModelRole::kStudent;
  StudentRecipe recipe;
  TrainingCurves curves, baseline_curves;
  std::optional<BaselineComparison> comparison;
  TrainOptions teacher_options;
  DistillOptions distill_options;
  PruneOptions prune_options;
  QuantizeRequest quantize_request;
  std::string teacher_arch, student_arch, panel;
  std::shared_ptr<ResumePoint> point;  // when resuming and a job was running
};

SplitSettings read_split(const nlohmann::json& j) {
  SplitSettings split;
  const nlohmann::json& split_json = j.at("split");
  split.val_fraction = value_of<float>(split_json, "val_fraction", "split");
  split.test_fraction = value_of<float>(split_json, "test_fraction", "split");
  split.seed = value_of<uint64_t>(split_json, "seed", "split");
  require(split.val_fraction >= 0 && split.test_fraction >= 0 && split.val_fraction + split.test_fraction < 1,
          "the saved session's split is impossible");

  return split;
}

void read_dataset(const App& app, const nlohmann::json& j, const std::vector<uint8_t>* dataset_bytes,
                  SavedSession& saved) {
  const nlohmann::json& data_json = j.at("dataset");
  if (data_json.is_object() && value_of<bool>(data_json, "stored", "dataset")) {
    require(dataset_bytes != nullptr && !dataset_bytes->empty(), "the saved session's dataset bytes are missing");
    auto decoded = std::make_shared<Dataset>(decode_dataset_bytes(*dataset_bytes));
    require(decoded->size() == value_of<int>(data_json, "count", "dataset") &&
                decoded->class_names == value_of<std::vector<std::string>>(data_json, "classes", "dataset"),
            "the saved dataset does not match the saved session");
    saved.data = std::move(decoded);
    saved.data_source = value_of<std::string>(data_json, "source", "dataset");
  }
  saved.data_kept = saved.data != nullptr;
  if (!saved.data) saved.data = app.session.dataset;  // too big to keep: the one loaded now stays
}

void read_models(const nlohmann::json& j, SavedSession& saved) {
  if (!j.at("teacher").is_null()) {
    saved.teacher = saved_model(j["teacher"], "teacher");
    saved.teacher_source = value_of<std::string>(j["teacher"], "source", "teacher");
  }
  if (!j.at("student").is_null()) {
    saved.student = saved_model(j["student"], "student");
    const nlohmann::json& r = j["student"].at("recipe");
    saved.recipe.arch = value_of<std::string>(r, "arch", "student recipe");
    saved.recipe.method = student_method_names().parse(value_of<std::string>(r, "method", "student recipe"));
    saved.recipe.temperature = value_of<float>(r, "temperature", "student recipe");
    saved.recipe.alpha = value_of<float>(r, "alpha", "student recipe");
    saved.recipe.sparsity = value_of<float>(r, "sparsity", "student recipe");
  }
  if (saved.data) {
    for (const auto& [model, role] : {std::pair{saved.teacher, "teacher"}, std::pair{saved.student, "student"}}) {
      if (!model) continue;
      const std::string why = model_data_mismatch(*model, *saved.data, role);
      require(why.empty(), "the saved session's " + std::string(role) + " does not fit the dataset: " + why +
                               (saved.data_kept ? "" : " (the saved dataset was too big to keep: load it again first)"));
    }
  }
}

// Sessions saved before quantization existed have no "quantized".
void read_quantized(const nlohmann::json& j, SavedSession& saved) {
  if (!j.contains("quantized") || j["quantized"].is_null()) return;
  const nlohmann::json& part = j["quantized"];
  const std::string source = value_of<std::string>(part, "source", "quantized model");
  require(model_role_names().contains(source), "the saved session's quantized model names no known source");
  saved.quantized_source = model_role_names().parse(source);
  const std::shared_ptr<Model>& float_model = saved.quantized_source == ModelRole::kStudent ? saved.student : saved.teacher;
  require(float_model != nullptr, "the saved session's quantized model was made from a " + source + " it does not hold");
  try {
    saved.quantized = load_quantized_model_json(value_of<std::string>(part, "model", "quantized model"));
  } catch (const Error& e) {
    throw Error(std::string("the saved session's quantized model: ") + e.what());
  }
  const Model& reference = saved.quantized->reference();
  require(reference.input_shape() == float_model->input_shape() && reference.class_names == float_model->class_names,
          "the saved session's quantized model does not fit its " + source + " (input " +
              reference.input_shape().str() + " and " + std::to_string(reference.num_outputs()) + " classes, the " +
              source + " " + float_model->input_shape().str() + " and " + std::to_string(float_model->num_outputs()) + ")");
}

void read_curves_and_settings(const nlohmann::json& j, SavedSession& saved) {
  saved.curves = curves_from_json(j.at("curves"));
  // Sessions saved before baselines existed have neither of these.
  saved.baseline_curves = j.contains("baseline_curves") ? curves_from_json(j["baseline_curves"]) : TrainingCurves{};
  if (j.contains("comparison") && !j["comparison"].is_null())
    saved.comparison = BaselineComparison{value_of<double>(j["comparison"], "distilled_accuracy", "comparison"),
                                    value_of<double>(j["comparison"], "alone_accuracy", "comparison")};

  const nlohmann::json& settings = j.at("settings");
  saved.teacher_options = train_options_from_json(settings.at("teacher"));
  saved.distill_options = distill_options_from_json(settings.at("distill"));
  saved.prune_options = prune_options_from_json(settings.at("prune"));
  if (settings.contains("quantize")) saved.quantize_request = quantize_request_from_json(settings["quantize"]);
  saved.teacher_arch = value_of<std::string>(settings, "teacherArch", "settings");
  saved.student_arch = value_of<std::string>(settings, "studentArch", "settings");
  saved.panel = value_of<std::string>(settings, "panel", "settings");

}

// The running job's resume point; its options are checked now so a bad one
// fails before the session changes.
std::shared_ptr<ResumePoint> read_resume_point(const nlohmann::json& t, const Dataset* data) {
  auto point = std::make_shared<ResumePoint>();
  const std::string kind = value_of<std::string>(t, "kind", "training");
  require(job_kind_names().contains(kind), "the saved session's training is of no known kind");
  point->kind = job_kind_from_name(kind);
  require(point->kind == JobKind::kDistill || point->kind == JobKind::kTrainTeacher ||
              point->kind == JobKind::kPrune,
          "the saved session's training is of no known kind");
  point->options = t.at("options");
  point->epochs_done = value_of<int>(t, "epochs_done", "training");
  // Sessions saved before pruning jobs were resumable have no "epochs" or "state".
  point->epochs_total = t.contains("epochs") ? value_of<int>(t, "epochs", "training")
                                             : point->options.value("epochs", 0);
  if (!t.at("checkpoint").is_null()) point->checkpoint = checkpoint_from_json(t.at("checkpoint"));
  point->job_state = t.value("state", nlohmann::json(nullptr));
  point->curves = curves_from_json(t.at("curves"));
  require(data != nullptr, "the saved training run needs its dataset: load it again first");
  // Checked now so a bad one fails before the session changes.
  if (point->kind == JobKind::kDistill) distill_options_from_json(point->options);
  else if (point->kind == JobKind::kPrune) prune_options_from_json(point->options);
  else train_options_from_json(point->options);
  return point;
}

SavedSession read_saved_session(const App& app, const nlohmann::json& j, const std::vector<uint8_t>* dataset_bytes,
                                bool resume) {
  require(j.is_object() && j.value("format", std::string()) == "distillery-session",
          "the saved session is not a Distillery session");
  require(j.value("version", 0) == 1, "the saved session has an unknown version");
  SavedSession saved;
  saved.split = read_split(j);
  read_dataset(app, j, dataset_bytes, saved);
  read_models(j, saved);
  read_quantized(j, saved);
  read_curves_and_settings(j, saved);
  if (resume && !j.at("training").is_null()) saved.point = read_resume_point(j["training"], saved.data.get());
  return saved;
}

// Everything parsed: change the session and the panels.
void put_back(App& app, SavedSession& saved) {
  Session& s = app.session;
  s.split_settings = saved.split;
  if (saved.data_kept) s.set_dataset(saved.data, saved.data_source);
  else s.resplit();
  s.set_teacher(saved.teacher, saved.teacher ? saved.teacher_source : "");
  s.set_student(saved.student, saved.student ? saved.recipe : StudentRecipe{});
  s.set_quantized(std::nullopt);
  if (saved.quantized) {
    const Model& float_model = *s.model_of(saved.quantized_source);
    s.set_quantized(make_quantized_entry(std::move(*saved.quantized), float_model, saved.quantized_source));
  }
  s.curves = saved.curves;
  s.baseline_curves = saved.baseline_curves;
  s.comparison = saved.comparison;
  app.teacher_panel.apply(saved.teacher_options);
  app.teacher_panel.arch.set_spec(saved.teacher_arch);
  app.student_panel.arch.set_spec(saved.student_arch);
  app.distil_panel.options = saved.distill_options;
  app.prune_panel.apply(saved.prune_options);
  app.quantize_panel.apply(saved.quantize_request);
  if (const auto panel = panel_from_title(saved.panel)) app.selected = *panel;
}

// The interrupted run continues from its checkpoint; a refusal is reported, not thrown.
void resume_job(App& app, const std::shared_ptr<ResumePoint>& point, nlohmann::json& out) {
  out["training"] = {
      {"kind", job_kind_name(point->kind)}, {"epoch", point->epochs_done}, {"epochs", point->epochs_total}};
  try {
    if (point->kind == JobKind::kDistill)
      out["job"] = start_distillation(app, distill_options_from_json(point->options), point);
    else if (point->kind == JobKind::kPrune)
      out["job"] = start_pruning(app, prune_options_from_json(point->options), point);
    else out["job"] = start_teacher_training(app, train_options_from_json(point->options), point);
  } catch (const Error& e) {
    out["resumeError"] = e.what();
  }
}

}  // namespace

nlohmann::json restore_session(App& app, const std::string& snapshot_text, const std::vector<uint8_t>* dataset_bytes,
                               bool resume) {
  require(!app.worker.busy(), "\"" + app.worker.current_title() + "\" is still running: stop it before restoring");
  SavedSession saved =
      read_saved_session(app, parse_json_text(snapshot_text, "the saved session"), dataset_bytes, resume);
  put_back(app, saved);
  const Session& s = app.session;
  nlohmann::json out = {{"dataset", s.dataset ? nlohmann::json({{"source", s.dataset_source},
                                                                {"count", s.dataset->size()},
                                                                {"restored", saved.data_kept}})
                                              : nlohmann::json(nullptr)},
                        {"teacher", saved.teacher != nullptr},
                        {"student", saved.student != nullptr},
                        {"training", nullptr},
                        {"job", nullptr}};
  if (saved.point) resume_job(app, saved.point, out);
  return out;
}

}  // namespace distillery
