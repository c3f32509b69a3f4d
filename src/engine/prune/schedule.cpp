#include "engine/prune/schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/core/error.h"
#include "engine/prune/masks.h"

namespace distillery {

float iterative_sparsity(float final_sparsity, int round, int rounds) {
  require(rounds >= 1, "the iterative schedule needs at least 1 round, got " + std::to_string(rounds));
  if (round >= rounds) return final_sparsity;  // exact, whatever pow rounds to
  const double kept = std::pow(1.0 - static_cast<double>(final_sparsity), static_cast<double>(round) / rounds);
  return static_cast<float>(1.0 - kept);
}

float PolynomialDecay::sparsity_at(int64_t step) const {
  const double span = static_cast<double>(end_step - begin_step);
  const double progress = std::clamp(static_cast<double>(step - begin_step) / span, 0.0, 1.0);
  return static_cast<float>(final_sparsity +
                            (initial_sparsity - final_sparsity) * std::pow(1.0 - progress, static_cast<double>(power)));
}

bool PolynomialDecay::prunes_at(int64_t step) const {
  if (step < begin_step || step > end_step) return false;
  return (step - begin_step) % frequency == 0 || step == end_step;
}

void PolynomialDecay::validate() const {
  check_sparsity(initial_sparsity);
  check_sparsity(final_sparsity);
  require(end_step > begin_step && begin_step >= 0, "the polynomial schedule needs 0 <= begin_step < end_step, got " +
                                                        std::to_string(begin_step) + " and " +
                                                        std::to_string(end_step));
  require(frequency >= 1, "the polynomial schedule's frequency must be at least 1 step");
  require(power > 0, "the polynomial schedule's power must be positive");
}

}  // namespace distillery
