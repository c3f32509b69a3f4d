#pragma once
// The chain of layers in an ONNX graph: walks the nodes from the graph's
// input, translating each op into a Distillery layer config (built through
// the LayerRegistry to follow the shapes) with its weights already in
// Distillery's layout (HWIO kernels, [in, out] dense weights with the rows
// after a flatten in channel-last order). Constants and the shape subgraphs
// torch emits around Reshape are evaluated on the way. Internal to
// import_onnx_model (onnx_import.h lists what is supported).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/shape.h"
#include "engine/io/onnx_model.h"

namespace distillery {

// A Distillery layer about to be built, with its weights in param_specs order.
struct OnnxPlannedLayer {
  nlohmann::json config;
  std::vector<std::vector<float>> params;
  std::string label;  // the ONNX node, for messages
};

struct OnnxChain {
  std::vector<OnnxPlannedLayer> layers;
  std::string output_name;            // the value the last layer produces
  Shape output_shape;                 // Distillery's per-sample shape of it
  std::string output_activation;      // "linear", "softmax" or "log_softmax" (dropped)
};

// input: Distillery's per-sample input shape; flattened_from: the image a flat
// input is read as (rank 0 for none). Throws Error naming the node.
OnnxChain read_onnx_chain(const OnnxGraph& graph, const Shape& input, const std::string& input_name,
                          const Shape& flattened_from);

}  // namespace distillery
