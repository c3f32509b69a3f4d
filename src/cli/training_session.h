#pragma once
// What train and distill share (and prune's fine-tuning can reuse): the
// training flags, the loop with progress and Ctrl-C, the evaluation after
// training, provenance, and saving with a summary line.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/flag_groups.h"
#include "engine/io/model_json.h"
#include "engine/metrics/metrics.h"
#include "engine/model/model.h"
#include "engine/train/trainer.h"

namespace distillery {

// --epochs, the step flags of flag_groups.h, --seed --warmup --augment --keep-best
void add_optimizer_flags(ArgParser& args);

struct TrainingSettings {
  TrainConfig config;
  float val_split = 0.1f;
  bool keep_best = false;  // end with the weights of the best validation epoch
};
// Reads the flags of add_optimizer_flags (loss, temperature, alpha stay "ce").
// The engine's validate_train_config, its message prefixed with the command
// ("train: epochs must be between 1 and 1000"): the app says the same words.
void validate_for_command(const ArgParser& args, const TrainConfig& config);
TrainingSettings read_training_settings(const ArgParser& args);
// The settings as provenance JSON.
nlohmann::json settings_json(const TrainingSettings& settings);

// The --arch value: a SPEC, inline JSON, or the text of a .json file it names.
std::string read_arch_flag(const ArgParser& args);
// A new model of the --arch text for `classes` outputs on inputs of
// `input_shape`, its weights drawn from `seed`; errors start with "--arch:"
// and say what it does not fit ("images", "the teacher's input").
Model build_model_from_arch(const std::string& arch_text, int classes, const Shape& input_shape, uint64_t seed,
                            const std::string& fits_what);
// The SPEC grammar, for --help.
const char* arch_help_text();

// Fails early, before any training, when --out cannot be written.
void check_output_path(const std::string& path);

struct TrainingResult {
  std::vector<EpochReport> history;
  double seconds = 0;
  bool stopped_early = false;  // Ctrl-C
  int kept_epoch = -1;         // 0-based epoch whose weights the model ends with (keep_best), else -1
};
// Runs the shared loop, printing progress on stderr under `label`. The first
// Ctrl-C stops after the current batch (the model is still evaluated and
// saved); a second one ends the program. With keep_best the model ends with
// the weights of the epoch with the best validation accuracy.
TrainingResult run_training(Model& model, const Dataset& data, const Split& split, const TrainConfig& config,
                            TeacherSignal teacher, const std::string& label, bool keep_best = false);

struct FinalEvaluation {
  EvalReport report;
  std::string set;   // "test", "validation" or "training"
  std::string path;  // the data it was measured on
};
// On --test-data when given, else the validation split, else the training set.
FinalEvaluation evaluate_after_training(Model& model, const Dataset& data, const Split& split,
                                        const std::string& data_path,
                                        const std::string& test_path, const std::string& model_label,
                                        Model* teacher = nullptr);

// Provenance common to trained models: command, settings, accuracy, history.
nlohmann::json training_provenance(const ArgParser& args, const std::string& command, const std::string& arch,
                                   const TrainingSettings& settings, const TrainingResult& result,
                                   const FinalEvaluation& evaluation);

// Saves with --weights-encoding and prints the one-line summary on stdout
// (on stderr when stdout is for JSON).
void save_trained_model(const ArgParser& args, const Model& model, const FinalEvaluation& evaluation,
                        bool summary_on_stdout = true);

// "1,234,567"
std::string with_thousands(int64_t n);

}  // namespace distillery
