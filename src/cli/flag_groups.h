#pragma once
// Flag blocks that several subcommands take. Each block is declared and read
// here, once, so that a flag has one meaning, one default, one range and one
// refusal message in every command that takes it (train, distill, prune,
// quantize, eval).
#include <cstdint>
#include <functional>
#include <string>

#include "cli/args.h"
#include "engine/io/model_json.h"
#include "engine/train/trainer.h"

namespace distillery {

// --data --labels --test-data: what to train on and what to measure on.
void add_data_flags(ArgParser& args);
// --labels alone, for commands whose --data has its own help (eval, quantize).
void add_labels_flag(ArgParser& args);

// --seed, with what it decides in this command.
void add_seed_flag(ArgParser& args, const std::string& help);
uint64_t read_seed(const ArgParser& args);

// How gradient steps are taken: --batch --lr --optimizer --lr-schedule
// --weight-decay, and --val-split. Training and prune's fine-tuning differ
// only in the words before "samples per step" and the default --lr.
struct StepFlagDefaults {
  const char* purpose;   // "" or "fine-tuning ", before the help of --batch and --lr
  double learning_rate;  // --lr when not given
};
constexpr StepFlagDefaults kTrainingSteps{"", 1e-3};
constexpr StepFlagDefaults kFinetuningSteps{"fine-tuning ", 5e-4};
void add_step_flags(ArgParser& args, const StepFlagDefaults& defaults);
// Fills the batch size, learning rate, optimiser and its weight decay, and
// the schedule; returns --val-split.
float read_step_flags(const ArgParser& args, const StepFlagDefaults& defaults, TrainConfig& config);

// Runs an engine check (validate_*), its Error prefixed with the command
// ("quantize: calibration must be ..."): the words the app says too.
void checked_for_command(const ArgParser& args, const std::function<void()>& check);

// --temperature --alpha: the teacher's soft targets. `condition` starts their
// help ("with --teacher: ") where a command takes them only with a teacher.
void add_soft_target_flags(ArgParser& args, SoftTargets defaults, const std::string& condition = "");
void read_soft_target_flags(const ArgParser& args, TrainConfig& config);

// --weights-encoding with the command's default; `note` says what the choice means there.
void add_weights_encoding_flag(ArgParser& args, WeightsEncoding fallback, const std::string& note);
// --out, and --weights-encoding defaulting to array
void add_output_flags(ArgParser& args);
// The file options of --weights-encoding; reading them early refuses a bad
// encoding before any work, not when saving.
ModelJsonOptions model_json_options(const ArgParser& args);

}  // namespace distillery
