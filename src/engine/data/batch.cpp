#include "engine/data/batch.h"

#include <array>
#include <cassert>

namespace distillery {

void gather_batch(const Dataset& data, const int* indices, int count, const Preprocessing& pre, Tensor& out) {
  assert(pre.std != 0.0f);
  out.resize(Shape{data.height, data.width, data.channels}.with_batch(count));
  // Every uint8 value maps to one float: a 256-entry table replaces the arithmetic.
  std::array<float, 256> table;
  for (int p = 0; p < 256; ++p) table[size_t(p)] = (float(p) * pre.scale - pre.mean) / pre.std;
  const int64_t image_bytes = data.image_bytes();
  float* dst = out.data();
  for (int k = 0; k < count; ++k) {
    assert(indices[k] >= 0 && indices[k] < data.size());
    const uint8_t* src = data.image(indices[k]);
    for (int64_t j = 0; j < image_bytes; ++j) dst[j] = table[src[j]];
    dst += image_bytes;
  }
}

void gather_labels(const Dataset& data, const int* indices, int count, std::vector<int>& out) {
  out.resize(size_t(count));
  for (int k = 0; k < count; ++k) {
    assert(indices[k] >= 0 && indices[k] < data.size());
    out[size_t(k)] = data.labels[size_t(indices[k])];
  }
}

}  // namespace distillery
