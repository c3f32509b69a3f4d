#pragma once
// LayerGraph: which layers feed which. A model file, an arch spec or an import
// names a layer with "name" and its sources with "inputs" in the layer's
// config; a layer without "inputs" takes the layer listed before it (the model
// input for the first), so a plain list is a chain and needs neither key.
//
// Layers are listed in execution order: every input is an earlier layer or
// the model input ("input"), and the last layer is the output. Every other
// layer feeds at least one later layer.
//
//   {"type": "conv2d", "name": "c1", ...}
//   {"type": "conv2d", "name": "c2", ...}
//   {"type": "add", "inputs": ["c1", "c2"]}
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace distillery {

struct LayerGraph {
  static constexpr int kModelInput = -1;
  static constexpr const char* kModelInputName = "input";

  std::vector<std::string> names;        // one per layer, unique
  std::vector<std::vector<int>> inputs;  // per layer: earlier layer indices or kModelInput

  int size() const { return static_cast<int>(names.size()); }
  // Each layer takes exactly the one before it.
  bool is_chain() const;
  // How many later layers read each layer's output.
  std::vector<int> consumer_counts() const;
  // The one layer that reads `layer`'s output, when nothing else reads it and
  // that reader reads nothing else (in a chain, the next layer); else -1.
  // What folding a BatchNorm into a kernel, or fusing a ReLU, needs.
  int sole_reader(int layer) const;
};

// Reads and checks the graph keys of a model's layer configs. Throws Error
// naming the layer for a duplicate or reserved name, an input that no layer
// produces, an input listed after its reader (with the cycle, when there is
// one), and a layer whose output nothing reads.
LayerGraph read_layer_graph(const std::vector<nlohmann::json>& layer_configs);

// The layer's name as read_layer_graph gives it when the config has none.
std::string default_layer_name(const std::string& type, int index);

// A layer config's "type", or "" when the config is not an object with a
// string "type" (the layer registry refuses such a config; this is for the
// names and messages that mention a layer before or after it is built).
std::string layer_config_type(const nlohmann::json& config);

// Adds "name" and "inputs" to each config, unless the graph is a chain (whose
// files stay as they were before graphs existed).
void write_layer_graph(const LayerGraph& graph, std::vector<nlohmann::json>& layer_configs);

}  // namespace distillery
