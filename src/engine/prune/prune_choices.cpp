#include "engine/prune/prune_choices.h"

namespace distillery {

const NameTable<PruneMethod>& prune_method_names() {
  static const NameTable<PruneMethod> table("pruning method", {{PruneMethod::kMagnitude, "magnitude"},
                                                               {PruneMethod::kGlobal, "global"},
                                                               {PruneMethod::kRandom, "random"},
                                                               {PruneMethod::kStructured, "structured"}});
  return table;
}

const NameTable<PruneSchedule>& prune_schedule_names() {
  static const NameTable<PruneSchedule> table("pruning schedule", {{PruneSchedule::kOneShot, "oneshot"},
                                                                   {PruneSchedule::kIterative, "iterative"},
                                                                   {PruneSchedule::kPolynomial, "polynomial"},
                                                                   {PruneSchedule::kPolynomial, "gradual"}});
  return table;
}

}  // namespace distillery
