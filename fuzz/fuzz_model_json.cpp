// Fuzz target: the Distillery model file (load_model_json). A file that
// loads must also save, load again to the same weights, and run a forward
// pass when small enough: a model accepted from bytes has to be usable.
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/core/error.h"
#include "engine/io/model_json.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Model model;
  try {
    model = load_model_json(text);
  } catch (const Error&) {
    return 0;  // rejected with a message: the expected outcome for most inputs
  }
  Model again = load_model_json(save_model_json(model, {WeightsEncoding::kBase64, -1}));
  if (again.params().values.size() != model.params().values.size() ||
      std::memcmp(again.params().values.data(), model.params().values.data(),
                  model.params().values.size() * sizeof(float)) != 0)
    __builtin_trap();  // a saved model must load back bit-identically
  if (model.input_shape().size() <= 4096 && model.flops_per_sample() <= (int64_t(1) << 22)) {
    Tensor input(model.input_shape().with_batch(2));
    for (int64_t i = 0; i < input.size(); ++i) input.data()[i] = float(i % 7) - 3.0f;
    const Tensor& logits = model.forward(input, false);
    if (logits.size() != 2 * int64_t(model.num_outputs())) __builtin_trap();
  }
  return 0;
}
