#pragma once
// How raw uint8 pixels become the model's float input:
// x = (pixel * scale - mean) / std, after the image is brought to the model's
// input size and colour mode. Stored in the model file so a model carries the
// preprocessing it was trained with.
namespace distillery {

struct Preprocessing {
  float scale = 1.0f / 255.0f;
  float mean = 0.0f;
  float std = 1.0f;
};

}  // namespace distillery
