// AppApi: method table of the JS API. Sections: plumbing, status, dispatch.
#include "app/app_api.h"

#include <cmath>

#include "app/actions.h"
#include "app/app.h"
#include "app/jobs/evaluate_job.h"
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
  try {
    nlohmann::json reply = dispatch(method, args.is_null() ? nlohmann::json::object() : args);
    return {{"ok", true}, {"value", reply}};
  } catch (const std::exception& e) {
    // Errors from actions the user started also show in the UI.
    if (method != "jobStatus" && method != "status" && method != "widgetRect") app_.notices.error(e.what());
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

}  // namespace

nlohmann::json AppApi::status() const {
  const Session& s = app_.session;
  nlohmann::json out;
  const auto progress = app_.worker.progress();
  std::string state = "idle";
  if (app_.worker.busy()) state = app_.worker.stopping() ? "stopping" : app_.worker.paused() ? "paused" : "running";
  out["state"] = state;
  out["job"] = app_.worker.current_id() ? nlohmann::json(app_.worker.current_id()) : nlohmann::json(nullptr);
  out["threaded"] = app_.runtime.threaded;
  out["simd"] = app_.runtime.simd;
  out["build"] = app_.runtime.build;
  out["reason"] = app_.runtime.reason;
  out["kernelThreads"] = app_.runtime.kernel_threads;
  out["maxKernelThreads"] = max_kernel_threads();
  out["panel"] = panel_title(app_.selected);
  out["predictedImages"] = app_.predict_panel.images.size();
  out["fps"] = app_.frames_per_second();
  out["frames"] = app_.frames_drawn();
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
                                               {"method", s.student_recipe.method},
                                               {"params", s.student->parameter_count()},
                                               {"nonzero_params", s.student->nonzero_parameter_count()}})
                             : nlohmann::json(nullptr);
  out["unlabeled"] = s.unlabeled ? nlohmann::json({{"source", s.unlabeled_source}, {"count", s.unlabeled->size()}})
                                 : nlohmann::json(nullptr);
  // The Distil panel's verdict line after a run with a baseline, as drawn.
  out["comparison"] = s.comparison ? nlohmann::json({{"line", s.comparison->line()},
                                                     {"accuracy", s.comparison->distilled_accuracy},
                                                     {"baseline_accuracy", s.comparison->alone_accuracy},
                                                     {"gain", s.comparison->gain()}})
                                   : nlohmann::json(nullptr);
  const Notice* banner = app_.notices.banner();
  out["error"] = banner ? nlohmann::json(banner->text) : nlohmann::json(nullptr);
  return out;
}

nlohmann::json AppApi::job_status(int id) {
  app_.update();  // apply a finished job even if no frame ran since
  if (app_.worker.busy() && app_.worker.current_id() == id) {
    const auto progress = app_.worker.progress();
    return {{"done", false}, {"progress", progress ? progress_json(*progress) : nlohmann::json(nullptr)}};
  }
  const JobOutcome* outcome = app_.worker.outcome(id);
  require(outcome != nullptr, "jobStatus: there is no job " + std::to_string(id));
  nlohmann::json out = {{"done", true}, {"ok", outcome->ok}, {"stopped", outcome->stopped},
                        {"seconds", outcome->seconds}};
  if (outcome->ok) out["result"] = outcome->result;
  else out["error"] = outcome->title + ": " + outcome->error;
  return out;
}

// --- dispatch -----------------------------------------------------------------------

