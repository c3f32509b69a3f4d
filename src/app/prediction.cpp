// Prediction on one image for the Predict panel and the JS API (see prediction.h).
#include "app/prediction.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/data/batch.h"
#include "engine/data/image.h"
#include "engine/losses/losses.h"

namespace distillery {

namespace {

std::vector<ClassScore> scores_of(const Model& model, const LogitsFunction& logits, const uint8_t* pixels) {
  const Shape& shape = model.input_shape();
  require(shape.rank() == 3, "the model does not take images");
  Dataset one;
  one.height = shape[0];
  one.width = shape[1];
  one.channels = shape[2];
  one.pixels.assign(pixels, pixels + one.image_bytes());
  one.labels = {0};
  one.class_names = {"?"};
  Tensor input;
  const int index = 0;
  gather_batch(one, &index, 1, model.preprocessing, input);
  Tensor probabilities;
  softmax(logits(input), 1.0f, probabilities);
  std::vector<ClassScore> scores;
  for (int k = 0; k < model.num_outputs(); ++k) {
    const std::string label = k < static_cast<int>(model.class_names.size()) ? model.class_names[k] : std::to_string(k);
    scores.push_back({label, k, probabilities[k]});
  }
  std::stable_sort(scores.begin(), scores.end(),
                   [](const ClassScore& a, const ClassScore& b) { return a.probability > b.probability; });
  return scores;
}

}  // namespace

std::vector<ClassScore> predict_pixels(Model& model, const uint8_t* pixels) {
  return scores_of(model, [&](const Tensor& x) -> const Tensor& { return model.forward(x, false); }, pixels);
}

std::vector<ClassScore> predict_image(const Model& description, const LogitsFunction& logits,
                                      const std::vector<uint8_t>& bytes, const std::string& name) {
  const Shape& shape = description.input_shape();
  require(shape.rank() == 3, "the model does not take images");
  const Image image = decode_image(bytes, shape[0], shape[1], shape[2], name);
  return scores_of(description, logits, image.pixels.data());
}

std::vector<ClassScore> predict_image(Model& model, const std::vector<uint8_t>& bytes, const std::string& name) {
  return predict_image(model, [&](const Tensor& x) -> const Tensor& { return model.forward(x, false); }, bytes, name);
}

}  // namespace distillery
