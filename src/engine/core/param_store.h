#pragma once
// ParamStore: every trainable number of a model lives in one flat buffer, with
// a gradient buffer and a pruning-mask buffer of the same length (llm.c's
// habit). Zeroing gradients, optimiser steps, pruning and saving are then
// single loops; layers see their slices through ParamRef offsets.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/shape.h"

namespace distillery {

// One named weight tensor of a layer, e.g. a Dense "kernel" [in, out].
struct ParamSpec {
  std::string name;
  Shape shape;
  bool prunable = false;  // kernels are prunable, biases are not
  // False for state that is not learned by gradient (batch-norm moving
  // statistics): optimisers skip it, and so does weight decay.
  bool trainable = true;
};

// Where a layer's parameter sits in the flat buffers.
struct ParamRef {
  int layer = 0;     // index of the owning layer in the model
  ParamSpec spec;
  int64_t offset = 0;
  int64_t size() const { return spec.shape.size(); }
};

struct ParamStore {
  std::vector<float> values;
  std::vector<float> grads;
  std::vector<float> masks;  // 1 = kept, 0 = pruned; all ones when unpruned
  std::vector<ParamRef> refs;

  int64_t size() const { return static_cast<int64_t>(values.size()); }

  // Appends a parameter and returns its offset; call before finalize().
  int64_t add(int layer, const ParamSpec& spec) {
    ParamRef ref{layer, spec, static_cast<int64_t>(values.size())};
    refs.push_back(ref);
    values.resize(values.size() + static_cast<size_t>(spec.shape.size()), 0.0f);
    return ref.offset;
  }
  // Sizes the gradient and mask buffers to match the values.
  void finalize() {
    grads.assign(values.size(), 0.0f);
    masks.assign(values.size(), 1.0f);
  }
  void zero_grads() { std::fill(grads.begin(), grads.end(), 0.0f); }
  // Re-applies the masks so pruned weights are exactly zero.
  // A pruned weight becomes +0 (not the -0 that x * 0 gives a negative x), as
  // the optimisers write it: the one zero a sparse file stores by leaving it out.
  void apply_masks() {
    for (size_t i = 0; i < values.size(); ++i)
      if (masks[i] == 0.0f) values[i] = 0.0f;
  }
  bool has_pruning() const {
    for (float m : masks)
      if (m == 0.0f) return true;
    return false;
  }
  int64_t count_nonzero() const {
    int64_t n = 0;
    for (float v : values) n += (v != 0.0f);
    return n;
  }
};

}  // namespace distillery
