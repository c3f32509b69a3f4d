#include "engine/model/layer_graph.h"

#include <map>

#include "engine/core/error.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

std::string label(const std::vector<Json>& configs, const LayerGraph& graph, int i) {
  const std::string type = layer_config_type(configs[i]);
  return "layer " + std::to_string(i) + " '" + graph.names[i] + "' (" + (type.empty() ? "?" : type) + ")";
}

std::vector<std::string> read_names(const std::vector<Json>& configs) {
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (int i = 0; i < static_cast<int>(configs.size()); ++i) {
    const Json& config = configs[i];
    std::string name = default_layer_name(layer_config_type(config), i);
    if (config.is_object() && config.contains("name")) {
      const Json& given = config["name"];
      require(given.is_string() && !given.get<std::string>().empty(),
              "layer " + std::to_string(i) + ": \"name\" must be a non-empty string, got " + given.dump());
      name = given.get<std::string>();
    }
    require(name != LayerGraph::kModelInputName, "layer " + std::to_string(i) + ": the name \"" + name +
                                                     "\" is reserved for the model input");
    const auto [it, inserted] = seen.emplace(name, i);
    require(inserted, "layers " + std::to_string(it->second) + " and " + std::to_string(i) + " are both named \"" +
                          name + "\"");
    names.push_back(name);
  }
  return names;
}

// The names each layer reads, as written (the previous layer when not given).
std::vector<std::vector<std::string>> read_input_names(const std::vector<Json>& configs,
                                                       const std::vector<std::string>& names) {
  std::vector<std::vector<std::string>> inputs(configs.size());
  for (size_t i = 0; i < configs.size(); ++i) {
    const Json& config = configs[i];
    if (!config.is_object() || !config.contains("inputs")) {
      inputs[i].push_back(i == 0 ? std::string(LayerGraph::kModelInputName) : names[i - 1]);
      continue;
    }
    const Json& given = config["inputs"];
    const std::string where = "layer " + std::to_string(i) + " '" + names[i] + "'";
    require(given.is_array() && !given.empty(), where + ": \"inputs\" must be a non-empty array of layer names");
    for (const Json& source : given) {
      require(source.is_string(), where + ": \"inputs\" must hold layer names, found " + source.dump());
      inputs[i].push_back(source.get<std::string>());
    }
  }
  return inputs;
}

// A path of reads from layer `from` back to layer `to`, or empty.
bool find_reads_path(int from, int to, const std::vector<std::vector<std::string>>& input_names,
                     const std::map<std::string, int>& index_of, std::vector<bool>& visited, std::vector<int>& path) {
  path.push_back(from);
  if (from == to) return true;
  if (!visited[from]) {
    visited[from] = true;
    for (const std::string& source : input_names[from]) {
      const auto it = index_of.find(source);
      if (it != index_of.end() && find_reads_path(it->second, to, input_names, index_of, visited, path)) return true;
    }
  }
  path.pop_back();
  return false;
}

}  // namespace

std::string default_layer_name(const std::string& type, int index) { return type + "_" + std::to_string(index); }

std::string layer_config_type(const Json& config) {
  const auto it = config.find("type");  // end() for a config that is not an object
  return it != config.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool LayerGraph::is_chain() const {
  for (int i = 0; i < size(); ++i)
    if (inputs[i].size() != 1 || inputs[i][0] != i - 1) return false;
  return true;
}

std::vector<int> LayerGraph::consumer_counts() const {
  std::vector<int> counts(names.size(), 0);
  for (const auto& sources : inputs)
    for (int source : sources)
      if (source != kModelInput) ++counts[source];
  return counts;
}

int LayerGraph::sole_reader(int layer) const {
  int reader = -1;
  for (int j = 0; j < size(); ++j)
    for (int source : inputs[size_t(j)])
      if (source == layer) {
        if (reader >= 0) return -1;  // a second read, by another layer or the same one
        reader = j;
      }
  return reader >= 0 && inputs[size_t(reader)].size() == 1 ? reader : -1;
}

LayerGraph read_layer_graph(const std::vector<Json>& configs) {
  LayerGraph graph;
  graph.names = read_names(configs);
  const std::vector<std::vector<std::string>> input_names = read_input_names(configs, graph.names);
  std::map<std::string, int> index_of;
  for (int i = 0; i < graph.size(); ++i) index_of[graph.names[i]] = i;

  graph.inputs.resize(configs.size());
  for (int i = 0; i < graph.size(); ++i) {
    for (const std::string& source : input_names[i]) {
      if (source == LayerGraph::kModelInputName) {
        graph.inputs[i].push_back(LayerGraph::kModelInput);
        continue;
      }
      const auto it = index_of.find(source);
      require(it != index_of.end(), label(configs, graph, i) + " reads \"" + source + "\", which no layer is named");
      const int j = it->second;
      if (j >= i) {
        std::vector<bool> visited(configs.size(), false);
        std::vector<int> path;
        if (find_reads_path(j, i, input_names, index_of, visited, path)) {
          std::string cycle = graph.names[i];
          for (int k : path) cycle += " <- " + graph.names[k];
          throw Error("the layers form a cycle: " + cycle + " (each name reads the next)");
        }
        throw Error(label(configs, graph, i) + " reads \"" + source + "\", which is listed after it: list every layer after its inputs");
      }
      graph.inputs[i].push_back(j);
    }
  }

  const std::vector<int> consumers = graph.consumer_counts();
  for (int i = 0; i + 1 < graph.size(); ++i)
    require(consumers[i] > 0, label(configs, graph, i) +
                                  " feeds no later layer: a model has one output, its last layer");
  return graph;
}

void write_layer_graph(const LayerGraph& graph, std::vector<Json>& configs) {
  if (graph.is_chain()) return;
  for (int i = 0; i < graph.size(); ++i) {
    Json inputs = Json::array();
    for (int source : graph.inputs[i])
      inputs.push_back(source == LayerGraph::kModelInput ? std::string(LayerGraph::kModelInputName)
                                                         : graph.names[source]);
    configs[i]["name"] = graph.names[i];
    configs[i]["inputs"] = std::move(inputs);
  }
}

}  // namespace distillery
