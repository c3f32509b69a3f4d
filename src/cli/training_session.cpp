// Shared pieces of the training subcommands.
//
// Sections:
//   1. Flags and settings
//   2. The loop with Ctrl-C
//   3. Evaluation, provenance, saving
#include "cli/training_session.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "cli/cli_data.h"
#include "cli/flag_groups.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "engine/core/error.h"
#include "engine/model/arch_spec.h"
#include "engine/train/best_epoch.h"
#include "native/dataset_files.h"
#include "native/model_files.h"

namespace distillery {

// ---------------------------------------------------------------- 1. flags

void add_optimizer_flags(ArgParser& args) {
  args.add_value("--epochs", "N", "passes over the training data", "5");
  add_step_flags(args, kTrainingSteps);
  add_seed_flag(args, "random seed: same seed, same model");
  args.add_value("--warmup", "EPOCHS", "linear learning-rate warm-up over the first EPOCHS", "0");
  args.add_value("--augment", "SPEC",
                 "training augmentation, a comma list of shift:PIXELS, flip, rotate:DEGREES, scale:FRACTION, "
                 "mixup:A, cutmix:A; or none",
                 "none");
  args.add_switch("--keep-best", "end with the weights of the epoch with the best validation accuracy");
}

TrainingSettings read_training_settings(const ArgParser& args) {
  TrainingSettings s;
  TrainConfig& c = s.config;
  c.epochs = args.get_whole("--epochs", 5);
  s.val_split = read_step_flags(args, kTrainingSteps, c);
  c.seed = read_seed(args);
  c.warmup_epochs = args.get_int("--warmup", 0, 0, std::max(0, c.epochs));  // the flag named, as people rely on
  try {
    c.augment = parse_augment_spec(args.get("--augment"));
  } catch (const Error& e) {
    throw Error(std::string("--augment: ") + e.what());
  }
  s.keep_best = args.has("--keep-best");
  require(!s.keep_best || s.val_split > 0, "--keep-best: needs a validation split (--val-split above 0)");
  model_json_options(args);  // checked now, used when saving
  validate_for_command(args, c);
  return s;
}

void validate_for_command(const ArgParser& args, const TrainConfig& config) {
  checked_for_command(args, [&] { validate_train_config(config); });
}

nlohmann::json settings_json(const TrainingSettings& s) {
  const TrainConfig& c = s.config;
  nlohmann::json j = {{"epochs", c.epochs},
                      {"batch_size", c.batch_size},
                      {"learning_rate", c.learning_rate},
                      {"lr_schedule", lr_schedule_name(c.lr_schedule)},
                      {"optimizer", optimizer_name(c.optimizer.kind)},
                      {"weight_decay", c.optimizer.weight_decay},
                      {"seed", c.seed},
                      {"val_split", s.val_split},
                      {"loss", loss_name(c.loss)},
                      {"augment", augment_spec_text(c.augment)}};
  if (c.warmup_epochs > 0) j["warmup_epochs"] = c.warmup_epochs;
  if (s.keep_best) j["keep_best"] = true;
  if (loss_needs_teacher(c.loss)) {
    j["teacher_mode"] = teacher_mode_name(c.teacher_mode);
    j["temperature"] = c.temperature;
    if (c.loss != LossKind::kLogitMse) j["alpha"] = c.alpha;
    if (c.loss == LossKind::kDecoupled) {
      j["dkd_target_weight"] = c.dkd_target_weight;
      j["dkd_nontarget_weight"] = c.dkd_nontarget_weight;
    }
  }
  return j;
}

Model build_model_from_arch(const std::string& arch_text, int classes, const Shape& input_shape, uint64_t seed,
                            const std::string& fits_what) {
  std::vector<nlohmann::json> layers;
  try {
    layers = parse_arch_spec(arch_text, classes, input_shape.rank());
  } catch (const Error& e) {
    throw Error(std::string("--arch: ") + e.what());
  }
  Rng init_rng(seed);
  try {
    return Model::from_layer_configs(layers, input_shape, init_rng);
  } catch (const Error& e) {
    throw Error("--arch: does not fit " + fits_what + " " + input_shape.str() + ": " + e.what());
  }
}

std::string read_arch_flag(const ArgParser& args) {
  const std::string value = args.get("--arch");
  const bool inline_json = !value.empty() && (value[0] == '[' || value[0] == '{');
  std::error_code ec;
  const bool names_file = std::filesystem::is_regular_file(value, ec) ||
                          (value.size() > 5 && value.compare(value.size() - 5, 5, ".json") == 0);
  if (inline_json || !names_file) return value;
  try {
    return read_text_file(value);
  } catch (const Error& e) {
    throw Error(std::string("--arch: ") + e.what());
  }
}

const char* arch_help_text() {
  return "SPEC is a comma list: conv:FILTERS:KERNEL (same padding, ReLU), pool:K (max),\n"
         "avgpool:K, dense:UNITS (ReLU), dropout:P, e.g. conv:32:3,pool:2,conv:64:3,pool:2,dense:128\n"
         "or dense:256,dense:128. Flatten and the final dense to the classes are added.\n"
         "Options: conv:32:3:s2:valid:tanh, pool:3:s2:same, dense:64:linear. SPEC may also be\n"
         "a JSON architecture: a list of layer configs, inline or in a .json file (a model\n"
         "file works too: its layers are used, its weights are not).\n";
}

void check_output_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  require(!fs::is_directory(path, ec), path + ": is a folder; --out needs a file name such as model.json");
  const fs::path parent = fs::path(path).parent_path();
  require(parent.empty() || fs::is_directory(parent, ec),
          path + ": the folder " + parent.string() + " does not exist");
}

