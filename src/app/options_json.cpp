#include "app/options_json.h"

#include "app/options_fields.h"

namespace distillery {
namespace {

// Writes the fields an options_fields.h list names, as their readers take them.
struct FieldWriter {
  nlohmann::json& j;
  template <typename T>
  void field(const char* key, const T& value) const {
    j[key] = value;
  }
  template <typename T, typename Parse, typename Name>
  void named(const char* key, const T& value, Parse, Name name) const {
    j[key] = name(value);
  }
};

}  // namespace

nlohmann::json train_options_to_json(const TrainOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  visit_train_fields(o, FieldWriter{j});
  return j;
}

nlohmann::json distill_options_to_json(const DistillOptions& o) {
  nlohmann::json j = train_options_to_json(o.train);
  visit_distill_fields(o, FieldWriter{j});
  return j;
}

nlohmann::json prune_options_to_json(const PruneOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  visit_prune_fields(o, FieldWriter{j});
  return j;
}

nlohmann::json quantize_request_to_json(const QuantizeRequest& r) {
  nlohmann::json j = nlohmann::json::object();
  visit_quantize_fields(r, FieldWriter{j});
  return j;
}

}  // namespace distillery
