// TrainingRun: the shared training loop.
//   - names and validation of the settings
//   - State: everything a run carries between step() calls
//   - step(): one batch: draw (augmented), the teacher's outputs, forward,
//     loss, backward, optimiser step
//   - finish_epoch(): validation and the epoch report
//   - helpers: compute_logits, split_indices
#include "engine/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/losses/losses.h"
#include "engine/metrics/metrics.h"
#include "engine/train/checkpoint.h"

namespace distillery {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Copies the rows of `all` named by indices into out ([count, C]).
void gather_rows(const Tensor& all, const int* indices, int count, Tensor& out) {
  const int64_t c = all.row_size();
  out.resize(Shape{count, static_cast<int>(c)});
  for (int i = 0; i < count; ++i)
    std::copy(all.data() + indices[i] * c, all.data() + (indices[i] + 1) * c, out.data() + i * c);
}

// Argmax row by row (as predicted_classes, without its vector: steps must not
// allocate), over the labelled samples; *labelled counts them.
float batch_accuracy(const Tensor& logits, const std::vector<int>& labels, int* labelled = nullptr) {
  const int64_t c = logits.row_size();
  int correct = 0, counted = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == Dataset::kUnlabeled) continue;
    const float* row = logits.data() + static_cast<int64_t>(i) * c;
    correct += static_cast<int>(std::max_element(row, row + c) - row) == labels[i];
    ++counted;
  }
  if (labelled) *labelled = counted;
  return counted == 0 ? 0.0f : static_cast<float>(correct) / static_cast<float>(counted);
}

// The class a training sample counts as for the batch accuracy: its label, or
// of a mixed image the label with the larger share.
void main_classes(const BatchTargets& t, std::vector<int>& out) {
  out.resize(t.label.size());
  for (size_t i = 0; i < t.label.size(); ++i) out[i] = t.mixed && t.weight[i] < 0.5f ? t.partner[i] : t.label[i];
}

// The cached logits of a mixed batch: each row mixed with its partner's by
// the image weights (the teacher never saw the mixed image; consistent mode
// does not need this guess).
void mix_rows(const BatchTargets& targets, Tensor& rows, Tensor& scratch) {
  scratch.resize(rows.shape());
  std::copy(rows.data(), rows.data() + rows.size(), scratch.data());
  const int64_t c = rows.row_size();
  for (int i = 0; i < rows.rows(); ++i) {
    const float w = targets.weight[size_t(i)];
    const float* own = scratch.data() + i * c;
    const float* other = scratch.data() + targets.partner_position[size_t(i)] * c;
    for (int64_t j = 0; j < c; ++j) rows[i * c + j] = w * own[j] + (1.0f - w) * other[j];
  }
}

// x_teacher = pixel mapped with the teacher's preprocessing, from x_student.
void remap_preprocessing(const Tensor& in, const Preprocessing& from, const Preprocessing& to, Tensor& out) {
  out.resize(in.shape());
  for (int64_t i = 0; i < in.size(); ++i) {
    const float pixel = (in[i] * from.std + from.mean) / from.scale;
    out[i] = (pixel * to.scale - to.mean) / to.std;
  }
}

bool same_preprocessing(const Preprocessing& a, const Preprocessing& b) {
  return a.scale == b.scale && a.mean == b.mean && a.std == b.std;
}

}  // namespace

const NameTable<TeacherMode>& teacher_mode_names() {
  static const NameTable<TeacherMode> table(
      "teacher mode", {{TeacherMode::kConsistent, "consistent"}, {TeacherMode::kCached, "cached"}});
  return table;
}

