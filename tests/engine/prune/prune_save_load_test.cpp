// Pruned models through the model file: masks survive save/load (and keep
// working in fine-tuning afterwards); a structured-pruned model is saved and
// loaded as the smaller dense model.
#include <gtest/gtest.h>

#include "engine/io/model_json.h"
#include "engine/prune/masks.h"
#include "engine/prune/structured.h"
#include "engine/prune/unstructured.h"
#include "engine/train/trainer.h"
#include "engine/prune/prune_test_util.h"

namespace distillery {
namespace {

TEST(PruneSaveLoad, MasksSurviveBothEncodingsAndStillBindInTraining) {
  for (const char* encoding : {"array", "base64"}) {
    Model m = test::make_cnn();
    prune_global_magnitude(m, 0.9f);
    Model loaded = load_model_json(save_model_json(m, {weights_encoding_names().parse(encoding), -1}));
    EXPECT_EQ(loaded.params().masks, m.params().masks) << encoding;
    EXPECT_EQ(loaded.params().values, m.params().values) << encoding;
    EXPECT_NEAR(global_sparsity(loaded.params()), 0.9, 1e-3);
    const Tensor x = test::random_batch(m.input_shape(), 4, 2);
    EXPECT_LT(test::max_abs_diff(loaded.predict_logits(x), m.predict_logits(x)), 1e-6f);

    // Fine-tuning the loaded model keeps its pruned weights at zero.
    const Dataset data = test::make_band_dataset(48, 3);
    TrainConfig c;
    c.epochs = 2;
    c.batch_size = 8;
    TrainingRun run(loaded, data, all_indices(data.size()), {}, c);
    run.run();
    for (size_t i = 0; i < m.params().masks.size(); ++i)
      if (m.params().masks[i] == 0.0f) {
        ASSERT_EQ(loaded.params().values[i], 0.0f);
      }
  }
}

TEST(PruneSaveLoad, StructuredModelIsSavedAsTheSmallerDenseModel) {
  Model m = test::make_cnn();
  Model small = prune_structured(m, 0.5f, NormCriterion::l2);
  const std::string text = save_model_json(small);
  EXPECT_EQ(text.find("\"mask\""), std::string::npos);  // nothing masked: just smaller
  Model loaded = load_model_json(text);
  EXPECT_EQ(loaded.parameter_count(), small.parameter_count());
  EXPECT_LT(loaded.parameter_count(), m.parameter_count());
  const Tensor x = test::random_batch(m.input_shape(), 4, 5);
  EXPECT_LT(test::max_abs_diff(loaded.predict_logits(x), small.predict_logits(x)), 1e-6f);
}

}  // namespace
}  // namespace distillery
