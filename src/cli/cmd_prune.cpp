// distillery prune: magnitude, global, random or structured pruning of a
// trained model, with a schedule and fine-tuning under the masks, optionally
// distilling from a teacher. Prints the per-layer report (sparsity, sizes,
// latency before/after) and the accuracy before and after.
//
// Sections: 1. flags and settings  2. loading and checks  3. pruning, report, saving
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/cli_data.h"
#include "cli/commands.h"
#include "cli/flag_groups.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "cli/training_session.h"
#include "engine/core/error.h"
#include "engine/metrics/metrics.h"
#include "engine/model/arch_spec.h"
#include "engine/prune/masks.h"
#include "engine/prune/prune_pipeline.h"
#include "engine/prune/prune_report.h"
#include "engine/prune/structured.h"
#include "native/model_files.h"

namespace distillery {
namespace {

// ---------------------------------------------------------------- 1. flags

void add_prune_flags(ArgParser& args) {
  args.add_required("--model", "MODEL.json", "the trained model to prune (the student, or the teacher itself)");
  add_data_flags(args);
  args.add_required_named("--method", "NAME", prune_method_names(),
                          "magnitude is per layer, global one threshold for all, structured removes units/filters");
  args.add_required("--sparsity", "S",
                    "fraction removed, 0 <= S < 1: of the weights, or of each layer's units/filters (structured)");
  args.add_named("--schedule", "NAME", prune_schedule_names(), PruneSchedule::kOneShot,
                 "iterative takes --rounds; polynomial is gradual, while fine-tuning");
  args.add_value("--rounds", "K", "iterative: prune/fine-tune rounds, sparsity 1 - (1 - S)^(r/K) after round r", "3");
  args.add_value("--finetune-epochs", "E", "fine-tuning epochs (iterative: per round; polynomial: at least 1)", "0");
  args.add_named("--criterion", "NAME", norm_criterion_names(), NormCriterion::l2,
                 "the norm that ranks units/filters (structured)");
  args.add_value("--teacher", "MODEL.json", "fine-tune with the distillation loss from this teacher");
  add_soft_target_flags(args, kPruneSoftTargets, "with --teacher: ");
  add_step_flags(args, kFinetuningSteps);
  add_seed_flag(args, "random seed (random pruning, shuffling, validation split)");
  args.add_switch("--json", "print one JSON object (report and accuracies) on stdout instead of the table");
  add_output_flags(args);
  args.add_epilog(
      "examples:\n"
      "  distillery prune --model teacher.json --data train-images-idx3-ubyte.gz --test-data t10k-images-idx3-ubyte.gz "
      "\\\n"
      "      --method global --sparsity 0.9 --finetune-epochs 2 --out pruned.json\n"
      "  distillery prune --model teacher.json --data ... --method structured --sparsity 0.5 \\\n"
      "      --finetune-epochs 2 --teacher teacher.json --out small.json\n");
}

// The settings, validated by the engine, and --val-split.
PruneSettings read_prune_settings(const ArgParser& args, float& val_split) {
  PruneSettings s;
  s.method = prune_method_names().parse(args.get_choice("--method", "", prune_method_names().names()));
  const std::string text = args.get("--sparsity");
  char* end = nullptr;
  const double sparsity = std::strtod(text.c_str(), &end);
  require(!text.empty() && end == text.c_str() + text.size() && sparsity >= 0.0 && sparsity < 1.0,
          "--sparsity: must be a number in [0, 1), got '" + text + "'");
  s.sparsity = static_cast<float>(sparsity);
  s.schedule = args.get_named("--schedule", prune_schedule_names());
  s.rounds = args.get_whole("--rounds", 3);
  s.finetune_epochs = args.get_whole("--finetune-epochs", 0);
  s.criterion = args.get_named("--criterion", norm_criterion_names());
  s.seed = read_seed(args);
  TrainConfig& c = s.train;
  val_split = read_step_flags(args, kFinetuningSteps, c);
  c.seed = s.seed;
  if (args.has("--teacher")) {
    c.loss = LossKind::kHinton;
    read_soft_target_flags(args, c);
  } else {
    require(!args.has("--temperature") && !args.has("--alpha"), "--temperature and --alpha need --teacher");
  }
  model_json_options(args);  // checked now, used when saving
  try {
    validate_prune_settings(s);
  } catch (const Error& e) {
    throw Error(std::string("prune: ") + e.what());
  }
  return s;
}

// ---------------------------------------------------------------- 2. checks

// The one-line reason a model cannot be pruned this way, as an Error naming the file.
void require_prunable(const Model& model, const PruneSettings& s, const std::string& path) {
  try {
    require(has_prunable(model.params()), "the model has nothing to prune (no dense or conv2d kernels)");
    if (s.method == PruneMethod::kStructured)
      plan_structured(model, structured_keep_counts(model, s.sparsity), s.criterion);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
}

// ---------------------------------------------------------------- 3. report

struct Measured {
  EvalReport before, after;
  std::string set, path;
};

void print_summary(const PruneReport& report, const Measured& m, bool with_teacher) {
  std::printf("%s", format_prune_report(report).c_str());
  std::printf("accuracy on %s (%s, %d samples): before %.4f, after %.4f (%+.2f points)\n", m.set.c_str(),
              m.path.c_str(), m.after.samples, m.before.accuracy, m.after.accuracy,
              100.0 * (m.after.accuracy - m.before.accuracy));
  if (with_teacher) std::printf("agreement with the teacher after pruning: %.4f\n", m.after.agreement);
}

nlohmann::json summary_json(const PruneReport& report, const Measured& m, const PruneSettings& s,
                            const std::string& out) {
  nlohmann::json j = prune_report_json(report);
  j["settings"] = s.to_json();
  j["evaluation"] = {{"set", m.set}, {"path", m.path}, {"samples", m.after.samples}};
  j["accuracy_before"] = m.before.accuracy;
  j["accuracy_after"] = m.after.accuracy;
  if (m.after.agreement >= 0) j["agreement"] = m.after.agreement;
  j["out"] = out;
  return j;
}

// ---------------------------------------------------------------- 4. the run

// The teacher's logits over the data, for distilling while fine-tuning, timed on stderr.
Tensor timed_teacher_logits(Model& teacher, const Dataset& data) {
  Tensor teacher_logits;
  const auto start = std::chrono::steady_clock::now();
  teacher_logits = compute_logits(teacher, data);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  note("prune: teacher logits over " + std::to_string(data.size()) + " samples in " + seconds + " s");
  return teacher_logits;
}

// prune_model with progress on stderr and Ctrl-C stopping it early.
Model prune_with_progress(const Model& model, const Dataset& data, const Split& split, const PruneSettings& settings,
                          const Tensor* teacher_logits, bool& stopped) {
  TrainingProgress progress("finetune");
  PruneCallbacks callbacks;
  callbacks.train = progress.callbacks();
  const bool gradual = settings.schedule == PruneSchedule::kPolynomial;
  callbacks.on_round = [&](int round, int rounds, double sparsity) {
    if (gradual && round != rounds && round % 10 != 1) return;  // a gradual run updates often: keep stderr short
    char line[128];
    std::snprintf(line, sizeof line, "prune: %s %d/%d: %s %.4f", gradual ? "mask update" : "round", round, rounds,
                  settings.method == PruneMethod::kStructured ? "parameters removed" : "sparsity", sparsity);
    note(line);
  };
  TrainControl control;
  Model pruned = [&] {
    StopOnInterrupt guard(control.stop);
    return prune_model(model, data, split.train, split.val, settings, teacher_logits, callbacks, &control);
  }();
  stopped = control.stop.load();
  if (stopped) note("stopped early (Ctrl-C); measuring and saving the model as it is");
  return pruned;
}

struct PrunePaths {
  std::string model, data, teacher, out;
};

void record_provenance(Model& pruned, const ArgParser& args, const PrunePaths& paths, const Measured& measured,
                       const PruneReport& report, bool stopped) {
  const std::string &model_path = paths.model, &data_path = paths.data, &teacher_path = paths.teacher;
  const bool has_teacher = !teacher_path.empty();
  pruned.name = std::filesystem::path(paths.out).stem().string();
  nlohmann::json& record = pruned.provenance["pruning"];
  record["command"] = args.command_line();
  record["source_file"] = model_path;
  record["data"] = data_path;
  if (has_teacher) record["teacher"] = teacher_path;
  record["evaluation"] = {{"set", measured.set}, {"path", measured.path}, {"samples", measured.after.samples}};
  record["accuracy_before"] = measured.before.accuracy;
  record["accuracy_after"] = measured.after.accuracy;
  record["latency_ms_before"] = report.latency_before_ms;
  record["latency_ms_after"] = report.latency_after_ms;
  if (stopped) record["stopped_early"] = true;
  pruned.provenance["accuracy"] = measured.after.accuracy;  // this model's measured accuracy
}

void save_and_report(const Model& pruned, const ArgParser& args, const PruneReport& report, const Measured& measured,
                     const PruneSettings& settings, const std::string& out, bool has_teacher) {
  save_model_file(out, pruned, model_json_options(args));
  if (args.has("--json")) {
    std::printf("%s\n", summary_json(report, measured, settings, out)
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
  } else {
    print_summary(report, measured, has_teacher);
    std::printf("saved %s: %s, %s params (%s non-zero)\n", out.c_str(), describe_arch(pruned).c_str(),
                with_thousands(pruned.parameter_count()).c_str(),
                with_thousands(pruned.nonzero_parameter_count()).c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int run_prune(const Args& argv) {
  ArgParser args("prune",
                 "Prune a trained model: zero weights behind masks (magnitude, global, random;\n"
                 "dense layers past 75 % sparsity, 90 % at batch 1, then run a sparse kernel), or\n"
                 "remove whole units and filters (structured: a smaller model). Optionally fine-tune\n"
                 "under the masks, with the distillation loss from --teacher. Prints the per-layer\n"
                 "report and the accuracy before and after (on --test-data, else the validation split).");
  add_prune_flags(args);
  if (!args.parse(argv)) return 0;

  float val_split = 0;
  PruneSettings settings = read_prune_settings(args, val_split);
  PrunePaths paths{args.get("--model"), args.get("--data"), args.get("--teacher"), args.get("--out")};
  check_output_path(paths.out);
  const std::string test_path = args.get("--test-data");
  if (!test_path.empty()) require_exists(test_path);

  Model model = load_model_file(paths.model);
  require_image_model(model, paths.model);
  require_prunable(model, settings, paths.model);
  const bool has_teacher = args.has("--teacher");
  Model teacher = has_teacher ? load_teacher_for(paths.teacher, model) : Model();
  const Dataset data = load_data_for_model(paths.data, args.get("--labels"), model, paths.model);
  const Split split = split_indices(data.size(), val_split, settings.seed);
  Dataset test;
  if (!test_path.empty()) test = load_data_for_model(test_path, "", model, paths.model);

  // The same samples measure the model before and after.
  Measured measured;
  auto measure = [&](Model& m) {
    Model* t = has_teacher ? &teacher : nullptr;
    if (!test_path.empty()) return evaluate(m, test, {}, t);
    return evaluate(m, data, split.val.empty() ? split.train : split.val, t);
  };
  measured.set = !test_path.empty() ? "test" : split.val.empty() ? "training" : "validation";
  measured.path = !test_path.empty() ? test_path : paths.data;
  measured.before = measure(model);

  const Tensor teacher_logits = has_teacher ? timed_teacher_logits(teacher, data) : Tensor();
  char accuracy[32];
  std::snprintf(accuracy, sizeof accuracy, "%.4f", measured.before.accuracy);
  note("prune: " + std::string(prune_method_name(settings.method)) + " to sparsity " + args.get("--sparsity") + ", " +
       prune_schedule_name(settings.schedule) +
       (settings.finetune_epochs ? ", " + std::to_string(settings.finetune_epochs) + " fine-tuning epoch(s)" : "") +
       "; accuracy before " + accuracy + " on the " + measured.set + " set");

  bool stopped = false;
  Model pruned = prune_with_progress(model, data, split, settings, has_teacher ? &teacher_logits : nullptr, stopped);
  measured.after = measure(pruned);
  const PruneReport report = build_prune_report(model, pruned);
  record_provenance(pruned, args, paths, measured, report, stopped);
  save_and_report(pruned, args, report, measured, settings, paths.out, has_teacher);
  return 0;
}

}  // namespace distillery
