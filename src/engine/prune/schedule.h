#pragma once
// Sparsity schedules.
//   - one-shot: prune to the target once, then fine-tune.
//   - iterative: k rounds; round r (1..k) prunes to
//         s_r = 1 - (1 - s)^(r / k)
//     i.e. every round removes the same fraction of the weights still alive
//     (a geometric ramp, as in Han et al. 2015 and the lottery-ticket work),
//     which is gentler at the end than a linear ramp; fine-tuning follows each round.
//   - gradual polynomial (Zhu & Gupta 2017; TF-MOT's PolynomialDecay):
//         s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^power,  power = 3,
//     with t0 = begin_step and n * dt = end_step - begin_step; the masks are
//     updated every `frequency` steps in [begin_step, end_step] (and always at
//     end_step, so the final sparsity is reached even when the span is not a
//     multiple of the frequency).
#include <cstdint>

namespace distillery {

// Target sparsity after round r (1-based) of `rounds`.
float iterative_sparsity(float final_sparsity, int round, int rounds);

struct PolynomialDecay {
  float initial_sparsity = 0.0f;
  float final_sparsity = 0.5f;
  int64_t begin_step = 0;
  int64_t end_step = 1000;
  int64_t frequency = 100;
  float power = 3.0f;

  // s_t, held at s_i before begin_step and at s_f after end_step.
  float sparsity_at(int64_t step) const;
  // Whether the masks are updated at this step.
  bool prunes_at(int64_t step) const;
  // Throws Error for sparsities outside [0, 1), end_step <= begin_step or a frequency < 1.
  void validate() const;
};

}  // namespace distillery