nlohmann::json AppApi::dispatch(const std::string& method, const nlohmann::json& args) {
  require(args.is_object(), method + ": arguments must be an object");
  if (is_session_method(method))  // saved sessions: session_api.h
    return *call_session_method(app_, method, args, method == "restoreSession" ? take_staged_files() : std::vector<FileEntry>{},
                                output_);
  if (method == "status") return status();
  if (method == "jobStatus") return job_status(args.value("job", 0));
  if (method == "stop") {
    app_.worker.stop();
    return {{"stopping", app_.worker.busy()}};
  }
  if (method == "pause") {
    app_.worker.pause();
    return nullptr;
  }
  if (method == "resume") {
    app_.worker.resume();
    return nullptr;
  }
  if (method == "widgetRect") {
    // Tests click the real widget: where it was drawn, or an error if it was not.
    const std::string name = args.value("name", "");
    const auto rect = ui::remembered_item(name);
    require(rect.has_value(), "widgetRect: '" + name + "' is not on screen");
    return {{"x", rect->x}, {"y", rect->y}, {"width", rect->width}, {"height", rect->height}};
  }
  if (method == "setEnvironment") {
    // The page tells the module why it got this build.
    if (args.contains("reason")) app_.runtime.reason = args["reason"].get<std::string>();
    return nullptr;
  }
  if (method == "loadDataset") {
    std::vector<FileEntry> files = take_staged_files();
    return {{"job", start_dataset_upload(app_, std::move(files))}};
  }
  if (method == "loadUnlabeled") return {{"job", start_unlabeled_upload(app_, take_staged_files())}};
  if (method == "clearUnlabeled") return {{"removed", clear_unlabeled(app_)}};
  if (method == "loadTeacher" || method == "loadTeacherFiles") {
    // Staged files: a Distillery JSON, TF.js model.json + .bin shards, or a ZIP (model_upload.h).
    std::vector<FileEntry> files = take_staged_files();
    if (files.empty()) {
      require(args.contains("text") && args["text"].is_string(), method + ": give the model JSON text or files");
      const std::string text = args["text"].get<std::string>();
      files.push_back({args.value("name", std::string("teacher.json")), {text.begin(), text.end()}});
    }
    ModelImportSettings settings = app_.teacher_panel.import_settings();
    if (args.contains("inputScale")) {
      require(args["inputScale"].is_number() && args["inputScale"].get<double>() > 0,
              method + ": inputScale must be a positive number");
      settings.tfjs_input_scale = args["inputScale"].get<float>();
    }
    const std::string format = load_teacher_files(app_, files, settings);
    const Model& t = *app_.session.teacher;
    app_.notices.success("Teacher loaded from " + app_.session.teacher_source);
    return {{"classes", t.class_names}, {"params", t.parameter_count()}, {"arch", describe_arch(t)},
            {"input_shape", t.input_shape().dims}, {"format", format}, {"source", app_.session.teacher_source},
            {"inputScale", t.preprocessing.scale}};
  }
  if (method == "setThreads") {
    require(args.contains("threads") && args["threads"].is_number_integer(),
            "setThreads: give {threads: n} (0 for the default)");
    set_kernel_threads(app_.runtime, args["threads"].get<int>());
    return {{"kernelThreads", app_.runtime.kernel_threads}, {"maxKernelThreads", max_kernel_threads()}};
  }
  // Scripted runs show their settings in the panels, as if typed there.
  if (method == "trainTeacher") {
    const TrainOptions options = train_options_from_json(args);
    const int job = start_teacher_training(app_, options);
    app_.teacher_panel.train = options;
    app_.teacher_panel.arch.set_spec(options.arch);
    return {{"job", job}};
  }
  if (method == "distill") {
    const DistillOptions options = distill_options_from_json(args);
    const int job = start_distillation(app_, options);
    if (loss_needs_teacher(options.loss)) app_.distil_panel.options = options;
    else app_.distil_panel.options.train = options.train;
    app_.student_panel.arch.set_spec(options.train.arch);
    return {{"job", job}};
  }
  if (method == "prune") {
    const PruneOptions options = prune_options_from_json(args);
    const int job = start_pruning(app_, options);
    app_.prune_panel.options = options;
    return {{"job", job}};
  }
  if (method == "evaluate") return {{"job", start_evaluation(app_)}};
  if (method == "predict") {
    std::vector<FileEntry> files = take_staged_files();
    require(!files.empty(), "predict: give the image's bytes");
    const std::string which = args.value("model", std::string("student"));
    require(which == "student" || which == "teacher", "predict: model must be \"student\" or \"teacher\"");
    std::shared_ptr<Model> model = which == "teacher" ? app_.session.teacher : app_.session.student;
    if (!model && which == "student" && !args.contains("model")) model = app_.session.teacher;  // no student yet
    require(model != nullptr, "predict: there is no " + which + " yet");
    nlohmann::json out = nlohmann::json::array();
    for (const ClassScore& s : predict_image(*model, files[0].bytes, files[0].path))
      out.push_back({{"label", s.label}, {"index", s.index}, {"probability", s.probability}});
    return out;
  }
  if (method == "exportStudent") return {{"text", export_student_json(app_, args.value("base64", false))},
                                         {"fileName", student_file_name(app_)}};
  if (method == "downloadStudent") {
    // What the Export panel's button does: a file for the user (a browser download).
    const std::string name = student_file_name(app_);
    const std::string where = app_.platform.save_file(name, export_student_json(app_, args.value("base64", false)));
    app_.notices.success(where);
    return {{"fileName", name}};
  }
  if (method == "exportTfjs") {
    // Bytes travel as base64 in the JSON reply; distillery-api.js decodes them.
    const std::string which = args.value("model", std::string("student"));
    require(which == "student" || which == "teacher", "exportTfjs: model must be \"student\" or \"teacher\"");
    nlohmann::json files = nlohmann::json::array();
    for (const DownloadFile& f : export_tfjs_download(app_, which == "student", args.value("zip", false)))
      files.push_back({{"name", f.name},
                       {"base64", base64_encode(reinterpret_cast<const uint8_t*>(f.bytes.data()), f.bytes.size())}});
    return {{"files", files}};
  }
  if (method == "download") {
    // What the Export panel's button does, in any of its formats.
    const std::string which = args.value("model", std::string("student"));
    require(which == "student" || which == "teacher", "download: model must be \"student\" or \"teacher\"");
    const std::string format = args.value("format", std::string("json"));
    ExportFormat f = ExportFormat::kDistilleryJson;
    if (format == "tfjs-zip") f = ExportFormat::kTfjsZip;
    else if (format == "tfjs-files") f = ExportFormat::kTfjsFiles;
    else require(format == "json", "download: format must be \"json\", \"tfjs-zip\" or \"tfjs-files\"");
    app_.export_panel.format = f;  // scripted runs show their settings
    return {{"fileNames", download_model(app_, which == "student", f, args.value("base64", false))}};
  }
  if (method == "exportTeacher") return {{"text", export_teacher_json(app_, args.value("base64", false))},
                                         {"fileName", teacher_file_name(app_)}};
  if (method == "lastEvaluation") {
    nlohmann::json out = nlohmann::json::object();
    if (app_.session.student_eval) out = eval_report_json(*app_.session.student_eval);
    if (app_.session.teacher_eval) out["teacher"] = eval_report_json(*app_.session.teacher_eval);
    return out;
  }
  if (method == "split") {
    // Which samples each part holds, so a test can rebuild the held-out set.
    const DataSplit& sp = app_.session.split;
    return {{"train", sp.train}, {"val", sp.val}, {"test", sp.test}};
  }
  if (method == "selectPanel") {
    const std::string name = args.value("panel", std::string());
    for (int i = 0; i < static_cast<int>(PanelId::kCount); ++i) {
      if (name == panel_title(static_cast<PanelId>(i))) {
        app_.selected = static_cast<PanelId>(i);
        return nullptr;
      }
    }
    throw Error("selectPanel: unknown panel '" + name + "'");
  }
  throw Error("unknown method '" + method + "'");
}

}  // namespace distillery
