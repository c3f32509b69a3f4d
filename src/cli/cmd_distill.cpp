// distillery distill: a student trained on a teacher's softened outputs
// (Hinton et al. 2015), or on its logits with --loss mse.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/cli_data.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/training_session.h"
#include "engine/core/error.h"
#include "engine/model/arch_spec.h"
#include "native/model_files.h"

namespace distillery {

int run_distill(const Args& argv) {
  ArgParser args("distill",
                 "Distil a teacher model into a (smaller) student: the student learns from the\n"
                 "teacher's softened predictions, loss = alpha * CE(labels) + (1 - alpha) * T^2 * KL(teacher_T || "
                 "student_T).\nThe data is brought to the teacher's input size and colour.");
  args.add_required("--teacher", "MODEL.json", "the trained teacher model");
  add_data_flags(args);
  args.add_required("--arch", "SPEC", "the student's layers, e.g. dense:32 (see below)");
  args.add_value("--temperature", "T", "softmax temperature of the soft targets", "4");
  args.add_value("--alpha", "A", "weight of the hard-label loss, 0..1", "0.1");
  args.add_value("--loss", "KIND", "kd (Hinton distillation) or mse (match the teacher's logits)", "kd");
  add_optimizer_flags(args);
  add_output_flags(args);
  args.add_epilog(arch_help_text());
  if (!args.parse(argv)) return 0;

  TrainingSettings settings = read_training_settings(args);
  settings.config.loss = args.get_choice("--loss", "kd", {"kd", "mse"});
  settings.config.temperature = static_cast<float>(args.get_double("--temperature", 4.0, 0.05, 1000.0));
  settings.config.alpha = static_cast<float>(args.get_double("--alpha", 0.1, 0.0, 1.0));
  const std::string out = args.get("--out");
  check_output_path(out);
  if (args.has("--test-data")) require_exists(args.get("--test-data"));  // fail before training, not after
  const std::string arch_text = read_arch_flag(args);
  const std::string teacher_path = args.get("--teacher");
  const std::string data_path = args.get("--data");

  Model teacher = load_model_file(teacher_path);
  require_image_model(teacher, teacher_path);
  Dataset data = load_data_for_model(data_path, args.get("--labels"), teacher, teacher_path);
  {
    int present = 0;
    for (int c : data.class_counts()) present += c > 0;
    require(present >= 2, data_path + ": the dataset has only one class; a classifier needs at least two");
  }

  std::vector<nlohmann::json> layers;
  try {
    layers = parse_arch_spec(arch_text, teacher.num_outputs(), teacher.input_shape().rank());
  } catch (const Error& e) {
    throw Error(std::string("--arch: ") + e.what());
  }
  Rng init_rng(settings.config.seed);
  Model student;
  try {
    student = Model::from_layer_configs(layers, teacher.input_shape(), init_rng);
  } catch (const Error& e) {
    throw Error("--arch: does not fit the teacher's input " + teacher.input_shape().str() + ": " + e.what());
  }
  student.class_names = teacher.class_names;
  student.preprocessing = teacher.preprocessing;
  student.name = std::filesystem::path(out).stem().string();

  // The teacher's logits over the whole dataset, computed once (not per epoch).
  const auto start = std::chrono::steady_clock::now();
  const Tensor teacher_logits = compute_logits(teacher, data);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char timing[64];
  std::snprintf(timing, sizeof timing, "%.1f s", seconds);
  note("distill: teacher " + describe_arch(teacher) + " (" + with_thousands(teacher.parameter_count()) +
       " params), logits over " + std::to_string(data.size()) + " samples in " + timing);

  const Split split = split_indices(data.size(), settings.val_split, settings.config.seed);
  note("distill: student " + describe_arch(student) + ", " + with_thousands(student.parameter_count()) +
       " params; " + std::to_string(split.train.size()) + " training samples");
  const TrainingResult result = run_training(student, data, split, settings.config, &teacher_logits, "distill",
                                                   settings.keep_best);
  const FinalEvaluation evaluation =
      evaluate_after_training(student, data, split, data_path, args.get("--test-data"), out, &teacher);

  student.provenance = training_provenance(args, "distill", describe_arch(student), settings, result, evaluation);
  student.provenance["distilled_from"] = {{"file", teacher_path},
                                          {"name", teacher.name},
                                          {"arch", describe_arch(teacher)},
                                          {"params", teacher.parameter_count()},
                                          {"accuracy", evaluation.report.teacher_accuracy},
                                          {"agreement", evaluation.report.agreement}};
  save_trained_model(args, student, evaluation);
  std::printf("teacher accuracy %.4f, agreement %.4f, params %s -> %s\n", evaluation.report.teacher_accuracy,
              evaluation.report.agreement, with_thousands(teacher.parameter_count()).c_str(),
              with_thousands(student.parameter_count()).c_str());
  return 0;
}

}  // namespace distillery
