#pragma once
// What a model says about one image: the classes by probability.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/metrics/metrics.h"
#include "engine/model/model.h"

namespace distillery {

struct ClassScore {
  std::string label;
  int index = 0;
  float probability = 0;
};
// Decodes an image (PNG/JPEG/BMP/GIF), brings it to the model's input shape
// and returns the classes by probability, highest first.
std::vector<ClassScore> predict_image(Model& model, const std::vector<uint8_t>& bytes, const std::string& name);
// The same for raw uint8 HWC pixels already in the model's input shape.
std::vector<ClassScore> predict_pixels(Model& model, const uint8_t* pixels);
// A model that is not a float Model (a QuantizedModel: its own forward, the
// integer kernels in int8): `description` gives its input shape, classes and
// preprocessing, `logits` runs it.
std::vector<ClassScore> predict_image(const Model& description, const LogitsFunction& logits,
                                      const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace distillery
