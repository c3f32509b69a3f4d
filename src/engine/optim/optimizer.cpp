#include "engine/optim/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/core/error.h"
#include "engine/kernels/thread_pool.h"

namespace distillery {
namespace {

// Calls update(begin, end) on the ranges of trainable parameters; state such
// as batch-norm moving statistics (ParamSpec::trainable = false) is left
// alone. The flat buffer is split over the thread pool: every element's update
// is independent, so the result is the same bits on any number of threads.
template <typename Update>
void for_each_trainable_range(const ParamStore& p, Update&& update) {
  constexpr int64_t kGrain = 8192;
  parallel_for(0, p.size(), kGrain, [&](int64_t begin, int64_t end) {
    for (const ParamRef& ref : p.refs) {
      const int64_t first = std::max(begin, ref.offset), last = std::min(end, ref.offset + ref.size());
      if (ref.spec.trainable && first < last) update(static_cast<size_t>(first), static_cast<size_t>(last));
    }
  });
}

// A moment whose gradient has gone to zero (a dead ReLU unit) decays
// geometrically into the subnormal range, where every multiply takes a
// microcode assist on x86: WebAssembly cannot set flush-to-zero, and training
// an MLP in the browser slowed 3 to 6 times once a third of Adam's first
// moments were subnormal. Such a moment is worth nothing next to epsilon, so
// it is stored as zero (a select, which vectorises).
inline float flush_subnormal(float x) { return std::fabs(x) < std::numeric_limits<float>::min() ? 0.0f : x; }

// The update loops below have no branch per weight: a pruned entry (mask 0)
// is selected to exactly zero, with its moments, so they vectorise.
class Sgd : public Optimizer {
 public:
  explicit Sgd(const OptimizerConfig& c) : config_(c) {}
  void step(ParamStore& p, float lr) override {
    velocity_.resize(p.values.size(), 0.0f);
    const float mu = config_.momentum, wd = config_.weight_decay;
    float* __restrict values = p.values.data();
    float* __restrict velocity = velocity_.data();
    const float* __restrict grads = p.grads.data();
    const float* __restrict masks = p.masks.data();
    for_each_trainable_range(p, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) {
        const bool kept = masks[i] != 0.0f;
        const float g = grads[i] + wd * values[i];
        const float vel = mu * velocity[i] + g;
        velocity[i] = kept ? flush_subnormal(vel) : 0.0f;
        values[i] = kept ? values[i] - lr * vel : 0.0f;
      }
    });
    ++steps_;
  }
  std::vector<std::vector<float>*> state() override { return {&velocity_}; }

 private:
  OptimizerConfig config_;
  std::vector<float> velocity_;
};

// Adam (Kingma & Ba) and AdamW (Loshchilov & Hutter: decay decoupled from the
// gradient, applied to the weight directly).
class Adam : public Optimizer {
 public:
  Adam(const OptimizerConfig& c, bool decoupled) : config_(c), decoupled_(decoupled) {}
  void step(ParamStore& p, float lr) override {
    m_.resize(p.values.size(), 0.0f);
    v_.resize(p.values.size(), 0.0f);
    ++steps_;
    const float b1 = config_.beta1, b2 = config_.beta2, eps = config_.epsilon, wd = config_.weight_decay;
    const float correction1 = 1.0f - std::pow(b1, static_cast<float>(steps_));
    const float correction2 = 1.0f - std::pow(b2, static_cast<float>(steps_));
    const float step_size = lr * std::sqrt(correction2) / correction1;
    // L2 on the gradient (adam) or decay of the weight (adamw); the other is 0.
    const float l2 = decoupled_ ? 0.0f : wd, decay = decoupled_ ? lr * wd : 0.0f;
    float* __restrict values = p.values.data();
    float* __restrict m = m_.data();
    float* __restrict v = v_.data();
    const float* __restrict grads = p.grads.data();
    const float* __restrict masks = p.masks.data();
    for_each_trainable_range(p, [&](size_t begin, size_t end) {
      if (decoupled_) {
        for (size_t i = begin; i < end; ++i) {
          const bool kept = masks[i] != 0.0f;
          const float g = grads[i];
          const float mi = b1 * m[i] + (1.0f - b1) * g;
          const float vi = b2 * v[i] + (1.0f - b2) * g * g;
          // Keras/TF.js form: bias correction folded into the step size, eps on sqrt(v).
          const float stepped = values[i] - step_size * mi / (std::sqrt(vi) + eps);
          m[i] = kept ? flush_subnormal(mi) : 0.0f;
          v[i] = kept ? flush_subnormal(vi) : 0.0f;
          values[i] = kept ? stepped - decay * stepped : 0.0f;
        }
      } else {
        for (size_t i = begin; i < end; ++i) {
          const bool kept = masks[i] != 0.0f;
          const float g = grads[i] + l2 * values[i];
          const float mi = b1 * m[i] + (1.0f - b1) * g;
          const float vi = b2 * v[i] + (1.0f - b2) * g * g;
          const float stepped = values[i] - step_size * mi / (std::sqrt(vi) + eps);
          m[i] = kept ? flush_subnormal(mi) : 0.0f;
          v[i] = kept ? flush_subnormal(vi) : 0.0f;
          values[i] = kept ? stepped : 0.0f;
        }
      }
    });
  }
  std::vector<std::vector<float>*> state() override { return {&m_, &v_}; }

 private:
  OptimizerConfig config_;
  bool decoupled_;
  std::vector<float> m_, v_;
};

}  // namespace

const NameTable<OptimizerKind>& optimizer_names() {
  static const NameTable<OptimizerKind> table(
      "optimizer", {{OptimizerKind::kAdam, "adam"}, {OptimizerKind::kAdamW, "adamw"}, {OptimizerKind::kSgd, "sgd"}});
  return table;
}

const NameTable<LrSchedule>& lr_schedule_names() {
  static const NameTable<LrSchedule> table("learning-rate schedule",
                                           {{LrSchedule::kConstant, "constant"}, {LrSchedule::kCosine, "cosine"}});
  return table;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config) {
  switch (config.kind) {
    case OptimizerKind::kSgd: return std::make_unique<Sgd>(config);
    case OptimizerKind::kAdam: return std::make_unique<Adam>(config, false);
    case OptimizerKind::kAdamW: return std::make_unique<Adam>(config, true);
  }
  throw Error("unknown optimizer");
}

float scheduled_learning_rate(LrSchedule schedule, float base_rate, int64_t step, int64_t total_steps,
                              int64_t warmup_steps) {
  if (warmup_steps > 0 && step < warmup_steps)
    return base_rate * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  if (schedule == LrSchedule::kConstant) return base_rate;
  const int64_t span = std::max<int64_t>(1, total_steps - warmup_steps);
  const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(span));
  return static_cast<float>(base_rate * 0.5 * (1.0 + std::cos(3.14159265358979 * progress)));
}

}  // namespace distillery
