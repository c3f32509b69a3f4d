// The one list of built-in layer kinds (see layer_registry.h for why it is explicit).
// A new layer is its own file, its test, and one line here (docs/ARCHITECTURE.md).
#include "engine/layers/activations.h"
#include "engine/layers/avgpool2d.h"
#include "engine/layers/batch_norm.h"
#include "engine/layers/conv2d.h"
#include "engine/layers/dense.h"
#include "engine/layers/depthwise_conv2d.h"
#include "engine/layers/dropout.h"
#include "engine/layers/flatten.h"
#include "engine/layers/global_avg_pool2d.h"
#include "engine/layers/layer_registry.h"
#include "engine/layers/maxpool2d.h"
#include "engine/layers/merge.h"

namespace distillery {

void register_builtin_layers(LayerRegistry& registry) {
  registry.add(dense_kind());
  registry.add(conv2d_kind());
  registry.add(maxpool2d_kind());
  registry.add(avgpool2d_kind());
  registry.add(flatten_kind());
  registry.add(dropout_kind());
  registry.add(relu_kind());
  registry.add(relu6_kind());
  registry.add(tanh_kind());
  registry.add(sigmoid_kind());
  registry.add(leaky_relu_kind());
  registry.add(batch_norm_kind());
  registry.add(global_avg_pool2d_kind());
  registry.add(depthwise_conv2d_kind());
  registry.add(add_kind());
  registry.add(concatenate_kind());
}

}  // namespace distillery
