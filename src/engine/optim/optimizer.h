#pragma once
// Optimisers step the model's flat ParamStore in one loop. Pruned entries
// (mask 0) stay exactly zero, and so do their optimiser moments, so a pruned
// weight can never come back through momentum.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/param_store.h"

namespace distillery {

struct OptimizerConfig {
  std::string kind = "adam";  // "sgd", "adam", "adamw"
  float momentum = 0.9f;      // sgd
  float beta1 = 0.9f;         // adam, adamw
  float beta2 = 0.999f;
  float epsilon = 1e-7f;      // as Keras/TF.js
  float weight_decay = 0.0f;  // adamw: decoupled; sgd/adam: L2 added to the gradient
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Applies one update with learning rate lr, then re-applies the masks.
  virtual void step(ParamStore& params, float learning_rate) = 0;
  // Number of steps taken (Adam's bias correction uses this, not a global).
  int64_t steps() const { return steps_; }
  // Resuming from a checkpoint (engine/train/checkpoint.h) continues the count.
  void set_steps(int64_t steps) { steps_ = steps; }
  // Moment buffers, for checkpoints and tests.
  virtual std::vector<std::vector<float>*> state() = 0;

 protected:
  int64_t steps_ = 0;
};

// Throws Error for an unknown kind.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config);

// Learning rate at step (0-based) of total_steps: "constant" or "cosine"
// (cosine decay to 0 over the run, after an optional linear warm-up).
float scheduled_learning_rate(const std::string& schedule, float base_rate, int64_t step, int64_t total_steps,
                              int64_t warmup_steps = 0);

}  // namespace distillery
