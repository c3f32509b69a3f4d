#pragma once
// Optimisers step the model's flat ParamStore in one loop. Pruned entries
// (mask 0) stay exactly zero, and so do their optimiser moments, so a pruned
// weight can never come back through momentum.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/name_table.h"
#include "engine/core/param_store.h"

namespace distillery {

enum class OptimizerKind {
  kSgd,    // "sgd": with momentum
  kAdam,   // "adam"
  kAdamW,  // "adamw": Adam with decoupled weight decay
};
const NameTable<OptimizerKind>& optimizer_names();
inline const char* optimizer_name(OptimizerKind k) { return optimizer_names().name(k); }
inline OptimizerKind optimizer_from_name(const std::string& name) { return optimizer_names().parse(name); }

// How the learning rate moves over a run.
enum class LrSchedule {
  kConstant,  // "constant"
  kCosine,    // "cosine": decay to 0 over the run, after the warm-up
};
const NameTable<LrSchedule>& lr_schedule_names();
inline const char* lr_schedule_name(LrSchedule s) { return lr_schedule_names().name(s); }
inline LrSchedule lr_schedule_from_name(const std::string& name) { return lr_schedule_names().parse(name); }

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdam;
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

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config);

// Learning rate at step (0-based) of total_steps, after an optional linear warm-up.
float scheduled_learning_rate(LrSchedule schedule, float base_rate, int64_t step, int64_t total_steps,
                              int64_t warmup_steps = 0);

}  // namespace distillery
