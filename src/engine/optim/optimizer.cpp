#include "engine/optim/optimizer.h"

#include <cmath>

#include "engine/core/error.h"

namespace distillery {
namespace {

// Calls step(i) for every value of a trainable parameter; state such as
// batch-norm moving statistics (ParamSpec::trainable = false) is left alone.
template <typename Step>
void for_each_trainable(const ParamStore& p, Step&& step) {
  for (const ParamRef& ref : p.refs) {
    if (!ref.spec.trainable) continue;
    const size_t end = static_cast<size_t>(ref.offset + ref.size());
    for (size_t i = static_cast<size_t>(ref.offset); i < end; ++i) step(i);
  }
}

class Sgd : public Optimizer {
 public:
  explicit Sgd(const OptimizerConfig& c) : config_(c) {}
  void step(ParamStore& p, float lr) override {
    velocity_.resize(p.values.size(), 0.0f);
    const float mu = config_.momentum, wd = config_.weight_decay;
    for_each_trainable(p, [&](size_t i) {
      if (p.masks[i] == 0.0f) {
        p.values[i] = velocity_[i] = 0.0f;
        return;
      }
      const float g = p.grads[i] + wd * p.values[i];
      velocity_[i] = mu * velocity_[i] + g;
      p.values[i] -= lr * velocity_[i];
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
    for_each_trainable(p, [&](size_t i) {
      if (p.masks[i] == 0.0f) {
        p.values[i] = m_[i] = v_[i] = 0.0f;
        return;
      }
      float g = p.grads[i];
      if (!decoupled_) g += wd * p.values[i];
      m_[i] = b1 * m_[i] + (1.0f - b1) * g;
      v_[i] = b2 * v_[i] + (1.0f - b2) * g * g;
      // Keras/TF.js form: bias correction folded into the step size, eps on sqrt(v).
      p.values[i] -= step_size * m_[i] / (std::sqrt(v_[i]) + eps);
      if (decoupled_) p.values[i] -= lr * wd * p.values[i];
    });
  }
  std::vector<std::vector<float>*> state() override { return {&m_, &v_}; }

 private:
  OptimizerConfig config_;
  bool decoupled_;
  std::vector<float> m_, v_;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config) {
  if (config.kind == "sgd") return std::make_unique<Sgd>(config);
  if (config.kind == "adam") return std::make_unique<Adam>(config, false);
  if (config.kind == "adamw") return std::make_unique<Adam>(config, true);
  throw Error("unknown optimizer '" + config.kind + "' (use sgd, adam or adamw)");
}

float scheduled_learning_rate(const std::string& schedule, float base_rate, int64_t step, int64_t total_steps,
                              int64_t warmup_steps) {
  if (warmup_steps > 0 && step < warmup_steps)
    return base_rate * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  if (schedule == "constant") return base_rate;
  if (schedule == "cosine") {
    const int64_t span = std::max<int64_t>(1, total_steps - warmup_steps);
    const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(span));
    return static_cast<float>(base_rate * 0.5 * (1.0 + std::cos(3.14159265358979 * progress)));
  }
  throw Error("unknown learning-rate schedule '" + schedule + "' (use constant or cosine)");
}

}  // namespace distillery
