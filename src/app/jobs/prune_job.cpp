// PruneJob: see prune_job.h. Sections: construction, the step machine,
// the threaded run, rounds and fine-tuning, resume points, apply.
#include "app/jobs/prune_job.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "app/options_json.h"
#include "engine/core/error.h"
#include "engine/io/model_json.h"
#include "engine/metrics/metrics.h"
#include "engine/prune/masks.h"
#include "engine/prune/structured.h"
#include "engine/prune/unstructured.h"

namespace distillery {

// --- construction ---------------------------------------------------------------------

PruneJob::PruneJob(const PruneOptions& options, std::unique_ptr<Model> source, std::unique_ptr<Model> teacher,
                   std::shared_ptr<const Dataset> data, DataSplit split, StudentRecipe recipe, std::string source_role,
                   std::shared_ptr<const ResumePoint> resume_from)
    : settings_(to_prune_settings(options)), options_json_(prune_options_to_json(options)), source_(std::move(source)),
      teacher_(std::move(teacher)),
      data_(std::move(data)), split_(std::move(split)), recipe_(std::move(recipe)),
      source_role_(std::move(source_role)) {
  validate_prune_settings(settings_);
  require(has_prunable(source_->params()), "the " + source_role_ + " has nothing to prune (no dense or conv kernels)");
  if (!teacher_) settings_.train.loss = LossKind::kCrossEntropy;
  model_ = std::make_unique<Model>(source_->clone());
  rounds_ = settings_.schedule == PruneSchedule::kIterative ? settings_.rounds : 1;
  const bool finetunes = settings_.finetune_epochs > 0;
  const int64_t batches =
      (static_cast<int64_t>(split_.train.size()) + settings_.train.batch_size - 1) / settings_.train.batch_size;
  total_steps_ = finetunes ? batches * settings_.finetune_epochs * rounds_ : 0;
  if (settings_.schedule == PruneSchedule::kPolynomial) {
    const int64_t total = batches * settings_.finetune_epochs;
    decay_.initial_sparsity = static_cast<float>(global_sparsity(model_->params()));
    decay_.final_sparsity = std::max(decay_.initial_sparsity, settings_.sparsity);
    decay_.begin_step = 0;
    decay_.end_step =
        std::max<int64_t>(1, std::min<int64_t>(total - 1, std::llround(settings_.ramp_fraction * total)));
    decay_.frequency = std::max<int64_t>(1, decay_.end_step / 50);
    decay_.validate();
  }
  const bool needs_logits = finetunes && settings_.train.loss == LossKind::kHinton;
  if (needs_logits) teacher_logits_ = std::make_unique<TeacherLogits>(*teacher_, *data_);
  update_progress([&](JobProgress& p) {
    p.title = title();
    p.phase = needs_logits ? "caching the teacher's logits" : "pruning";
    p.epochs = settings_.finetune_epochs * rounds_;
    p.curves.title = title();
    p.curves.kind = kind();
  });
  if (resume_from) {
    resume(*resume_from);
    resume_point_.set(resume_from);  // a snapshot taken before the next epoch still holds it
    resumed_from_ = std::move(resume_from);
  }
  phase_ = needs_logits ? Phase::kTeacherLogits : after_logits_;
}

PruneJob::~PruneJob() = default;

// --- the step machine -------------------------------------------------------------------

bool PruneJob::step() {
  if (stop_requested() && phase_ != Phase::kFinalize && phase_ != Phase::kEvaluate && phase_ != Phase::kDone) {
    if (run_) end_finetune();
    phase_ = pruned_ || settings_.schedule == PruneSchedule::kPolynomial ? Phase::kFinalize : Phase::kDone;
    if (phase_ == Phase::kFinalize && settings_.schedule == PruneSchedule::kPolynomial) pruned_ = true;
  }
  switch (phase_) {
    case Phase::kTeacherLogits:
      step_teacher_logits();
      return true;
    case Phase::kPrune:
      prune_round();
      return true;
    case Phase::kFinetune:
      if (!run_) start_finetune();
      if (!run_->step()) end_finetune();
      else keep_resume_point();
      return true;
    case Phase::kFinalize:
      if (settings_.schedule == PruneSchedule::kPolynomial)
        prune_unstructured(*model_, settings_.method, decay_.final_sparsity, settings_.seed);
      phase_ = Phase::kEvaluate;
      return true;
    case Phase::kEvaluate:
      update_progress([](JobProgress& p) { p.phase = "evaluating on the test split"; p.eta_seconds = -1; });
      if (!split_.test.empty()) report_ = evaluate(*model_, *data_, split_.test, teacher_.get());
      update_progress([](JobProgress& p) { p.fraction = 1.0; });
      phase_ = Phase::kDone;
      return false;
    case Phase::kDone:
      return false;
  }
  return false;
}

void PruneJob::run(TrainControl& control) {
  while (phase_ != Phase::kDone) {
    while (control.pause && !control.stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (phase_ == Phase::kFinetune && !control.stop) {
      // The engine's loop, with a resume point kept after each epoch.
      start_finetune();
      run_->run(&control, [this] { keep_resume_point(); });
      end_finetune();
      continue;
    }
    step();
  }
}

// --- rounds and fine-tuning ---------------------------------------------------------------

void PruneJob::step_teacher_logits() {
  teacher_logits_->step();
  if (teacher_logits_->done()) phase_ = after_logits_;
}

double PruneJob::sparsity_now() const {
  if (settings_.method == PruneMethod::kStructured)
    return 1.0 - static_cast<double>(model_->parameter_count()) / static_cast<double>(source_->parameter_count());
  return global_sparsity(model_->params());
}

void PruneJob::prune_round() {
  if (settings_.schedule != PruneSchedule::kPolynomial) {
    const float target = rounds_ == 1 ? settings_.sparsity : iterative_sparsity(settings_.sparsity, round_, rounds_);
    if (settings_.method == PruneMethod::kStructured) {
      // Keep counts come from the source's widths, so rounds compound exactly.
      *model_ = shrink_model(*model_,
                             plan_structured(*model_, structured_keep_counts(*source_, target), settings_.criterion));
    } else {
      prune_unstructured(*model_, settings_.method, target, settings_.seed + static_cast<uint64_t>(round_));
    }
    pruned_ = true;
  }
  const double now = sparsity_now();
  update_progress([&](JobProgress& p) {
    p.phase = "round " + std::to_string(round_) + "/" + std::to_string(rounds_) + ": " +
              std::to_string(static_cast<int>(std::lround(now * 100))) + "% pruned";
  });
  phase_ = settings_.finetune_epochs > 0 ? Phase::kFinetune : Phase::kFinalize;
  if (phase_ == Phase::kFinalize && round_ < rounds_) {
    ++round_;
    phase_ = Phase::kPrune;
  }
}

void PruneJob::start_finetune() {
  if (run_) return;
  TrainConfig config = settings_.train;
  config.epochs = settings_.finetune_epochs;
  TrainCallbacks callbacks;
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = checkpoint_to_restore_ ? checkpoint_to_restore_->steps : 0;
  callbacks.on_batch = [this, started, first_step](const BatchReport& r) {
    const int64_t done = steps_before_round_ + r.step;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double per_step = elapsed / static_cast<double>(std::max<int64_t>(1, r.step - first_step));
    update_progress([&](JobProgress& p) {
      p.epoch = epochs_before_round_ + r.epoch + 1;
      p.loss = r.loss;
      p.accuracy = r.accuracy;
      p.samples_per_second = r.samples_per_second;
      p.fraction = 0.95 * static_cast<double>(done) / static_cast<double>(std::max<int64_t>(1, total_steps_));
      p.eta_seconds = per_step * static_cast<double>(total_steps_ - done);
      p.curves.batch_epoch.push_back(static_cast<float>(epochs_before_round_ + r.epoch) +
                                     static_cast<float>(r.batch + 1) / static_cast<float>(r.batches_per_epoch));
      p.curves.batch_loss.push_back(r.loss);
      p.curves.batch_accuracy.push_back(r.accuracy);
    });
  };
  callbacks.on_epoch = [this](const EpochReport& r) {
    EpochReport shifted = r;
    shifted.epoch += epochs_before_round_;
    update_progress([&](JobProgress& p) { p.curves.epochs.push_back(shifted); });
  };
  if (settings_.schedule == PruneSchedule::kPolynomial) {
    callbacks.before_step = [this](int64_t step, Model& m) {
      if (!decay_.prunes_at(step)) return;
      prune_unstructured(m, settings_.method, decay_.sparsity_at(step), settings_.seed + static_cast<uint64_t>(step));
      pruned_ = true;
      const double now = global_sparsity(m.params());
      update_progress([&](JobProgress& p) {
        p.phase = "gradual pruning while fine-tuning: " + std::to_string(static_cast<int>(std::lround(now * 100))) +
                  "% pruned";
      });
    };
  }
  run_ = std::make_unique<TrainingRun>(*model_, *data_, split_.train, split_.val, config,
                                       teacher_logits_ ? &teacher_logits_->logits() : nullptr, std::move(callbacks));
  if (checkpoint_to_restore_) {
    run_->restore(*checkpoint_to_restore_);  // a resumed job: this round's run as it was saved
    checkpoint_to_restore_.reset();
  }
}

void PruneJob::end_finetune() {
  steps_before_round_ += run_->steps_done();
  epochs_before_round_ += static_cast<int>(run_->history().size());
  run_.reset();
  weights_changed(*model_);
  if (round_ < rounds_ && !stop_requested()) {
    ++round_;
    phase_ = Phase::kPrune;
    keep_resume_point();
  } else {
    phase_ = Phase::kFinalize;
  }
}

// --- resume points -------------------------------------------------------------------

// The job's state as a resume point: mid-round after a fine-tuning epoch (with
// the engine's checkpoint), or between rounds (the next round prunes first).
void PruneJob::keep_resume_point() {
  const bool between_rounds = phase_ == Phase::kPrune;
  if (!between_rounds && (!run_ || run_->finished() || run_->current_epoch() == 0)) return;
  const int epochs_done = epochs_before_round_ + (between_rounds ? 0 : run_->current_epoch());
  if (epochs_done == resume_point_epoch_) return;
  resume_point_epoch_ = epochs_done;
  auto point = std::make_shared<ResumePoint>();
  point->kind = JobKind::kPrune;
  point->options = options_json_;
  point->epochs_done = epochs_done;
  point->epochs_total = settings_.finetune_epochs * rounds_;
  if (!between_rounds) point->checkpoint = run_->checkpoint();
  point->job_state = {{"source", source_role_},
                      {"phase", saved_phase_names().name(between_rounds ? Phase::kPrune : Phase::kFinetune)},
                      {"round", round_},
                      {"pruned", pruned_},
                      {"steps_before_round", steps_before_round_},
                      {"epochs_before_round", epochs_before_round_},
                      {"model", save_model_json(*model_, {WeightsEncoding::kBase64, -1})}};
  point->curves = progress().curves;
  resume_point_.set(std::move(point));
}

// Takes the saved round, counters and pruned model; the next fine-tuning run
// restores the saved checkpoint. Throws Error naming what does not fit.
void PruneJob::resume(const ResumePoint& point) {
  const nlohmann::json& state = point.job_state;
  std::unique_ptr<Model> model;
  std::string phase;
  try {
    require(state.at("source").get<std::string>() == source_role_,
            "the saved pruning run pruned the " + state.at("source").get<std::string>() + ", but now the " +
                source_role_ + " would be pruned");
    phase = state.at("phase").get<std::string>();
    round_ = state.at("round").get<int>();
    pruned_ = state.at("pruned").get<bool>();
    steps_before_round_ = state.at("steps_before_round").get<int64_t>();
    epochs_before_round_ = state.at("epochs_before_round").get<int>();
    model = std::make_unique<Model>(load_model_json(state.at("model").get<std::string>()));
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("the saved pruning run is broken: ") + e.what());
  }
  require(saved_phase_names().contains(phase) &&
              (saved_phase_names().parse(phase) == Phase::kFinetune) == point.checkpoint.has_value(),
          "the saved pruning run is broken (phase '" + phase + "')");
  require(round_ >= 1 && round_ <= rounds_ && steps_before_round_ >= 0 && epochs_before_round_ >= 0,
          "the saved pruning run is broken (round " + std::to_string(round_) + " of " + std::to_string(rounds_) + ")");
  const std::string why = model_data_mismatch(*model, *data_, "saved pruned model");
  require(why.empty(), "the saved pruning run does not fit the dataset: " + why);
  model_ = std::move(model);
  after_logits_ = saved_phase_names().parse(phase);
  checkpoint_to_restore_ = point.checkpoint;
  resume_point_epoch_ = point.epochs_done;
  const TrainingCurves curves = point.curves;
  update_progress([&](JobProgress& p) {
    p.curves = curves;
    p.curves.title = title();
    p.curves.kind = kind();
    p.epoch = point.epochs_done;
  });
}

// --- apply ------------------------------------------------------------------------------

nlohmann::json PruneJob::apply(Session& session, bool stopped) {
  require(pruned_, "stopped before anything was pruned; nothing was changed");
  nlohmann::json record = settings_.to_json();
  record["source"] = source_role_ + " (" + source_->name + ")";
  record["source_params"] = source_->parameter_count();
  record["params"] = model_->parameter_count();
  record["nonzero_params"] = model_->nonzero_parameter_count();
  if (stopped) record["stopped_early"] = true;
  if (resumed_from_) record["resumed_from_epoch"] = resumed_from_->epochs_done;
  if (!model_->provenance.is_object()) model_->provenance = nlohmann::json::object();
  if (model_->provenance.contains("pruning")) record["previous"] = model_->provenance["pruning"];
  if (report_) record["test_accuracy"] = report_->accuracy;
  model_->provenance["pruning"] = record;
  model_->name = "student";

  const double sparsity = sparsity_now();
  recipe_.sparsity = static_cast<float>(sparsity);
  nlohmann::json result = {{"stopped", stopped},
                           {"sparsity", sparsity},
                           {"params", model_->parameter_count()},
                           {"nonzero_params", model_->nonzero_parameter_count()},
                           {"source_params", source_->parameter_count()}};
  if (resumed_from_) result["resumed_from_epoch"] = resumed_from_->epochs_done;
  if (report_) result["accuracy"] = report_->accuracy;
  if (report_ && report_->agreement >= 0) result["agreement"] = report_->agreement;
  JobProgress p = progress();
  if (!p.curves.batch_loss.empty()) session.curves = p.curves;
  session.set_student(std::shared_ptr<Model>(std::move(model_)), recipe_);
  session.student_eval = report_;
  return result;
}

}  // namespace distillery
