// TrainingCheckpoint <-> JSON. The TrainingRun side (checkpoint(), restore())
// lives in trainer.cpp next to the state it copies.
#include "engine/train/checkpoint.h"

#include <cmath>
#include <limits>

#include "engine/core/error.h"
#include "engine/io/base64.h"

namespace distillery {
namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* name) {
  require(j.is_object() && j.contains(name), std::string("training checkpoint: '") + name + "' is missing");
  return j.at(name);
}

template <typename T>
T number(const nlohmann::json& j, const char* name) {
  const nlohmann::json& v = field(j, name);
  require(v.is_number(), std::string("training checkpoint: '") + name + "' is not a number");
  return v.get<T>();
}

std::vector<float> floats(const nlohmann::json& j, const char* name) {
  const nlohmann::json& v = field(j, name);
  require(v.is_string(), std::string("training checkpoint: '") + name + "' is not base64 text");
  return base64_to_floats(v.get<std::string>());
}

nlohmann::json rng_json(const std::array<uint32_t, 4>& s) { return {s[0], s[1], s[2], s[3]}; }

std::array<uint32_t, 4> rng_from(const nlohmann::json& j, const char* name) {
  const nlohmann::json& v = field(j, name);
  require(v.is_array() && v.size() == 4, std::string("training checkpoint: '") + name + "' is not 4 numbers");
  std::array<uint32_t, 4> s{};
  for (int i = 0; i < 4; ++i) {
    require(v[i].is_number_unsigned() && v[i].get<uint64_t>() <= 0xFFFFFFFFull,
            std::string("training checkpoint: '") + name + "' holds a number outside 32 bits");
    s[i] = v[i].get<uint32_t>();
  }
  return s;
}

// NaN (no validation split) is not JSON: null stands for it.
nlohmann::json float_or_null(float v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
float float_from(const nlohmann::json& j, const char* name) {
  const nlohmann::json& v = field(j, name);
  return v.is_null() ? std::numeric_limits<float>::quiet_NaN() : number<float>(j, name);
}

}  // namespace

nlohmann::json checkpoint_to_json(const TrainingCheckpoint& c) {
  nlohmann::json state = nlohmann::json::array();
  for (const auto& buffer : c.optimizer_state) state.push_back(floats_to_base64(buffer.data(), buffer.size()));
  nlohmann::json history = nlohmann::json::array();
  for (const EpochReport& r : c.history)
    history.push_back({{"epoch", r.epoch}, {"epochs", r.epochs}, {"train_loss", float_or_null(r.train_loss)},
                       {"train_accuracy", float_or_null(r.train_accuracy)}, {"val_loss", float_or_null(r.val_loss)},
                       {"val_accuracy", float_or_null(r.val_accuracy)}, {"seconds", r.seconds},
                       {"samples_per_second", r.samples_per_second}});
  return {{"format", "distillery-training-checkpoint"},
          {"version", 1},
          {"epochs_done", c.epochs_done},
          {"steps", c.steps},
          {"optimizer_steps", c.optimizer_steps},
          {"optimizer_state", state},
          {"weights", floats_to_base64(c.weights.data(), c.weights.size())},
          {"masks", floats_to_base64(c.masks.data(), c.masks.size())},
          {"train_order", c.train_order},
          {"shuffle_rng", rng_json(c.shuffle_rng)},
          {"dropout_rng", rng_json(c.dropout_rng)},
          {"history", history}};
}

TrainingCheckpoint checkpoint_from_json(const nlohmann::json& j) {
  require(j.is_object() && j.value("format", std::string()) == "distillery-training-checkpoint",
          "training checkpoint: not a distillery training checkpoint");
  require(number<int>(j, "version") == 1, "training checkpoint: unknown version");
  TrainingCheckpoint c;
  c.epochs_done = number<int>(j, "epochs_done");
  c.steps = number<int64_t>(j, "steps");
  c.optimizer_steps = number<int64_t>(j, "optimizer_steps");
  require(c.epochs_done >= 0 && c.steps >= 0 && c.optimizer_steps >= 0, "training checkpoint: negative counts");
  const nlohmann::json& state = field(j, "optimizer_state");
  require(state.is_array(), "training checkpoint: 'optimizer_state' is not a list");
  for (const nlohmann::json& buffer : state) {
    require(buffer.is_string(), "training checkpoint: an optimizer buffer is not base64 text");
    c.optimizer_state.push_back(base64_to_floats(buffer.get<std::string>()));
  }
  c.weights = floats(j, "weights");
  c.masks = floats(j, "masks");
  const nlohmann::json& order = field(j, "train_order");
  require(order.is_array(), "training checkpoint: 'train_order' is not a list");
  c.train_order.reserve(order.size());
  for (const nlohmann::json& i : order) {
    require(i.is_number_integer(), "training checkpoint: 'train_order' holds something other than indices");
    c.train_order.push_back(i.get<int>());
  }
  c.shuffle_rng = rng_from(j, "shuffle_rng");
  c.dropout_rng = rng_from(j, "dropout_rng");
  const nlohmann::json& history = field(j, "history");
  require(history.is_array(), "training checkpoint: 'history' is not a list");
  for (const nlohmann::json& h : history) {
    EpochReport r;
    r.epoch = number<int>(h, "epoch");
    r.epochs = number<int>(h, "epochs");
    r.train_loss = float_from(h, "train_loss");
    r.train_accuracy = float_from(h, "train_accuracy");
    r.val_loss = float_from(h, "val_loss");
    r.val_accuracy = float_from(h, "val_accuracy");
    r.seconds = number<double>(h, "seconds");
    r.samples_per_second = number<double>(h, "samples_per_second");
    c.history.push_back(r);
  }
  return c;
}

}  // namespace distillery