void validate_train_config(const TrainConfig& c) {
  require(c.epochs >= 1 && c.epochs <= kMaxEpochs, "epochs must be between 1 and " + std::to_string(kMaxEpochs));
  require(c.batch_size >= 1 && c.batch_size <= kMaxBatchSize,
          "batch size must be between 1 and " + std::to_string(kMaxBatchSize) + ", got " +
              std::to_string(c.batch_size));
  require(std::isfinite(c.learning_rate) && c.learning_rate > 0 && c.learning_rate <= kMaxLearningRate,
          "learning rate must be positive and at most 10");
  require(c.warmup_epochs >= 0 && c.warmup_epochs <= c.epochs,
          "warm-up must be 0 to " + std::to_string(c.epochs) + " epochs, got " + std::to_string(c.warmup_epochs));
  require(std::isfinite(c.temperature) && c.temperature > 0 && c.temperature <= kMaxTemperature,
          "temperature must be above 0 and at most 100");
  require(c.alpha >= 0 && c.alpha <= 1, "alpha must be between 0 and 1");
  require(std::isfinite(c.dkd_target_weight) && c.dkd_target_weight >= 0 && std::isfinite(c.dkd_nontarget_weight) &&
              c.dkd_nontarget_weight >= 0,
          "the dkd weights must be 0 or more");
  validate_augment_spec(c.augment);
}

struct TrainingRun::State {
  Model& model;
  const Dataset& data;
  std::vector<int> train;
  std::vector<int> val;
  TrainConfig config;
  TeacherSignal teacher;
  TrainCallbacks callbacks;
  Tensor own_teacher_logits;  // cached mode given only the teacher model
  BatchAugmenter augmenter;

  std::unique_ptr<Optimizer> optimizer;
  Rng shuffle_rng;
  int batches_per_epoch = 0;
  int64_t total_steps = 0;
  int64_t step = 0;
  int epoch = 0;
  int batch_in_epoch = 0;
  bool done = false;

  // Per-epoch running sums.
  double loss_sum = 0, correct_sum = 0;
  int64_t seen = 0, labelled_seen = 0;
  Clock::time_point epoch_start;

  // Workspaces reused across steps: no allocation once warm.
  Tensor inputs, teacher_inputs, teacher_batch, mix_scratch, grad;
  std::vector<int> labels;
  BatchTargets targets;
  std::vector<EpochReport> history;

  State(Model& m, const Dataset& d, std::vector<int> tr, std::vector<int> va, TrainConfig c, TeacherSignal t,
        TrainCallbacks cb)
      : model(m), data(d), train(std::move(tr)), val(std::move(va)), config(std::move(c)), teacher(t),
        callbacks(std::move(cb)), augmenter(config.augment, augment_seed(config)), shuffle_rng(config.seed) {}

  const Tensor& cached_logits() const { return teacher.logits ? *teacher.logits : own_teacher_logits; }
};

TrainingRun::TrainingRun(Model& model, const Dataset& data, std::vector<int> train_indices,
                         std::vector<int> val_indices, TrainConfig config, TeacherSignal teacher,
                         TrainCallbacks callbacks)
    : state_(std::make_unique<State>(model, data, std::move(train_indices), std::move(val_indices),
                                     std::move(config), teacher, std::move(callbacks))) {
  State& s = *state_;
  const TrainConfig& c = s.config;
  validate_train_config(c);
  require(!s.train.empty(), "there are no training samples");
  const bool distils = loss_needs_teacher(c.loss);
  require(!distils || s.teacher.present(), std::string("the '") + loss_name(c.loss) + "' loss needs a teacher");
  require(!distils || c.teacher_mode == TeacherMode::kCached || s.teacher.model,
          "consistent teacher mode needs the teacher model, not only its logits");
  for (int i : s.val)
    require(data.labels[size_t(i)] != Dataset::kUnlabeled, "unlabeled images cannot be validation samples");
  if (!distils)
    for (int i : s.train)
      require(data.labels[size_t(i)] != Dataset::kUnlabeled,
              "unlabeled images need a teacher: only distillation can learn from them");
  require(data.sample_shape() == model.input_shape(),
          "the data's images are " + data.sample_shape().str() + " but the model expects " + model.input_shape().str());
  require(data.num_classes() == model.num_outputs(), "the data has " + std::to_string(data.num_classes()) +
                                                         " classes but the model outputs " +
                                                         std::to_string(model.num_outputs()));
  if (distils && s.teacher.model) {
    require(s.teacher.model->input_shape() == data.sample_shape(),
            "the teacher expects images " + s.teacher.model->input_shape().str() + " but the data has " +
                data.sample_shape().str());
    require(s.teacher.model->num_outputs() == model.num_outputs(), "the teacher has " +
                                                                      std::to_string(s.teacher.model->num_outputs()) +
                                                                      " classes but the student has " +
                                                                      std::to_string(model.num_outputs()));
  }
  if (distils && c.teacher_mode == TeacherMode::kCached && !s.teacher.logits)
    s.own_teacher_logits = compute_logits(*s.teacher.model, data);
  if (distils && c.teacher_mode == TeacherMode::kCached)
    require(s.cached_logits().rows() == data.size() && s.cached_logits().row_size() == model.num_outputs(),
            "the teacher's outputs do not match the data (different number of classes?)");
  // Epoch reports are appended at epoch ends: room for them up front keeps those steps
  // allocation-free too (capped: a run of 100000 epochs grows as it goes).
  s.history.reserve(static_cast<size_t>(std::min(c.epochs, 10000)));
  s.optimizer = make_optimizer(c.optimizer);
  s.batches_per_epoch = static_cast<int>((s.train.size() + c.batch_size - 1) / c.batch_size);
  s.total_steps = static_cast<int64_t>(s.batches_per_epoch) * c.epochs;
  s.shuffle_rng.shuffle(s.train);
  s.model.seed_dropout(c.seed + 1);
  s.epoch_start = Clock::now();
}

