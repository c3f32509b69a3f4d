#pragma once
// What a job does. Its name is the JS API method that starts it, which is
// also what a saved session's resume point records ("distill", "prune",
// "trainTeacher"). The UI routes a finished job on its kind, not its title.
#include <string>

#include "engine/core/name_table.h"

namespace distillery {

enum class JobKind {
  kLoadDataset,    // "loadDataset"
  kLoadUnlabeled,  // "loadUnlabeled"
  kTrainTeacher,   // "trainTeacher"
  kDistill,        // "distill" (with or without the baseline run)
  kPrune,          // "prune"
  kEvaluate,       // "evaluate"
  kQuantize,       // "quantize"
};

inline const NameTable<JobKind>& job_kind_names() {
  static const NameTable<JobKind> table("job kind", {{JobKind::kLoadDataset, "loadDataset"},
                                                     {JobKind::kLoadUnlabeled, "loadUnlabeled"},
                                                     {JobKind::kTrainTeacher, "trainTeacher"},
                                                     {JobKind::kDistill, "distill"},
                                                     {JobKind::kPrune, "prune"},
                                                     {JobKind::kEvaluate, "evaluate"},
                                                     {JobKind::kQuantize, "quantize"}});
  return table;
}
inline const char* job_kind_name(JobKind kind) { return job_kind_names().name(kind); }
inline JobKind job_kind_from_name(const std::string& name) { return job_kind_names().parse(name); }

// The words a saved session's banner uses ("distillation at epoch 2 of 5").
inline const char* job_kind_noun(JobKind kind) {
  switch (kind) {
    case JobKind::kDistill: return "distillation";
    case JobKind::kPrune: return "pruning";
    case JobKind::kTrainTeacher: return "teacher training";
    case JobKind::kLoadDataset: return "dataset loading";
    case JobKind::kLoadUnlabeled: return "unlabeled image loading";
    case JobKind::kEvaluate: return "evaluation";
    case JobKind::kQuantize: return "quantization";
  }
  return "job";
}

}  // namespace distillery
