#pragma once
// The options of a run as the JSON the JS API takes (the inverse of
// train_options_from_json and friends), so a saved session or a training
// checkpoint can store them and read them back through the same checks.
#include <nlohmann/json.hpp>

#include "app/options.h"

namespace distillery {

nlohmann::json train_options_to_json(const TrainOptions& o);
nlohmann::json distill_options_to_json(const DistillOptions& o);
nlohmann::json prune_options_to_json(const PruneOptions& o);
nlohmann::json quantize_request_to_json(const QuantizeRequest& r);

}  // namespace distillery