// ---------------------------------------------------------------- 2. loop
TrainingResult run_training(Model& model, const Dataset& data, const Split& split, const TrainConfig& config,
                            TeacherSignal teacher, const std::string& label, bool keep_best) {
  TrainingProgress progress(label);
  TrainControl control;
  StopOnInterrupt guard(control.stop);
  const auto start = std::chrono::steady_clock::now();
  TrainingResult result;
  {
    BestEpochKeeper keeper;
    TrainCallbacks callbacks = progress.callbacks();
    if (keep_best) callbacks = keep_best_epoch(std::move(callbacks), keeper, model);
    TrainingRun run(model, data, split.train, split.val, config, teacher, std::move(callbacks));
    run.run(&control);
    result.history = run.history();
    result.stopped_early = !run.finished();
    if (keep_best && keeper.restore(model)) {
      result.kept_epoch = keeper.best_epoch();
      char line[128];
      std::snprintf(line, sizeof line, "%s: kept epoch %d (validation accuracy %.4f)", label.c_str(),
                    keeper.best_epoch() + 1, keeper.best_val_accuracy());
      note(line);
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result.stopped_early) note("stopped early (Ctrl-C); evaluating and saving the model as it is");
  return result;
}

// ---------------------------------------------------------------- 3. results

FinalEvaluation evaluate_after_training(Model& model, const Dataset& data, const Split& split,
                                        const std::string& data_path, const std::string& test_path,
                                        const std::string& model_label, Model* teacher) {
  FinalEvaluation e;
  if (!test_path.empty()) {
    const Dataset test = load_data_for_model(test_path, "", model, model_label);
    e.report = evaluate(model, test, {}, teacher);
    e.set = "test";
    e.path = test_path;
  } else if (!split.val.empty()) {
    e.report = evaluate(model, data, split.val, teacher);
    e.set = "validation";
    e.path = data_path;
  } else {
    e.report = evaluate(model, data, split.train, teacher);
    e.set = "training";
    e.path = data_path;
  }
  return e;
}

namespace {

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

// 4 decimals: enough for a report, short in the file.
double rounded(double v) { return std::round(v * 1e4) / 1e4; }

}  // namespace

nlohmann::json training_provenance(const ArgParser& args, const std::string& command, const std::string& arch,
                                   const TrainingSettings& settings, const TrainingResult& result,
                                   const FinalEvaluation& evaluation) {
  nlohmann::json history = nlohmann::json::array();
  for (const EpochReport& r : result.history) {
    nlohmann::json h = {{"epoch", r.epoch + 1},
                        {"loss", rounded(r.train_loss)},
                        {"accuracy", rounded(r.train_accuracy)},
                        {"samples_per_second", std::round(r.samples_per_second)}};
    if (!std::isnan(r.val_accuracy)) {
      h["val_loss"] = rounded(r.val_loss);
      h["val_accuracy"] = rounded(r.val_accuracy);
    }
    history.push_back(h);
  }
  nlohmann::json p = {{"created_by", "distillery " + command},
                      {"created_at", utc_timestamp()},
                      {"command", args.command_line()},
                      {"arch", arch},
                      {"trained_on", {{"path", args.get("--data")}}},
                      {"settings", settings_json(settings)},
                      {"seed", settings.config.seed},
                      {"accuracy", evaluation.report.accuracy},
                      {"evaluation", {{"set", evaluation.set},
                                      {"path", evaluation.path},
                                      {"samples", evaluation.report.samples},
                                      {"accuracy", evaluation.report.accuracy}}},
                      {"training_seconds", rounded(result.seconds)},
                      {"history", history}};
  if (args.has("--labels")) p["trained_on"]["labels"] = args.get("--labels");
  if (result.stopped_early) p["stopped_early"] = true;
  if (result.kept_epoch >= 0) p["kept_epoch"] = result.kept_epoch + 1;
  return p;
}

std::string with_thousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

void save_trained_model(const ArgParser& args, const Model& model, const FinalEvaluation& evaluation,
                        bool summary_on_stdout) {
  const std::string out = args.get("--out");
  save_model_file(out, model, model_json_options(args));
  std::fprintf(summary_on_stdout ? stdout : stderr, "saved %s: %s -> %d classes, %s params; %s accuracy %.4f (%d samples)\n",
               out.c_str(), describe_arch(model).c_str(), model.num_outputs(),
               with_thousands(model.parameter_count()).c_str(), evaluation.set.c_str(), evaluation.report.accuracy,
               evaluation.report.samples);
  std::fflush(stdout);
}

}  // namespace distillery
