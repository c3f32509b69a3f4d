// AppApi: method table of the JS API. Sections: plumbing, status, dispatch.
#include "app/app_api.h"

#include <cmath>

#include "app/actions.h"
#include "app/app.h"
#include "app/jobs/evaluate_job.h"
#include "app/jobs/quantized_measure.h"
#include "app/model_role.h"
#include "app/session_api.h"
#include "app/widgets/item_locator.h"
#include "engine/core/error.h"
#include "engine/io/base64.h"
#include "engine/model/arch_spec.h"

namespace distillery {

// --- plumbing -----------------------------------------------------------------------

void AppApi::stage_file(std::string path, std::vector<uint8_t> bytes) {
  staged_.push_back(FileEntry{std::move(path), std::move(bytes)});
}

std::vector<FileEntry> AppApi::take_staged_files() {
  std::vector<FileEntry> files = std::move(staged_);
  staged_.clear();
  return files;
}

std::string AppApi::call(const std::string& method, const std::string& args_json) {
  nlohmann::json args = nlohmann::json::object();
  if (!args_json.empty()) {
    args = nlohmann::json::parse(args_json, nullptr, false);
    if (args.is_discarded()) return nlohmann::json({{"ok", false}, {"error", method + ": arguments are not valid JSON"}}).dump();
  }
  return call_json(method, args).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json AppApi::call_json(const std::string& method, const nlohmann::json& args) {
  const ApiMethod* row = find_api_method(method);
  try {
    require(row != nullptr, "unknown method '" + method + "'");
    const nlohmann::json& given = args.is_null() ? nlohmann::json::object() : args;
    require(given.is_object(), method + ": arguments must be an object");
    ApiCall call{app_, *this, method, given};
    return {{"ok", true}, {"value", row->handler(call)}};
  } catch (const std::exception& e) {
    // Errors from actions the user started also show in the UI.
    if (!row || !row->quiet) app_.notices.error(e.what());
    return {{"ok", false}, {"error", e.what()}};
  }
}

// --- status -------------------------------------------------------------------------

namespace {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json progress_json(const JobProgress& p) {
  return {{"title", p.title},
          {"phase", p.phase},
          {"fraction", p.fraction},
          {"epoch", p.epoch},
          {"epochs", p.epochs},
          {"loss", number_or_null(p.loss)},
          {"accuracy", number_or_null(p.accuracy)},
          {"samplesPerSecond", p.samples_per_second},
          {"etaSeconds", p.eta_seconds}};
}

nlohmann::json status_json(const App& app) {
  const Session& s = app.session;
  nlohmann::json out;
  const auto progress = app.worker.progress();
  std::string state = "idle";
  if (app.worker.busy()) state = app.worker.stopping() ? "stopping" : app.worker.paused() ? "paused" : "running";
  out["state"] = state;
  out["job"] = app.worker.current_id() ? nlohmann::json(app.worker.current_id()) : nlohmann::json(nullptr);
  out["threaded"] = app.runtime.threaded;
  out["simd"] = app.runtime.simd;
  out["build"] = app.runtime.build;
  out["reason"] = app.runtime.reason;
  out["kernelThreads"] = app.runtime.kernel_threads;
  out["maxKernelThreads"] = max_kernel_threads();
  out["panel"] = panel_title(app.selected);
  out["predictedImages"] = app.predict_panel.images.size();
  out["fps"] = app.frames_per_second();
  out["frames"] = app.frames_drawn();
  if (progress) {
    out["task"] = progress->title;
    out["phase"] = progress->phase;
    out["epoch"] = progress->epoch;
    out["epochs"] = progress->epochs;
    out["loss"] = number_or_null(progress->loss);
    out["accuracy"] = number_or_null(progress->accuracy);
    out["progress"] = progress->fraction;
  } else {
    // Idle: the last run's final epoch.
    const auto& epochs = s.curves.epochs;
    out["epoch"] = epochs.empty() ? 0 : epochs.back().epoch + 1;
    out["loss"] = epochs.empty() ? nlohmann::json(nullptr) : number_or_null(epochs.back().train_loss);
    out["accuracy"] = epochs.empty() ? nlohmann::json(nullptr) : number_or_null(epochs.back().train_accuracy);
  }
  out["dataset"] = s.dataset ? nlohmann::json({{"source", s.dataset_source},
                                               {"count", s.dataset->size()},
                                               {"classes", s.dataset->class_names}})
                             : nlohmann::json(nullptr);
  out["teacher"] = s.teacher ? nlohmann::json({{"source", s.teacher_source},
                                               {"arch", describe_arch(*s.teacher)},
                                               {"params", s.teacher->parameter_count()}})
                             : nlohmann::json(nullptr);
  out["student"] = s.student ? nlohmann::json({{"arch", s.student_recipe.arch},
                                               {"method", student_method_name(s.student_recipe.method)},
                                               {"params", s.student->parameter_count()},
                                               {"nonzero_params", s.student->nonzero_parameter_count()}})
                             : nlohmann::json(nullptr);
  out["quantized"] = s.quantized ? quantized_json(*s.quantized, nullptr) : nlohmann::json(nullptr);
  out["unlabeled"] = s.unlabeled ? nlohmann::json({{"source", s.unlabeled_source}, {"count", s.unlabeled->size()}})
                                 : nlohmann::json(nullptr);
  // The Distil panel's verdict line after a run with a baseline, as drawn.
  out["comparison"] = s.comparison ? nlohmann::json({{"line", s.comparison->line()},
                                                     {"accuracy", s.comparison->distilled_accuracy},
                                                     {"baseline_accuracy", s.comparison->alone_accuracy},
                                                     {"gain", s.comparison->gain()}})
                                   : nlohmann::json(nullptr);
  const Notice* banner = app.notices.banner();
  out["error"] = banner ? nlohmann::json(banner->text) : nlohmann::json(nullptr);
  return out;
}

nlohmann::json job_status_json(App& app, int id) {
  app.update();  // apply a finished job even if no frame ran since
  if (app.worker.busy() && app.worker.current_id() == id) {
    const auto progress = app.worker.progress();
    return {{"done", false}, {"progress", progress ? progress_json(*progress) : nlohmann::json(nullptr)}};
  }
  const JobOutcome* outcome = app.worker.outcome(id);
  require(outcome != nullptr, "jobStatus: there is no job " + std::to_string(id));
  nlohmann::json out = {{"done", true}, {"ok", outcome->ok}, {"stopped", outcome->stopped},
                        {"seconds", outcome->seconds}};
  if (outcome->ok) out["result"] = outcome->result;
  else out["error"] = outcome->title + ": " + outcome->error;
  return out;
}

}  // namespace

// --- the method table -------------------------------------------------------------------

namespace {

// "student" (the default) or "teacher": the models predict and export name.
bool wants_student(const ApiCall& c) {
  const std::string which = c.args.value("model", std::string("student"));
  require(model_role_names().contains(which), c.method + ": model must be \"student\" or \"teacher\"");
  return model_role_names().parse(which) == ModelRole::kStudent;
}

// --- jobs and the page

nlohmann::json api_stop(ApiCall& c) {
  c.app.worker.stop();
  return {{"stopping", c.app.worker.busy()}};
}

nlohmann::json api_widget_rect(ApiCall& c) {
  // Tests click the real widget: where it was drawn, or an error if it was not.
  const std::string name = c.args.value("name", "");
  const auto rect = ui::remembered_item(name);
  require(rect.has_value(), "widgetRect: '" + name + "' is not on screen");
  return {{"x", rect->x}, {"y", rect->y}, {"width", rect->width}, {"height", rect->height}};
}

nlohmann::json api_set_environment(ApiCall& c) {
  // The page tells the module why it got this build.
  if (c.args.contains("reason")) c.app.runtime.reason = c.args["reason"].get<std::string>();
  return nullptr;
}

nlohmann::json api_set_threads(ApiCall& c) {
  require(c.args.contains("threads") && c.args["threads"].is_number_integer(),
          "setThreads: give {threads: n} (0 for the default)");
  set_kernel_threads(c.app.runtime, c.args["threads"].get<int>());
  return {{"kernelThreads", c.app.runtime.kernel_threads}, {"maxKernelThreads", max_kernel_threads()}};
}

nlohmann::json api_select_panel(ApiCall& c) {
  const std::string name = c.args.value("panel", std::string());
  const std::optional<PanelId> panel = panel_from_title(name);
  require(panel.has_value(), "selectPanel: unknown panel '" + name + "'");
  c.app.selected = *panel;
  return nullptr;
}

// --- uploads

nlohmann::json api_load_teacher(ApiCall& c) {
  // Staged files: a Distillery JSON, an .onnx, TF.js model.json + .bin shards, or a ZIP (model_upload.h).
  std::vector<FileEntry> files = c.api.take_staged_files();
  const nlohmann::json& args = c.args;
  if (files.empty()) {
    require(args.contains("text") && args["text"].is_string(), c.method + ": give the model JSON text or files");
    const std::string text = args["text"].get<std::string>();
    files.push_back({args.value("name", std::string("teacher.json")), {text.begin(), text.end()}});
  }
  ModelImportSettings settings = c.app.teacher_panel.import_settings();
  if (args.contains("inputScale")) {
    require(args["inputScale"].is_number() && args["inputScale"].get<double>() > 0,
            c.method + ": inputScale must be a positive number");
    settings.tfjs_input_scale = args["inputScale"].get<float>();
  }
  const std::string format = load_teacher_files(c.app, files, settings);
  const Model& t = *c.app.session.teacher;
  c.app.notices.success("Teacher loaded from " + c.app.session.teacher_source);
  return {{"classes", t.class_names}, {"params", t.parameter_count()}, {"arch", describe_arch(t)},
          {"input_shape", t.input_shape().dims}, {"format", format}, {"source", c.app.session.teacher_source},
          {"inputScale", t.preprocessing.scale}};
}

// --- runs: scripted runs show their settings in the panels, as if typed there

// The reply to a run: the panel takes the options only once `job` has
// started (the caller starts it in the argument), so a refused run leaves the
// panel as it was.
template <typename Panel, typename Options>
nlohmann::json shown_in(Panel& panel, const Options& options, int job) {
  panel.apply(options);
  return {{"job", job}};
}

nlohmann::json api_train_teacher(ApiCall& c) {
  const TrainOptions options = train_options_from_json(c.args);
  return shown_in(c.app.teacher_panel, options, start_teacher_training(c.app, options));
}

nlohmann::json api_distill(ApiCall& c) {
  const DistillOptions options = distill_options_from_json(c.args);
  nlohmann::json reply = shown_in(c.app.distil_panel, options, start_distillation(c.app, options));
  c.app.student_panel.arch.set_spec(options.train.arch);
  return reply;
}

nlohmann::json api_prune(ApiCall& c) {
  const PruneOptions options = prune_options_from_json(c.args);
  return shown_in(c.app.prune_panel, options, start_pruning(c.app, options));
}

nlohmann::json api_quantize(ApiCall& c) {
  const QuantizeRequest request = quantize_request_from_json(c.args);
  return shown_in(c.app.quantize_panel, request, start_quantization(c.app, request));
}

std::vector<ClassScore> predict_with(ApiCall& c, const FileEntry& file);

nlohmann::json api_predict(ApiCall& c) {
  std::vector<FileEntry> files = c.api.take_staged_files();
  require(!files.empty(), "predict: give the image's bytes");
  const std::string which = c.args.value("model", std::string("student"));
  require(which == "quantized" || model_role_names().contains(which),
          "predict: model must be \"student\", \"teacher\" or \"quantized\"");
  std::vector<ClassScore> scores;
  if (which == "quantized") {
    // The session's quantized model on its own forward: integer kernels in int8.
    require(c.app.session.quantized.has_value(), "predict: nothing is quantized yet");
    QuantizedModel& q = *c.app.session.quantized->model;
    scores = predict_image(q.reference(), [&](const Tensor& x) -> const Tensor& { return q.forward(x); },
                           files[0].bytes, files[0].path);
  } else {
    scores = predict_with(c, files[0]);
  }
  nlohmann::json out = nlohmann::json::array();
  for (const ClassScore& s : scores)
    out.push_back({{"label", s.label}, {"index", s.index}, {"probability", s.probability}});
  return out;
}

// predict's float models: the student (the default; the teacher while there is no student) or the teacher.
std::vector<ClassScore> predict_with(ApiCall& c, const FileEntry& file) {
  const bool student = wants_student(c);
  std::shared_ptr<Model> model = student ? c.app.session.student : c.app.session.teacher;
  if (!model && student && !c.args.contains("model")) model = c.app.session.teacher;  // no student yet
  require(model != nullptr, std::string("predict: there is no ") + (student ? "student" : "teacher") + " yet");
  return predict_image(*model, file.bytes, file.path);
}

// --- export

nlohmann::json api_download_student(ApiCall& c) {
  // What the Export panel's button does: a file for the user (a browser download).
  const std::string name = student_file_name(c.app);
  const std::string where = c.app.platform.save_file(name, export_student_json(c.app, c.args.value("base64", false)));
  c.app.notices.success(where);
  return {{"fileName", name}};
}

nlohmann::json api_download_quantized(ApiCall& c) {
  // What the Export panel's "Download quantized" buttons do: the quantized JSON, or ONNX in QDQ form.
  const ExportFormat format = export_format_from_name(c.args.value("format", std::string("json")));
  require(format == ExportFormat::kDistilleryJson || format == ExportFormat::kOnnx,
          "downloadQuantized: format must be \"json\" or \"onnx\" (TF.js has no integer models)");
  return {{"fileName", download_quantized(c.app, format == ExportFormat::kOnnx)}};
}

nlohmann::json api_export_tfjs(ApiCall& c) {
  // Bytes travel as base64 in the JSON reply; distillery-api.js decodes them.
  nlohmann::json files = nlohmann::json::array();
  const TfjsWeightDtype weights = tfjs_weight_dtype_names().parse(c.args.value("weights", std::string("float32")));
  for (const DownloadFile& f : export_tfjs_download(c.app, wants_student(c), c.args.value("zip", false), weights))
    files.push_back({{"name", f.name},
                     {"base64", base64_encode(reinterpret_cast<const uint8_t*>(f.bytes.data()), f.bytes.size())}});
  return {{"files", files}};
}

// One binary file: base64 in the JSON reply, as for exportTfjs.
nlohmann::json binary_file_json(const DownloadFile& f) {
  return {{"fileName", f.name},
          {"base64", base64_encode(reinterpret_cast<const uint8_t*>(f.bytes.data()), f.bytes.size())}};
}

nlohmann::json api_export_onnx(ApiCall& c) { return binary_file_json(export_onnx_download(c.app, wants_student(c))); }

nlohmann::json api_download(ApiCall& c) {
  // What the Export panel's button does, in any of its formats.
  const bool student = wants_student(c);
  const ExportFormat format = export_format_from_name(c.args.value("format", std::string("json")));
  c.app.export_panel.format = format;  // scripted runs show their settings
  return {{"fileNames", download_model(c.app, student, format, c.args.value("base64", false))}};
}

// --- inspection

nlohmann::json api_last_evaluation(ApiCall& c) {
  nlohmann::json out = nlohmann::json::object();
  if (c.app.session.student_eval) out = eval_report_json(*c.app.session.student_eval);
  if (c.app.session.teacher_eval) out["teacher"] = eval_report_json(*c.app.session.teacher_eval);
  if (c.app.session.quantized && c.app.session.quantized_eval)
    out["quantized"] = quantized_json(*c.app.session.quantized, &*c.app.session.quantized_eval);
  return out;
}

nlohmann::json api_split(ApiCall& c) {
  // Which samples each part holds, so a test can rebuild the held-out set.
  const DataSplit& sp = c.app.session.split;
  return {{"train", sp.train}, {"val", sp.val}, {"test", sp.test}};
}

// The one table: method name -> handler (docs/JS_API.md describes each).
std::vector<ApiMethod> make_api_methods() {
  std::vector<ApiMethod> rows = {
      {"status", [](ApiCall& c) { return status_json(c.app); }, true},
      {"jobStatus", [](ApiCall& c) { return job_status_json(c.app, c.args.value("job", 0)); }, true},
      {"stop", api_stop},
      {"pause", [](ApiCall& c) { return c.app.worker.pause(), nlohmann::json(nullptr); }},
      {"resume", [](ApiCall& c) { return c.app.worker.resume(), nlohmann::json(nullptr); }},
      {"widgetRect", api_widget_rect, true},
      {"setEnvironment", api_set_environment},
      {"setThreads", api_set_threads},
      {"selectPanel", api_select_panel},
      {"loadDataset", [](ApiCall& c) { return nlohmann::json{{"job", start_dataset_upload(c.app, c.api.take_staged_files())}}; }},
      {"loadUnlabeled", [](ApiCall& c) { return nlohmann::json{{"job", start_unlabeled_upload(c.app, c.api.take_staged_files())}}; }},
      {"clearUnlabeled", [](ApiCall& c) { return nlohmann::json{{"removed", clear_unlabeled(c.app)}}; }},
      {"loadTeacher", api_load_teacher},
      {"loadTeacherFiles", api_load_teacher},
      {"trainTeacher", api_train_teacher},
      {"distill", api_distill},
      {"prune", api_prune},
      {"evaluate", [](ApiCall& c) { return nlohmann::json{{"job", start_evaluation(c.app)}}; }},
      {"quantize", api_quantize},
      {"predict", api_predict},
      {"exportStudent",
       [](ApiCall& c) {
         return nlohmann::json{{"text", export_student_json(c.app, c.args.value("base64", false))},
                               {"fileName", student_file_name(c.app)}};
       }},
      {"exportTeacher",
       [](ApiCall& c) {
         return nlohmann::json{{"text", export_teacher_json(c.app, c.args.value("base64", false))},
                               {"fileName", teacher_file_name(c.app)}};
       }},
      {"exportQuantized",
       [](ApiCall& c) {
         const DownloadFile f = export_quantized_download(c.app);
         return nlohmann::json{{"text", f.bytes}, {"fileName", f.name}};
       }},
      {"downloadStudent", api_download_student},
      {"exportQuantizedOnnx", [](ApiCall& c) { return binary_file_json(export_quantized_onnx_download(c.app)); }},
      {"downloadQuantized", api_download_quantized},
      {"exportTfjs", api_export_tfjs},
      {"exportOnnx", api_export_onnx},
      {"download", api_download},
      {"lastEvaluation", api_last_evaluation},
      {"split", api_split},
  };
  for (const ApiMethod& row : session_api_methods()) rows.push_back(row);  // saved sessions: session_api.h
  return rows;
}

}  // namespace

const ApiMethod* find_api_method(const std::string& name) {
  static const std::vector<ApiMethod> kMethods = make_api_methods();
  for (const ApiMethod& row : kMethods)
    if (name == row.name) return &row;
  return nullptr;
}

}  // namespace distillery