TrainingRun::~TrainingRun() = default;

bool TrainingRun::step() {
  State& s = *state_;
  if (s.done) return false;
  const TrainConfig& c = s.config;
  const int begin = s.batch_in_epoch * c.batch_size;
  const int count = std::min<int>(c.batch_size, static_cast<int>(s.train.size()) - begin);
  const int* indices = s.train.data() + begin;

  if (c.augment.any()) {
    s.augmenter.draw(s.data, indices, count, s.model.preprocessing, s.step, s.inputs, s.targets);
  } else {
    gather_batch(s.data, indices, count, s.model.preprocessing, s.inputs);
    s.targets.assign_labels(s.data, indices, count);
  }
  if (loss_needs_teacher(c.loss)) teacher_outputs(indices, count);
  if (s.callbacks.before_forward) s.callbacks.before_forward(s.step, s.model);
  const Tensor& logits = s.model.forward(s.inputs, true);
  const BatchTargets& t = s.targets;
  const HardLabels hard = t.mixed ? HardLabels(t.label.data(), t.partner.data(), t.weight.data())
                                  : HardLabels(t.label.data());
  float loss = 0;
  switch (c.loss) {
    case LossKind::kCrossEntropy: loss = cross_entropy_loss(logits, hard, &s.grad); break;
    case LossKind::kHinton:
      loss = distillation_loss(logits, s.teacher_batch, hard, c.temperature, c.alpha, &s.grad);
      break;
    case LossKind::kDecoupled:
      loss = decoupled_distillation_loss(logits, s.teacher_batch, hard, c.temperature, c.alpha, c.dkd_target_weight,
                                         c.dkd_nontarget_weight, &s.grad);
      break;
    case LossKind::kLogitMse: loss = logit_mse_loss(logits, s.teacher_batch, &s.grad); break;
  }
  int labelled = 0;
  main_classes(t, s.labels);
  const float accuracy = batch_accuracy(logits, s.labels, &labelled);
  s.model.params().zero_grads();
  s.model.backward(s.grad);
  if (s.callbacks.before_step) s.callbacks.before_step(s.step, s.model);
  const float lr = scheduled_learning_rate(c.lr_schedule, c.learning_rate, s.step, s.total_steps,
                                           static_cast<int64_t>(c.warmup_epochs) * s.batches_per_epoch);
  s.optimizer->step(s.model.params(), lr);
  ++s.step;

  s.loss_sum += static_cast<double>(loss) * count;
  s.correct_sum += static_cast<double>(accuracy) * labelled;
  s.labelled_seen += labelled;
  s.seen += count;
  if (s.callbacks.on_batch) {
    BatchReport r;
    r.epoch = s.epoch;
    r.batch = s.batch_in_epoch;
    r.batches_per_epoch = s.batches_per_epoch;
    r.step = s.step;
    r.total_steps = s.total_steps;
    r.loss = loss;
    r.accuracy = accuracy;
    r.learning_rate = lr;
    r.samples_per_second = s.seen / std::max(1e-9, seconds_since(s.epoch_start));
    s.callbacks.on_batch(r);
  }
  if (++s.batch_in_epoch == s.batches_per_epoch) finish_epoch();
  return !s.done;
}

