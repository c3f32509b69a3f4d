// Session snapshots as JSON (see session_snapshot.h): curves, settings,
// models, the training checkpoint; and the revision the page saves on.
#include "app/session_snapshot.h"

#include <cmath>

#include "app/app.h"
#include "app/jobs/resume_point.h"
#include "app/options_json.h"
#include "engine/core/error.h"
#include "engine/io/model_json.h"
#include "engine/quant/quantized_json.h"
#include "engine/train/checkpoint.h"

namespace distillery {

// --- snapshot JSON ------------------------------------------------------------------------

namespace {

nlohmann::json number_or_null(float v) { return v == v ? nlohmann::json(v) : nlohmann::json(nullptr); }
float number_from(const nlohmann::json& v) { return v.is_number() ? v.get<float>() : std::nanf(""); }

}  // namespace

namespace {

// Sessions saved before curves recorded their job knew it only by the title
// the job gave them; these are all the titles those jobs wrote.
std::optional<JobKind> kind_of_curves_saved_before_kinds(const std::string& title) {
  static const NameTable<JobKind> old_titles("curves title", {{JobKind::kTrainTeacher, "Training teacher"},
                                                              {JobKind::kDistill, "Distilling student"},
                                                              {JobKind::kDistill, "Training student alone"},
                                                              {JobKind::kPrune, "Pruning student"},
                                                              {JobKind::kPrune, "Pruning teacher"}});
  if (!old_titles.contains(title)) return std::nullopt;
  return old_titles.parse(title);
}

}  // namespace

nlohmann::json curves_json(const TrainingCurves& c) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const EpochReport& r : c.epochs)
    epochs.push_back({r.epoch, r.epochs, number_or_null(r.train_loss), number_or_null(r.train_accuracy),
                      number_or_null(r.val_loss), number_or_null(r.val_accuracy), r.seconds, r.samples_per_second});
  nlohmann::json loss = nlohmann::json::array(), accuracy = nlohmann::json::array();
  for (float v : c.batch_loss) loss.push_back(number_or_null(v));
  for (float v : c.batch_accuracy) accuracy.push_back(number_or_null(v));
  nlohmann::json j = {{"title", c.title},       {"batch_epoch", c.batch_epoch}, {"batch_loss", loss},
                      {"batch_accuracy", accuracy}, {"epochs", epochs},  {"teacher_val_accuracy", c.teacher_val_accuracy}};
  if (c.kind) j["kind"] = job_kind_name(*c.kind);
  return j;
}

TrainingCurves curves_from_json(const nlohmann::json& j) {
  require(j.is_object(), "the saved curves are not an object");
  TrainingCurves c;
  try {
    c.title = j.at("title").get<std::string>();
    c.kind = j.contains("kind") ? std::optional<JobKind>(job_kind_from_name(j["kind"].get<std::string>()))
                                : kind_of_curves_saved_before_kinds(c.title);
    c.batch_epoch = j.at("batch_epoch").get<std::vector<float>>();
    for (const auto& v : j.at("batch_loss")) c.batch_loss.push_back(number_from(v));
    for (const auto& v : j.at("batch_accuracy")) c.batch_accuracy.push_back(number_from(v));
    for (const auto& e : j.at("epochs")) {
      require(e.is_array() && e.size() == 8, "the saved curves hold a broken epoch");
      c.epochs.push_back({e[0].get<int>(), e[1].get<int>(), number_from(e[2]), number_from(e[3]), number_from(e[4]),
                          number_from(e[5]), e[6].get<double>(), e[7].get<double>()});
    }
    c.teacher_val_accuracy = j.at("teacher_val_accuracy").get<float>();
  } catch (const nlohmann::json::exception&) {
    throw Error("the saved curves are broken");
  }
  require(c.batch_loss.size() == c.batch_epoch.size() && c.batch_accuracy.size() == c.batch_epoch.size(),
          "the saved curves are broken");
  return c;
}

