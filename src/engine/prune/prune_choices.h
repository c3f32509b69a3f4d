#pragma once
// The closed sets of pruning choices and their one name table each.
#include <string>
#include <vector>

#include "engine/core/name_table.h"

namespace distillery {

enum class PruneMethod {
  kMagnitude,   // "magnitude": per tensor, smallest |w|
  kGlobal,      // "global": one magnitude threshold over all kernels
  kRandom,      // "random": the baseline
  kStructured,  // "structured": whole units and filters
};
const NameTable<PruneMethod>& prune_method_names();
inline const char* prune_method_name(PruneMethod m) { return prune_method_names().name(m); }
inline PruneMethod prune_method_from_name(const std::string& name) { return prune_method_names().parse(name); }
inline bool is_unstructured(PruneMethod m) { return m != PruneMethod::kStructured; }

enum class PruneSchedule {
  kOneShot,     // "oneshot": prune once, then fine-tune
  kIterative,   // "iterative": rounds of prune + fine-tune
  kPolynomial,  // "polynomial": Zhu & Gupta's ramp while fine-tuning; the app called it "gradual" (an alias)
};
const NameTable<PruneSchedule>& prune_schedule_names();
inline const char* prune_schedule_name(PruneSchedule s) { return prune_schedule_names().name(s); }
inline PruneSchedule prune_schedule_from_name(const std::string& name) { return prune_schedule_names().parse(name); }

// How structured pruning ranks a layer's units and filters: by the L1 or L2
// norm of each one's incoming weights.
enum class NormCriterion {
  l1,  // "l1": sum of |w|
  l2,  // "l2": sum of w^2 (the default)
};
const NameTable<NormCriterion>& norm_criterion_names();
inline const char* norm_criterion_name(NormCriterion c) { return norm_criterion_names().name(c); }
// Throws "unknown structured-pruning criterion 'x' (use l1 or l2)".
inline NormCriterion parse_norm_criterion(const std::string& name) { return norm_criterion_names().parse(name); }

}  // namespace distillery
