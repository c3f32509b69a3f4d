// distillery distill: a student trained on a teacher's outputs (Hinton et al.
// 2015; decoupled KD; logit matching), by default with the teacher run on the
// very batch the student sees. --baseline also trains the same student alone
// and reports the difference.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/cli_data.h"
#include "cli/commands.h"
#include "cli/flag_groups.h"
#include "cli/progress.h"
#include "cli/training_session.h"
#include "engine/train/baseline_record.h"
#include "engine/core/error.h"
#include "engine/data/dataset_ops.h"
#include "engine/model/arch_spec.h"
#include "native/dataset_files.h"
#include "native/model_files.h"

namespace distillery {
namespace {

struct DistillFlags {
  std::string teacher_path, data_path, arch_text, out, unlabeled_path, baseline_out;
  bool baseline = false, json = false;
};

void add_distill_flags(ArgParser& args) {
  args.add_required("--teacher", "MODEL.json", "the trained teacher model");
  add_data_flags(args);
  args.add_required("--arch", "SPEC", "the student's layers, e.g. dense:32 (see below)");
  args.add_named("--loss", "KIND", loss_names(), LossKind::kHinton,
                 "kd is Hinton's soft targets, dkd decoupled KD, mse matches logits, ce uses the labels only");
  add_soft_target_flags(args, kDistillSoftTargets);
  args.add_value("--dkd-target", "W", "dkd: weight of the target-class term", "1");
  args.add_value("--dkd-nontarget", "W", "dkd: weight of the non-target term", "8");
  args.add_named("--teacher-mode", "MODE", teacher_mode_names(), TeacherMode::kConsistent,
                 "consistent: the teacher sees each augmented batch; cached: its logits once, un-augmented");
  args.add_value("--unlabeled", "PATH", "images without labels (folder, .zip, IDX images) the teacher labels");
  args.add_switch("--baseline", "also train the same student alone (same seed, weights, augmentation, schedule)");
  args.add_value("--baseline-out", "MODEL.json", "with --baseline: where to write the student trained alone");
  args.add_switch("--json", "print the results as one JSON object on stdout");
  add_optimizer_flags(args);
  add_output_flags(args);
  args.add_epilog(arch_help_text());
}

// The unlabeled images at the teacher's input shape.
Dataset load_unlabeled(const std::string& path, const Model& teacher) {
  DatasetOptions options;
  options.height = teacher.input_shape()[0];
  options.width = teacher.input_shape()[1];
  options.channels = teacher.input_shape()[2];
  try {
    return load_unlabeled_images_from_path(path, options);
  } catch (const Error& e) {
    throw Error(std::string("--unlabeled: ") + e.what());
  }
}

double points(double fraction) { return std::round(fraction * 1e4) / 1e2; }

DistillFlags read_distill_flags(const ArgParser& args, TrainConfig& config) {
  config.loss = args.get_named("--loss", loss_names());
  config.teacher_mode = args.get_named("--teacher-mode", teacher_mode_names());
  read_soft_target_flags(args, config);
  config.dkd_target_weight = static_cast<float>(args.get_double("--dkd-target", 1.0, 0.0, 1000.0));
  config.dkd_nontarget_weight = static_cast<float>(args.get_double("--dkd-nontarget", 8.0, 0.0, 1000.0));
  validate_for_command(args, config);
  DistillFlags f;
  f.teacher_path = args.get("--teacher");
  f.data_path = args.get("--data");
  f.out = args.get("--out");
  f.unlabeled_path = args.get("--unlabeled");
  f.baseline = args.has("--baseline");
  f.baseline_out = args.get("--baseline-out");
  f.json = args.has("--json");
  require(f.baseline_out.empty() || f.baseline, "--baseline-out: goes with --baseline");
  require(f.unlabeled_path.empty() || loss_needs_teacher(config.loss),
          "--unlabeled: the ce loss cannot learn from unlabeled images (use kd, dkd or mse)");
  check_output_path(f.out);
  if (!f.baseline_out.empty()) check_output_path(f.baseline_out);
  if (args.has("--test-data")) require_exists(args.get("--test-data"));  // fail before training, not after
  if (!f.unlabeled_path.empty()) require_exists(f.unlabeled_path);
  f.arch_text = read_arch_flag(args);
  return f;
}

// A new student of --arch for the teacher's inputs and classes, its weights drawn from `seed`.
Model new_student(const DistillFlags& f, const Model& teacher, uint64_t seed, const std::string& name) {
  Model student = build_model_from_arch(f.arch_text, teacher.num_outputs(), teacher.input_shape(), seed,
                                        "the teacher's input");
  student.class_names = teacher.class_names;
  student.preprocessing = teacher.preprocessing;
  student.name = name;
  return student;
}

// Cached mode: the teacher's logits over the whole dataset, once (not per epoch); else none.
Tensor cache_logits_if_asked(Model& teacher, const Dataset& data, const TrainConfig& config) {
  const std::string about = "distill: teacher " + describe_arch(teacher) + " (" +
                            with_thousands(teacher.parameter_count()) + " params), ";
  if (!loss_needs_teacher(config.loss) || config.teacher_mode != TeacherMode::kCached) {
    note(about + teacher_mode_name(config.teacher_mode) + " (it sees every training batch)");
    return Tensor();
  }
  const auto start = std::chrono::steady_clock::now();
  Tensor cached = compute_logits(teacher, data);
  char timing[64];
  std::snprintf(timing, sizeof timing, "%.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  note(about + "logits over " + std::to_string(data.size()) + " samples in " + timing);
  return cached;
}

struct Baseline {
  nlohmann::json summary;  // accuracy, agreement, kl_to_teacher, gain, set
  std::string line;        // "distilled X % vs alone Y % (...)"
};

// The same student alone: same seed (so the same initial weights), split, augmentation and schedule, labelled
// samples only, no teacher: what `distillery train` with these flags trains.
Baseline train_alone(const ArgParser& args, const DistillFlags& f, const TrainingSettings& settings, Model& teacher,
                     const Dataset& data, const Split& labelled_split, const FinalEvaluation& distilled) {
  Model alone = new_student(f, teacher, settings.config.seed, std::filesystem::path(f.out).stem().string() + "_alone");
  TrainingSettings alone_settings = settings;
  alone_settings.config.loss = LossKind::kCrossEntropy;
  const TrainingResult result =
      run_training(alone, data, labelled_split, alone_settings.config, nullptr, "alone", settings.keep_best);
  const FinalEvaluation evaluation =
      evaluate_after_training(alone, data, labelled_split, f.data_path, args.get("--test-data"), f.out, &teacher);
  const double gain = distilled.report.accuracy - evaluation.report.accuracy;
  Baseline b;
  BaselineRecord record;
  record.accuracy = evaluation.report.accuracy;
  record.gain = gain;
  record.set = evaluation.set;
  record.agreement = evaluation.report.agreement;
  record.kl_to_teacher = evaluation.report.kl_to_teacher;
  b.summary = baseline_record_json(record);
  char line[160];
  std::snprintf(line, sizeof line, "distilled %.2f %% vs alone %.2f %% (%+.2f points, same seed and schedule)",
                points(distilled.report.accuracy), points(evaluation.report.accuracy), points(gain));
  b.line = line;
  if (!f.baseline_out.empty()) {
    alone.provenance =
        training_provenance(args, "distill --baseline", describe_arch(alone), alone_settings, result, evaluation);
    save_model_file(f.baseline_out, alone, model_json_options(args));
  }
  return b;
}

nlohmann::json results_json(const DistillFlags& f, const TrainConfig& config, const Model& student,
                            const Model& teacher, const FinalEvaluation& e, const TrainingResult& result,
                            int unlabeled, const Baseline* baseline) {
  nlohmann::json out = {{"model", f.out},
                        {"accuracy", e.report.accuracy},
                        {"set", e.set},
                        {"samples", e.report.samples},
                        {"agreement", e.report.agreement},
                        {"kl_to_teacher", e.report.kl_to_teacher},
                        {"teacher_accuracy", e.report.teacher_accuracy},
                        {"params", student.parameter_count()},
                        {"teacher_params", teacher.parameter_count()},
                        {"loss", loss_name(config.loss)},
                        {"teacher_mode", teacher_mode_name(config.teacher_mode)},
                        {"augment", augment_spec_text(config.augment)},
                        {"unlabeled_samples", unlabeled},
                        {"training_seconds", result.seconds}};
  if (baseline) {
    out["baseline_accuracy"] = baseline->summary["accuracy"];
    out["baseline_agreement"] = baseline->summary["agreement"];
    out["baseline_kl_to_teacher"] = baseline->summary["kl_to_teacher"];
    out["gain"] = baseline->summary["gain"];
  }
  return out;
}

}  // namespace

int run_distill(const Args& argv) {
  ArgParser args("distill",
                 "Distil a teacher model into a (smaller) student: the student learns from the\n"
                 "teacher's outputs, kd: loss = alpha * CE(labels) + (1 - alpha) * T^2 * KL(teacher_T || student_T).\n"
                 "The data is brought to the teacher's input size and colour.");
  add_distill_flags(args);
  if (!args.parse(argv)) return 0;

  TrainingSettings settings = read_training_settings(args);
  const TrainConfig& config = settings.config;
  const DistillFlags f = read_distill_flags(args, settings.config);

  Model teacher = load_model_file(f.teacher_path);
  require_image_model(teacher, f.teacher_path);
  Dataset data = load_data_for_model(f.data_path, args.get("--labels"), teacher, f.teacher_path);
  require_two_classes(data, f.data_path);
  const int labelled = data.size();
  const Split labelled_split = split_indices(labelled, settings.val_split, config.seed);
  Split split = labelled_split;
  int unlabeled = 0;
  if (!f.unlabeled_path.empty()) {
    // One index space for the run: the unlabeled images follow the labelled ones, only in the training split.
    const Dataset extra = load_unlabeled(f.unlabeled_path, teacher);
    unlabeled = extra.size();
    data = append_unlabeled(data, extra);
    for (int i = labelled; i < data.size(); ++i) split.train.push_back(i);
  }

  Model student = new_student(f, teacher, config.seed, std::filesystem::path(f.out).stem().string());
  const Tensor cached = cache_logits_if_asked(teacher, data, config);
  note("distill: student " + describe_arch(student) + ", " + with_thousands(student.parameter_count()) + " params; " +
       std::to_string(split.train.size() - unlabeled) + " labelled" +
       (unlabeled ? " + " + std::to_string(unlabeled) + " unlabeled" : std::string()) +
       " training samples; augment " + augment_spec_text(config.augment) + "; loss " + loss_name(config.loss));
  const TrainingResult result =
      run_training(student, data, split, config, TeacherSignal(&teacher, cached.size() ? &cached : nullptr), "distill",
                   settings.keep_best);
  const FinalEvaluation evaluation =
      evaluate_after_training(student, data, labelled_split, f.data_path, args.get("--test-data"), f.out, &teacher);

  student.provenance = training_provenance(args, "distill", describe_arch(student), settings, result, evaluation);
  student.provenance["distilled_from"] = {{"file", f.teacher_path},
                                          {"name", teacher.name},
                                          {"arch", describe_arch(teacher)},
                                          {"params", teacher.parameter_count()},
                                          {"accuracy", evaluation.report.teacher_accuracy},
                                          {"agreement", evaluation.report.agreement},
                                          {"kl_to_teacher", evaluation.report.kl_to_teacher}};
  if (unlabeled) student.provenance["unlabeled"] = {{"path", f.unlabeled_path}, {"samples", unlabeled}};
  std::optional<Baseline> baseline;
  if (f.baseline) {
    baseline = train_alone(args, f, settings, teacher, data, labelled_split, evaluation);
    student.provenance["baseline"] = baseline->summary;
  }
  save_trained_model(args, student, evaluation, !f.json);
  if (f.json) {
    if (baseline) note(baseline->line);
    const Baseline* b = baseline ? &*baseline : nullptr;
    std::printf("%s\n", results_json(f, config, student, teacher, evaluation, result, unlabeled, b).dump().c_str());
  } else {
    std::printf("teacher accuracy %.4f, agreement %.4f, params %s -> %s\n", evaluation.report.teacher_accuracy,
                evaluation.report.agreement, with_thousands(teacher.parameter_count()).c_str(),
                with_thousands(student.parameter_count()).c_str());
    if (baseline) std::printf("%s\n", baseline->line.c_str());
  }
  return 0;
}

}  // namespace distillery