namespace {

nlohmann::json settings_json(const App& app) {
  return {{"teacher", train_options_to_json(app.teacher_panel.train)},
          {"teacherArch", app.teacher_panel.arch.spec()},
          {"studentArch", app.student_panel.arch.spec()},
          {"distill", distill_options_to_json(app.distil_panel.options)},
          {"prune", prune_options_to_json(app.prune_panel.options)},
          {"quantize", quantize_request_to_json(app.quantize_panel.request)},
          {"panel", panel_title(app.selected)}};
}

}  // namespace

nlohmann::json session_snapshot_json(const App& app) {
  const Session& s = app.session;
  const ModelJsonOptions exact{WeightsEncoding::kBase64, -1};
  nlohmann::json j = {{"format", "distillery-session"}, {"version", 1}};
  j["split"] = {{"val_fraction", s.split_settings.val_fraction},
                {"test_fraction", s.split_settings.test_fraction},
                {"seed", s.split_settings.seed}};
  j["dataset"] = nullptr;
  if (s.dataset)
    j["dataset"] = {{"source", s.dataset_source},
                    {"count", s.dataset->size()},
                    {"classes", s.dataset->class_names},
                    {"shape", s.dataset->sample_shape().dims},
                    {"bytes", s.dataset->pixels.size() + 4 * s.dataset->labels.size()},
                    {"stored", dataset_fits_snapshot(*s.dataset)}};
  j["teacher"] = s.teacher ? nlohmann::json({{"source", s.teacher_source}, {"model", save_model_json(*s.teacher, exact)}})
                           : nlohmann::json(nullptr);
  j["student"] = nullptr;
  if (s.student)
    j["student"] = {{"recipe",
                     {{"arch", s.student_recipe.arch},
                      {"method", student_method_name(s.student_recipe.method)},
                      {"temperature", s.student_recipe.temperature},
                      {"alpha", s.student_recipe.alpha},
                      {"sparsity", s.student_recipe.sparsity}}},
                    {"model", save_model_json(*s.student, exact)}};
  // The quantized model by what it was made from; its figures are measured again after a restore.
  j["quantized"] = s.quantized ? nlohmann::json({{"source", model_role_name(s.quantized->source)},
                                                 {"model", save_quantized_model_json(*s.quantized->model, exact)}})
                               : nlohmann::json(nullptr);
  j["curves"] = curves_json(s.curves);
  j["baseline_curves"] = curves_json(s.baseline_curves);
  j["comparison"] = s.comparison ? nlohmann::json({{"distilled_accuracy", s.comparison->distilled_accuracy},
                                                   {"alone_accuracy", s.comparison->alone_accuracy}})
                                 : nlohmann::json(nullptr);
  j["settings"] = settings_json(app);
  j["training"] = nullptr;
  if (const auto point = app.worker.resume_point())
    j["training"] = {{"kind", job_kind_name(point->kind)},
                     {"options", point->options},
                     {"epochs_done", point->epochs_done},
                     {"epochs", point->epochs_total},
                     {"checkpoint", point->checkpoint ? checkpoint_to_json(*point->checkpoint) : nlohmann::json(nullptr)},
                     {"state", point->job_state},
                     {"curves", curves_json(point->curves)}};
  return j;
}

std::string session_revision(const App& app) {
  const Session& s = app.session;
  const auto point = app.worker.resume_point();
  const size_t settings = std::hash<std::string>()(settings_json(app).dump());
  return "d" + std::to_string(s.dataset_version) + ":t" + std::to_string(s.teacher_version) + ":s" +
         std::to_string(s.student_version) + ":q" + std::to_string(s.quantized_version) + ":c" +
         (point ? std::to_string(app.worker.current_id()) + "/" + std::to_string(point->epochs_done) : "-") +
         ":h" + std::to_string(settings);
}

}  // namespace distillery
