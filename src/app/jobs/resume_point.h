#pragma once
// ResumePoint: a training job's state at the end of an epoch, enough to start
// the same job again later and continue it (a saved session after a reload):
// which action started it and with which options, the engine's checkpoint
// (weights, optimiser moments, step counts, shuffle and dropout generators),
// and the curves drawn so far.
#include <string>

#include <nlohmann/json.hpp>

#include "app/session.h"
#include "engine/train/checkpoint.h"

namespace distillery {

struct ResumePoint {
  std::string kind;         // "distill" or "trainTeacher": the JS API method that started it
  nlohmann::json options;   // its options, as that method takes them
  TrainingCheckpoint checkpoint;
  TrainingCurves curves;
};

}  // namespace distillery
