#include "cli/flag_groups.h"

#include <cstdio>

#include "engine/core/error.h"

namespace distillery {
namespace {

// A default as --help shows it: 0.001, 4, 0.1.
std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace

void checked_for_command(const ArgParser& args, const std::function<void()>& check) {
  try {
    check();
  } catch (const Error& e) {
    throw Error(args.command() + ": " + e.what());
  }
}

void add_data_flags(ArgParser& args) {
  args.add_required("--data", "PATH", "training data: image folder (one subfolder per class), .zip, .csv, or IDX file");
  add_labels_flag(args);
  args.add_value("--test-data", "PATH", "data to measure the final accuracy on (else the validation split)");
}

void add_labels_flag(ArgParser& args) {
  args.add_value("--labels", "PATH", "IDX labels file, when not beside the images under the standard name");
}

void add_seed_flag(ArgParser& args, const std::string& help) { args.add_value("--seed", "S", help, "42"); }

uint64_t read_seed(const ArgParser& args) { return static_cast<uint64_t>(args.get_int("--seed", 42, 0, 2147483647)); }

void add_step_flags(ArgParser& args, const StepFlagDefaults& defaults) {
  const std::string purpose = defaults.purpose;
  args.add_value("--batch", "B", purpose + "samples per step", "64");
  args.add_value("--lr", "X", purpose + "learning rate", number_text(defaults.learning_rate));
  args.add_named("--optimizer", "NAME", optimizer_names(), OptimizerKind::kAdam, "sgd with momentum 0.9");
  args.add_named("--lr-schedule", "NAME", lr_schedule_names(), LrSchedule::kConstant);
  args.add_value("--weight-decay", "X", "decoupled for adamw, L2 for adam and sgd", "0.01 for adamw, else 0");
  args.add_value("--val-split", "F", "fraction of --data held out for validation", "0.1");
}

float read_step_flags(const ArgParser& args, const StepFlagDefaults& defaults, TrainConfig& config) {
  // The batch size's limits are the engine's (validate_train_config), so every front end says the same.
  config.batch_size = args.get_whole("--batch", 64);
  config.learning_rate = static_cast<float>(args.get_double("--lr", defaults.learning_rate, 1e-9, 10.0));
  config.optimizer.kind = args.get_named("--optimizer", optimizer_names());
  config.lr_schedule = args.get_named("--lr-schedule", lr_schedule_names());
  config.optimizer.weight_decay = static_cast<float>(
      args.get_double("--weight-decay", config.optimizer.kind == OptimizerKind::kAdamW ? 0.01 : 0.0, 0.0, 1.0));
  return static_cast<float>(args.get_double("--val-split", 0.1, 0.0, 0.9));
}

void add_soft_target_flags(ArgParser& args, SoftTargets defaults, const std::string& condition) {
  args.add_value("--temperature", "T", condition + "softmax temperature of the teacher's soft targets",
                 number_text(defaults.temperature));
  args.add_value("--alpha", "A", condition + "weight of the hard-label loss, 0..1 (kd and dkd)",
                 number_text(defaults.alpha));
}

void read_soft_target_flags(const ArgParser& args, TrainConfig& config) {
  config.temperature = static_cast<float>(args.get_double("--temperature", 0.0, 1e9));
  config.alpha = static_cast<float>(args.get_double("--alpha", 0.0, 1.0));
}

void add_weights_encoding_flag(ArgParser& args, WeightsEncoding fallback, const std::string& note) {
  args.add_named("--weights-encoding", "ENC", weights_encoding_names(), fallback, note);
}

void add_output_flags(ArgParser& args) {
  args.add_required("--out", "MODEL.json", "where to write the model");
  add_weights_encoding_flag(args, WeightsEncoding::kArray, "array is plain numbers, base64 float32 bytes (smaller)");
}

ModelJsonOptions model_json_options(const ArgParser& args) {
  ModelJsonOptions options;
  options.weights_encoding = args.get_named("--weights-encoding", weights_encoding_names());
  return options;
}

}  // namespace distillery
