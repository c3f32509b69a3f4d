#pragma once
// The layers of an ONNX graph: walks the nodes in their (topological) order,
// translating each op into a Distillery layer config (built through the
// LayerRegistry to follow the shapes) with its weights already in
// Distillery's layout (HWIO kernels, [in, out] dense weights with the rows
// after a flatten in channel-last order). Every value computed from the
// input remembers the layer that made it, so an Add or Concat of two such
// values becomes an add or concatenate layer reading both: residual and
// branching graphs come out as graph models (model/layer_graph.h), chains
// as plain chains. Constants and the shape subgraphs torch emits around
// Reshape are evaluated on the way. Internal to import_onnx_model
// (onnx_import.h lists what is supported).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/shape.h"
#include "engine/io/onnx_model.h"

namespace distillery {

// A Distillery layer about to be built, with its weights in param_specs order.
struct OnnxPlannedLayer {
  nlohmann::json config;  // with "name" and "inputs" when the layers are not a chain
  std::vector<std::vector<float>> params;
  std::string label;  // the ONNX node, for messages
};

struct OnnxLayers {
  std::vector<OnnxPlannedLayer> layers;
  Shape output_shape;             // Distillery's per-sample shape of the graph's output
  std::string output_activation;  // "linear", "softmax" or "log_softmax" (dropped)
};

// input: Distillery's per-sample input shape; flattened_from: the image a flat
// input is read as (rank 0 for none); output_name: the graph's one output,
// which must be the last layer's. Throws Error naming the node.
OnnxLayers read_onnx_layers(const OnnxGraph& graph, const Shape& input, const std::string& input_name,
                            const Shape& flattened_from, const std::string& output_name);

}  // namespace distillery
