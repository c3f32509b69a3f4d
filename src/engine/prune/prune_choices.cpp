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

const NameTable<NormCriterion>& norm_criterion_names() {
  static const NameTable<NormCriterion> table("structured-pruning criterion",
                                              {{NormCriterion::l1, "l1"}, {NormCriterion::l2, "l2"}});
  return table;
}

}  // namespace distillery
