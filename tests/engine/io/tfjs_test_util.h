#pragma once
// Builds TensorFlow.js Layers model.json documents and weight shards in
// memory, the way TF.js' model.save() and tensorflowjs_converter write them,
// so the import tests need no files. Also an error-message expectation.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/io/tfjs_weights.h"

namespace distillery {
namespace test {

struct TfjsWeightData {
  std::string name;
  std::vector<int> shape;
  std::vector<float> values;
};

class TfjsModelBuilder {
 public:
  // The first layer gets batch_input_shape [null, ...input] unless an InputLayer is added.
  explicit TfjsModelBuilder(std::vector<int> input) : input_(std::move(input)) {}

  // Adds a layer; returns its config for further edits.
  nlohmann::json& layer(const std::string& class_name, const std::string& name, nlohmann::json config = {}) {
    if (config.is_null()) config = nlohmann::json::object();
    config["name"] = name;
    config["trainable"] = true;
    if (layers_.empty() && class_name != "InputLayer") config["batch_input_shape"] = batch_input_shape();
    if (class_name == "InputLayer") config["batch_input_shape"] = batch_input_shape();
    layers_.push_back({{"class_name", class_name}, {"config", config}});
    return layers_.back()["config"];
  }

  // Adds a weight with values drawn from rng (uniform in [lo, hi]); returns the values.
  std::vector<float> weight(const std::string& name, std::vector<int> shape, Rng& rng, float lo = -1.0f,
                            float hi = 1.0f) {
    int64_t n = 1;
    for (int d : shape) n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    for (float& v : values) v = rng.uniform(lo, hi);
    weights.push_back({name, std::move(shape), values});
    return values;
  }

  nlohmann::json topology() const {
    return {{"class_name", "Sequential"},
            {"config", {{"name", "sequential_1"}, {"layers", layers_}}},
            {"keras_version", "tfjs-layers 4.22.0"},
            {"backend", "tensor_flow.js"}};
  }

  // model.json with one manifest group over `shard_count` shards of about equal size.
  std::string model_json(int shard_count = 1) const {
    nlohmann::json doc = {{"format", "layers-model"},
                          {"generatedBy", "TensorFlow.js tfjs-layers v4.22.0"},
                          {"convertedBy", nullptr},
                          {"modelTopology", topology()}};
    nlohmann::json paths = nlohmann::json::array();
    for (int s = 0; s < shard_count; ++s)
      paths.push_back("group1-shard" + std::to_string(s + 1) + "of" + std::to_string(shard_count) + ".bin");
    doc["weightsManifest"] = nlohmann::json::array({{{"paths", paths}, {"weights", manifest_entries()}}});
    return doc.dump();
  }

  nlohmann::json manifest_entries() const {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& w : weights) entries.push_back({{"name", w.name}, {"shape", w.shape}, {"dtype", "float32"}});
    return entries;
  }

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out;
    for (const auto& w : weights) append_float32_le(w.values.data(), w.values.size(), out);
    return out;
  }

  // The bytes cut into `count` shards at arbitrary (not float-aligned) points.
  std::vector<std::vector<uint8_t>> shards(int count = 1) const {
    const std::vector<uint8_t> all = bytes();
    std::vector<std::vector<uint8_t>> out;
    size_t start = 0;
    for (int s = 0; s < count; ++s) {
      const size_t end = s + 1 == count ? all.size() : all.size() * static_cast<size_t>(s + 1) / count + 1;
      out.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(start),
                       all.begin() + static_cast<std::ptrdiff_t>(end));
      start = end;
    }
    return out;
  }

  std::vector<TfjsWeightData> weights;

 private:
  nlohmann::json batch_input_shape() const {
    nlohmann::json shape = nlohmann::json::array({nullptr});
    for (int d : input_) shape.push_back(d);
    return shape;
  }
  std::vector<int> input_;
  nlohmann::json layers_ = nlohmann::json::array();
};

// Expects f() to throw an Error whose message contains every part.
template <typename F>
void expect_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing '" << parts.front() << "'";
  } catch (const Error& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "message: " << e.what() << "\nexpected to contain: " << part;
  }
}

}  // namespace test
}  // namespace distillery
