#pragma once
// The small synthetic problem the training, checkpoint and pruning tests share:
// three classes of 6x6 gray images, a bright band at the top, middle or bottom
// plus noise. The label follows i % 3, so neighbouring samples differ. Easy for
// a linear model, so tests run in milliseconds.
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/rng.h"
#include "engine/data/dataset.h"
#include "engine/model/model.h"

namespace distillery::test {

inline Dataset make_band_dataset(int n, uint64_t seed) {
  Dataset d;
  d.height = d.width = 6;
  d.channels = 1;
  d.class_names = {"top", "middle", "bottom"};
  Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    const int label = i % 3;
    d.labels.push_back(label);
    for (int y = 0; y < 6; ++y)
      for (int x = 0; x < 6; ++x) d.pixels.push_back(static_cast<uint8_t>((y / 2 == label ? 150 : 40) + rng.below(100)));
  }
  return d;
}

// A classifier for it: flatten, the given hidden layers, three outputs.
inline Model make_band_model(const std::vector<nlohmann::json>& hidden, uint64_t seed) {
  std::vector<nlohmann::json> layers{{{"type", "flatten"}}};
  layers.insert(layers.end(), hidden.begin(), hidden.end());
  layers.push_back({{"type", "dense"}, {"units", 3}});
  Rng rng(seed);
  Model m = Model::from_layer_configs(layers, Shape{6, 6, 1}, rng);
  m.class_names = {"top", "middle", "bottom"};
  return m;
}

}  // namespace distillery::test