void TrainingRun::teacher_outputs(const int* indices, int count) {
  State& s = *state_;
  if (s.config.teacher_mode == TeacherMode::kCached) {
    gather_rows(s.cached_logits(), indices, count, s.teacher_batch);
    if (s.targets.mixed) mix_rows(s.targets, s.teacher_batch, s.mix_scratch);
    return;
  }
  Model& teacher = *s.teacher.model;
  const Tensor* input = &s.inputs;
  if (!same_preprocessing(teacher.preprocessing, s.model.preprocessing)) {
    remap_preprocessing(s.inputs, s.model.preprocessing, teacher.preprocessing, s.teacher_inputs);
    input = &s.teacher_inputs;
  }
  const Tensor& out = teacher.forward(*input, false);
  s.teacher_batch.resize(out.shape());
  std::copy(out.data(), out.data() + out.size(), s.teacher_batch.data());
}

void TrainingRun::finish_epoch() {
  State& s = *state_;
  EpochReport r;
  r.epoch = s.epoch;
  r.epochs = s.config.epochs;
  r.seconds = seconds_since(s.epoch_start);
  r.train_loss = static_cast<float>(s.loss_sum / s.seen);
  r.train_accuracy = s.labelled_seen ? static_cast<float>(s.correct_sum / s.labelled_seen) : 0.0f;
  r.samples_per_second = s.seen / std::max(1e-9, r.seconds);
  r.val_loss = r.val_accuracy = std::numeric_limits<float>::quiet_NaN();
  if (!s.val.empty()) {
    const ValidationResult v = validate();
    r.val_loss = v.loss;
    r.val_accuracy = v.accuracy;
  }
  s.history.push_back(r);
  if (s.callbacks.on_epoch) s.callbacks.on_epoch(r);

  s.loss_sum = s.correct_sum = 0;
  s.seen = s.labelled_seen = 0;
  s.batch_in_epoch = 0;
  ++s.epoch;
  if (s.epoch == s.config.epochs) {
    s.done = true;
  } else {
    s.shuffle_rng.shuffle(s.train);
    s.epoch_start = Clock::now();
  }
}

TrainingRun::ValidationResult TrainingRun::validate() {
  State& s = *state_;
  const int chunk = 256;
  double loss_sum = 0, correct = 0;
  for (size_t begin = 0; begin < s.val.size(); begin += chunk) {
    const int count = static_cast<int>(std::min<size_t>(chunk, s.val.size() - begin));
    const int* indices = s.val.data() + begin;
    gather_batch(s.data, indices, count, s.model.preprocessing, s.inputs);
    gather_labels(s.data, indices, count, s.labels);
    const Tensor& logits = s.model.forward(s.inputs, false);
    loss_sum += static_cast<double>(cross_entropy_loss(logits, s.labels.data(), nullptr)) * count;
    correct += static_cast<double>(batch_accuracy(logits, s.labels)) * count;
  }
  const double n = static_cast<double>(s.val.size());
  return {static_cast<float>(loss_sum / n), static_cast<float>(correct / n)};
}

