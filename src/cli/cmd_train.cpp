// distillery train: a classifier from scratch on a dataset.
#include <cstdio>
#include <filesystem>

#include "cli/cli_data.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/training_session.h"
#include "engine/core/error.h"
#include "engine/model/arch_spec.h"

namespace distillery {


int run_train(const Args& argv) {
  ArgParser args("train", "Train a classifier on a dataset and save it as a model file.");
  add_data_flags(args);
  args.add_required("--arch", "SPEC", "layers, e.g. conv:32:3,pool:2,dense:128 (see below)");
  add_optimizer_flags(args);
  add_output_flags(args);
  args.add_epilog(arch_help_text());
  if (!args.parse(argv)) return 0;

  const TrainingSettings settings = read_training_settings(args);
  const std::string out = args.get("--out");
  check_output_path(out);
  if (args.has("--test-data")) require_exists(args.get("--test-data"));  // fail before training, not after
  const std::string arch_text = read_arch_flag(args);
  const std::string data_path = args.get("--data");

  Dataset data = load_training_data(data_path, args.get("--labels"));
  Model model = build_model_from_arch(arch_text, data.num_classes(), data.sample_shape(), settings.config.seed, "images");
  model.class_names = data.class_names;
  model.name = std::filesystem::path(out).stem().string();

  const Split split = split_indices(data.size(), settings.val_split, settings.config.seed);
  note("train: " + std::to_string(split.train.size()) + " samples (" + std::to_string(split.val.size()) +
       " for validation) of " + data.sample_shape().str() + ", " + std::to_string(data.num_classes()) +
       " classes; model " + describe_arch(model) + ", " + with_thousands(model.parameter_count()) + " params");
  const TrainingResult result = run_training(model, data, split, settings.config, nullptr, "train",
                                                   settings.keep_best);
  const FinalEvaluation evaluation =
      evaluate_after_training(model, data, split, data_path, args.get("--test-data"), out);

  model.provenance = training_provenance(args, "train", describe_arch(model), settings, result, evaluation);
  model.provenance["trained_from"] = data_path;
  save_trained_model(args, model, evaluation);
  return 0;
}

}  // namespace distillery
