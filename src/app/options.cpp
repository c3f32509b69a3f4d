#include "app/options.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/error.h"
#include "engine/prune/prune_pipeline.h"

namespace distillery {

namespace {

void reject_unknown_keys(const nlohmann::json& j, const std::set<std::string>& known, const std::string& what) {
  require(j.is_object(), what + " options must be an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (known.count(it.key())) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(what + ": unknown option '" + it.key() + "' (known: " + list + ")");
  }
}

template <typename T>
void read(const nlohmann::json& j, const char* key, T& out, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(what + ": option '" + key + "' has the wrong type");
  }
}

void check_train(const TrainOptions& o, const std::string& what) {
  require(!o.arch.empty(), what + ": 'arch' is empty (e.g. \"dense:32\")");
  require(o.epochs >= 1 && o.epochs <= 1000, what + ": epochs must be between 1 and 1000");
  require(o.batch >= 1 && o.batch <= 4096, what + ": batch must be between 1 and 4096");
  require(std::isfinite(o.lr) && o.lr > 0 && o.lr <= 10, what + ": lr must be a positive learning rate");
  require(o.optimizer == "adam" || o.optimizer == "adamw" || o.optimizer == "sgd",
          what + ": optimizer must be adam, adamw or sgd");
  require(o.schedule == "constant" || o.schedule == "cosine", what + ": schedule must be constant or cosine");
}

const std::set<std::string> kTrainKeys = {"arch", "epochs", "batch", "lr", "optimizer", "schedule", "seed"};

TrainOptions read_train(const nlohmann::json& j, const std::string& what) {
  TrainOptions o;
  read(j, "arch", o.arch, what);
  read(j, "epochs", o.epochs, what);
  read(j, "batch", o.batch, what);
  read(j, "lr", o.lr, what);
  read(j, "optimizer", o.optimizer, what);
  read(j, "schedule", o.schedule, what);
  read(j, "seed", o.seed, what);
  check_train(o, what);
  return o;
}

}  // namespace

TrainOptions train_options_from_json(const nlohmann::json& j) {
  reject_unknown_keys(j, kTrainKeys, "trainTeacher");
  return read_train(j, "trainTeacher");
}

DistillOptions distill_options_from_json(const nlohmann::json& j) {
  std::set<std::string> keys = kTrainKeys;
  keys.insert({"temperature", "alpha", "loss"});
  reject_unknown_keys(j, keys, "distill");
  DistillOptions o;
  o.train = read_train(j, "distill");
  read(j, "temperature", o.temperature, "distill");
  read(j, "alpha", o.alpha, "distill");
  read(j, "loss", o.loss, "distill");
  require(std::isfinite(o.temperature) && o.temperature > 0 && o.temperature <= 100,
          "distill: temperature must be between 0 and 100");
  require(o.alpha >= 0 && o.alpha <= 1, "distill: alpha must be between 0 and 1");
  require(o.loss == "kd" || o.loss == "mse" || o.loss == "ce", "distill: loss must be kd, mse or ce");
  return o;
}

PruneOptions prune_options_from_json(const nlohmann::json& j) {
  reject_unknown_keys(j,
                      {"method", "sparsity", "schedule", "rounds", "finetuneEpochs", "useTeacher", "temperature", "alpha", "lr",
                       "batch", "seed"},
                      "prune");
  PruneOptions o;
  read(j, "method", o.method, "prune");
  read(j, "sparsity", o.sparsity, "prune");
  read(j, "schedule", o.schedule, "prune");
  read(j, "rounds", o.rounds, "prune");
  read(j, "finetuneEpochs", o.finetune_epochs, "prune");
  read(j, "useTeacher", o.use_teacher, "prune");
  read(j, "temperature", o.temperature, "prune");
  read(j, "alpha", o.alpha, "prune");
  read(j, "lr", o.lr, "prune");
  read(j, "batch", o.batch, "prune");
  read(j, "seed", o.seed, "prune");
  require(o.sparsity >= 0 && o.sparsity < 1, "prune: sparsity must be in [0, 1)");
  require(o.finetune_epochs >= 0 && o.finetune_epochs <= 1000, "prune: finetuneEpochs must be between 0 and 1000");
  if (o.schedule == "polynomial") o.schedule = "gradual";
  require(o.schedule == "oneshot" || o.schedule == "iterative" || o.schedule == "gradual",
          "prune: schedule must be oneshot, iterative or gradual");
  require(o.rounds >= 1 && o.rounds <= 20, "prune: rounds must be between 1 and 20");
  require(o.schedule != "gradual" || o.finetune_epochs > 0, "prune: a gradual schedule needs finetuneEpochs > 0");
  require(o.schedule != "gradual" || o.method != "structured",
          "prune: structured pruning removes whole units at once: use the oneshot or iterative schedule");
  require(o.batch >= 1 && o.batch <= 4096, "prune: batch must be between 1 and 4096");
  require(std::isfinite(o.lr) && o.lr > 0, "prune: lr must be positive");
  return o;
}

TrainConfig to_train_config(const TrainOptions& o) {
  TrainConfig c;
  c.epochs = o.epochs;
  c.batch_size = o.batch;
  c.learning_rate = o.lr;
  c.lr_schedule = o.schedule;
  c.seed = o.seed;
  c.optimizer.kind = o.optimizer;
  return c;
}

PruneSettings to_prune_settings(const PruneOptions& o) {
  PruneSettings s;
  s.method = o.method;
  s.sparsity = o.sparsity;
  s.schedule = o.schedule == "gradual" ? "polynomial" : o.schedule;
  s.rounds = o.schedule == "iterative" ? o.rounds : 1;
  s.finetune_epochs = o.finetune_epochs;
  s.seed = o.seed;
  s.train.batch_size = o.batch;
  s.train.learning_rate = o.lr;
  s.train.seed = o.seed;
  s.train.loss = o.use_teacher ? "kd" : "ce";
  s.train.temperature = o.temperature;
  s.train.alpha = o.alpha;
  s.train.epochs = std::max(1, o.finetune_epochs);
  return s;
}

}  // namespace distillery