void TrainingRun::run(TrainControl* control, const std::function<void()>& after_step) {
  while (!finished()) {
    if (control && control->stop.load()) return;
    if (control && control->pause.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    step();
    if (after_step) after_step();
  }
}

bool TrainingRun::finished() const { return state_->done; }
int64_t TrainingRun::steps_done() const { return state_->step; }
int64_t TrainingRun::total_steps() const { return state_->total_steps; }
int TrainingRun::current_epoch() const { return state_->epoch; }
const std::vector<EpochReport>& TrainingRun::history() const { return state_->history; }
Optimizer& TrainingRun::optimizer() { return *state_->optimizer; }

TrainingCheckpoint TrainingRun::checkpoint() const {
  const State& s = *state_;
  require(s.batch_in_epoch == 0, "a training checkpoint is taken between epochs");
  TrainingCheckpoint c;
  c.epochs_done = s.epoch;
  c.steps = s.step;
  c.optimizer_steps = s.optimizer->steps();
  for (const std::vector<float>* buffer : s.optimizer->state()) c.optimizer_state.push_back(*buffer);
  c.weights = s.model.params().values;
  c.masks = s.model.params().masks;
  c.train_order = s.train;
  c.shuffle_rng = s.shuffle_rng.state();
  c.dropout_rng = s.model.dropout_rng().state();
  c.history = s.history;
  return c;
}

void TrainingRun::restore(const TrainingCheckpoint& c) {
  State& s = *state_;
  require(s.step == 0 && s.batch_in_epoch == 0, "a training checkpoint is restored before the first step");
  ParamStore& params = s.model.params();
  require(c.weights.size() == params.values.size() && c.masks.size() == params.masks.size(),
          "the checkpoint holds " + std::to_string(c.weights.size()) + " weights but the model has " +
              std::to_string(params.values.size()));
  require(c.epochs_done >= 0 && c.epochs_done <= s.config.epochs &&
              c.steps == static_cast<int64_t>(c.epochs_done) * s.batches_per_epoch &&
              static_cast<int>(c.history.size()) == c.epochs_done,
          "the checkpoint's epochs and steps do not fit this run's settings");
  std::vector<int> mine = s.train, theirs = c.train_order;
  std::sort(mine.begin(), mine.end());
  std::sort(theirs.begin(), theirs.end());
  require(mine == theirs, "the checkpoint's training samples are not this run's");
  std::vector<std::vector<float>*> buffers = s.optimizer->state();
  require(c.optimizer_state.size() == buffers.size(), "the checkpoint's optimizer state is of another optimizer");
  for (size_t i = 0; i < buffers.size(); ++i) {
    require(c.optimizer_state[i].empty() || c.optimizer_state[i].size() == params.values.size(),
            "the checkpoint's optimizer state does not fit the model");
    *buffers[i] = c.optimizer_state[i];
  }
  s.optimizer->set_steps(c.optimizer_steps);
  params.values = c.weights;
  params.masks = c.masks;
  s.train = c.train_order;
  s.shuffle_rng.set_state(c.shuffle_rng);
  s.model.dropout_rng().set_state(c.dropout_rng);
  s.history = c.history;
  s.step = c.steps;
  s.epoch = c.epochs_done;
  s.done = s.epoch == s.config.epochs;
  s.epoch_start = Clock::now();
}

Tensor compute_logits(Model& model, const Dataset& data, int chunk) {
  Tensor logits(Shape{data.size(), model.num_outputs()});
  Tensor inputs;
  std::vector<int> indices;
  for (int begin = 0; begin < data.size(); begin += chunk) {
    const int count = std::min(chunk, data.size() - begin);
    indices.resize(count);
    for (int i = 0; i < count; ++i) indices[i] = begin + i;
    gather_batch(data, indices.data(), count, model.preprocessing, inputs);
    const Tensor& out = model.forward(inputs, false);
    std::copy(out.data(), out.data() + out.size(), logits.data() + static_cast<int64_t>(begin) * model.num_outputs());
  }
  return logits;
}

std::vector<int> all_indices(int n) {
  std::vector<int> out(n);
  for (int i = 0; i < n; ++i) out[i] = i;
  return out;
}

Split split_indices(int n, float val_fraction, uint64_t seed) {
  require(val_fraction >= 0 && val_fraction < 1, "validation split must be in [0, 1), got " + std::to_string(val_fraction));
  std::vector<int> order = all_indices(n);
  Rng rng(seed ^ 0x5EED5EEDull);
  rng.shuffle(order);
  const int val_count = static_cast<int>(std::lround(val_fraction * n));
  Split split;
  split.val.assign(order.begin(), order.begin() + val_count);
  split.train.assign(order.begin() + val_count, order.end());
  return split;
}

}  // namespace distillery
