#pragma once
// The provenance a distilled student carries of its baseline, the same
// student trained alone (same seed, initial weights, split, augmentation and
// schedule): one shape for the CLI and the app, under provenance["baseline"].
//
//   {"accuracy": 0.81, "gain": 0.03, "set": "test", "agreement": 0.9, "kl_to_teacher": 0.2,
//    "same": "seed, initial weights, split, augmentation and schedule"}
//
// The app wrote the accuracy as "alone_test_accuracy" before; reading accepts it.
#include <string>

#include <nlohmann/json.hpp>

namespace distillery {

struct BaselineRecord {
  double accuracy = 0;        // the student alone, on `set`
  double gain = 0;            // distilled accuracy minus that
  std::string set = "test";   // where both were measured
  double agreement = -1;      // with the teacher; -1 when not measured
  double kl_to_teacher = -1;  // -1 when not measured
};

inline nlohmann::json baseline_record_json(const BaselineRecord& b) {
  nlohmann::json j = {{"accuracy", b.accuracy},
                      {"gain", b.gain},
                      {"set", b.set},
                      {"same", "seed, initial weights, split, augmentation and schedule"}};
  if (b.agreement >= 0) j["agreement"] = b.agreement;
  if (b.kl_to_teacher >= 0) j["kl_to_teacher"] = b.kl_to_teacher;
  return j;
}

// Throws nlohmann::json::exception when the record has no accuracy or gain.
inline BaselineRecord baseline_record_from_json(const nlohmann::json& j) {
  BaselineRecord b;
  b.accuracy = (j.contains("accuracy") ? j.at("accuracy") : j.at("alone_test_accuracy")).get<double>();
  b.gain = j.at("gain").get<double>();
  b.set = j.value("set", std::string("test"));
  b.agreement = j.value("agreement", -1.0);
  b.kl_to_teacher = j.value("kl_to_teacher", -1.0);
  return b;
}

}  // namespace distillery
