// Training-time augmentation: the spec's text form and its limits, the
// geometry (shift and flip are exact copies), mixup and cutmix against their
// definitions, determinism per (seed, step, position), the same bits on any
// thread count, and a digest of a fixed draw that the WebAssembly build of
// these tests must reproduce.
#include "engine/data/augment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "engine/core/settings.h"
#include "engine/data/batch.h"
#include "engine/data/test_util.h"
#include "engine/kernels/gemm.h"
#include "engine/train/band_dataset.h"
#include "engine/train/trainer.h"

namespace distillery {
namespace {

// `count` images h x w x c with pixel j of image i = (i * 37 + j * 11) % 256:
// deterministic on every platform, and two different images differ at every
// byte (37 is odd, so (i1 - i2) * 37 is not 0 mod 256 for |i1 - i2| < 256).
Dataset pattern_dataset(int count, int h, int w, int c, int classes = 4) {
  Dataset d;
  d.height = h;
  d.width = w;
  d.channels = c;
  for (int k = 0; k < classes; ++k) d.class_names.push_back("class" + std::to_string(k));
  const int64_t bytes = d.image_bytes();
  for (int i = 0; i < count; ++i) {
    d.labels.push_back(i % classes);
    for (int64_t j = 0; j < bytes; ++j) d.pixels.push_back(static_cast<uint8_t>((i * 37 + j * 11) % 256));
  }
  return d;
}

// The float of each pixel value, rounded after every operation as augment.cpp
// (compiled with -ffp-contract=off) rounds: the volatile keeps the compiler from
// fusing the multiply-add (-march=native has FMA), which rounds once.
float unfused_multiply_add(float a, float b, float c) {
  volatile float product = a * b;
  return product + c;
}

std::vector<float> pixel_table(const Preprocessing& pre) {
  std::vector<float> table(256);
  for (int v = 0; v < 256; ++v) table[size_t(v)] = unfused_multiply_add(float(v), pre.scale, -pre.mean) / pre.std;
  return table;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.size())) == 0;
}

const float* image_of(const Tensor& batch, int k) { return batch.data() + batch.row_size() * k; }

// ---------------------------------------------------------------- the spec

TEST(AugmentSpec, TextRoundTripsThroughParse) {
  for (const char* text : {"shift:2", "flip", "rotate:10", "scale:0.1", "mixup:0.2", "cutmix:1",
                           "shift:3,flip,rotate:12.5,scale:0.15,mixup:0.4,cutmix:1", "flip,cutmix:0.7",
                           "shift:64,rotate:180,scale:0.9,mixup:100"}) {
    SCOPED_TRACE(text);
    const AugmentSpec spec = parse_augment_spec(text);
    EXPECT_TRUE(spec.any());
    EXPECT_EQ(augment_spec_text(spec), text);  // these are written canonically
    EXPECT_EQ(parse_augment_spec(augment_spec_text(spec)), spec);
  }
  // Another order, the same spec: the text is the canonical one.
  const AugmentSpec reordered = parse_augment_spec("cutmix:1,mixup:0.2,flip,shift:2");
  EXPECT_EQ(augment_spec_text(reordered), "shift:2,flip,mixup:0.2,cutmix:1");
  EXPECT_EQ(reordered.shift, 2);
  EXPECT_TRUE(reordered.flip);
  EXPECT_FLOAT_EQ(reordered.mixup, 0.2f);
  EXPECT_FLOAT_EQ(reordered.cutmix, 1.0f);
  EXPECT_EQ(reordered.rotate, 0.0f);
  // A float with no short decimal form still reads back as itself.
  AugmentSpec odd;
  odd.rotate = 1.0f / 3.0f;
  odd.mixup = 0.1f + 1e-7f;
  EXPECT_EQ(parse_augment_spec(augment_spec_text(odd)), odd);
}

TEST(AugmentSpec, NoneAndEmptyAndZeroValuesMeanNoAugmentation) {
  for (const char* text : {"", "none", "shift:0", "mixup:0,cutmix:0"}) {
    SCOPED_TRACE(text);
    const AugmentSpec spec = parse_augment_spec(text);
    EXPECT_FALSE(spec.any());
    EXPECT_EQ(spec, AugmentSpec{});
    EXPECT_EQ(augment_spec_text(spec), "none");
  }
  EXPECT_EQ(augment_spec_text(AugmentSpec{}), "none");
}

TEST(AugmentSpec, BadSpecsThrowErrorsNamingTheItem) {
  EXPECT_ERROR_WITH(parse_augment_spec("blur:2"), "unknown item 'blur:2'", "shift:PIXELS");
  EXPECT_ERROR_WITH(parse_augment_spec("shift:2,none"), "unknown item 'none'");
  EXPECT_ERROR_WITH(parse_augment_spec("shift"), "'shift' needs a value");
  EXPECT_ERROR_WITH(parse_augment_spec("flip,mixup"), "'mixup' needs a value");
  EXPECT_ERROR_WITH(parse_augment_spec("rotate:abc"), "'rotate:abc' is not a number");
  EXPECT_ERROR_WITH(parse_augment_spec("scale:"), "'scale:' is not a number");
  EXPECT_ERROR_WITH(parse_augment_spec("mixup:0.2x"), "'mixup:0.2x' is not a number");
  EXPECT_ERROR_WITH(parse_augment_spec("rotate:nan"), "'rotate:nan' is not a number");
  EXPECT_ERROR_WITH(parse_augment_spec("shift:1.5"), "'shift:1.5'", "whole number");
  EXPECT_ERROR_WITH(parse_augment_spec("flip:1"), "'flip' takes no value");
  EXPECT_ERROR_WITH(parse_augment_spec("shift:1,flip,shift:2"), "'shift' is given twice");
  EXPECT_ERROR_WITH(parse_augment_spec("flip,flip"), "'flip' is given twice");
  EXPECT_ERROR_WITH(parse_augment_spec("shift:65"), "shift", "65");
  EXPECT_ERROR_WITH(parse_augment_spec("shift:-1"), "shift", "-1");
  EXPECT_ERROR_WITH(parse_augment_spec("rotate:181"), "rotate", "181");
  EXPECT_ERROR_WITH(parse_augment_spec("scale:0.95"), "scale", "0.95");
  EXPECT_ERROR_WITH(parse_augment_spec("mixup:-1"), "mixup", "-1");
  EXPECT_ERROR_WITH(parse_augment_spec("cutmix:101"), "cutmix", "101");
  EXPECT_ERROR_WITH(parse_augment_spec("shift:2,"), "empty item", "'shift:2,'");
  EXPECT_ERROR_WITH(parse_augment_spec(",flip"), "empty item");
  EXPECT_ERROR_WITH(parse_augment_spec("flip,,shift:1"), "empty item");
  // The limits themselves are inclusive.
  EXPECT_NO_THROW(parse_augment_spec("shift:64,rotate:180,scale:0.9,mixup:100,cutmix:100"));
}

TEST(AugmentSpec, ValidateRejectsOutOfRangeAndNonFiniteFields) {
  EXPECT_NO_THROW(validate_augment_spec(AugmentSpec{}));
  AugmentSpec s;
  s.rotate = std::nanf("");
  EXPECT_ERROR_WITH(validate_augment_spec(s), "rotate");
  s = AugmentSpec{};
  s.scale = INFINITY;
  EXPECT_ERROR_WITH(validate_augment_spec(s), "scale");
  s = AugmentSpec{};
  s.shift = 100;
  EXPECT_ERROR_WITH(validate_augment_spec(s), "shift", "100");
  s = AugmentSpec{};
  s.cutmix = -0.5f;
  EXPECT_ERROR_WITH(validate_augment_spec(s), "cutmix");
  // The augmenter refuses a bad spec too.
  s = AugmentSpec{};
  s.mixup = 1000;
  EXPECT_ERROR_WITH(BatchAugmenter(s, 1), "mixup");
}

// ---------------------------------------------------------------- geometry

TEST(AugmentDraw, EmptySpecEqualsGatherBatchBitForBit) {
  const Dataset data = pattern_dataset(10, 5, 7, 3);
  const std::vector<int> indices{4, 0, 9, 4, 2};
  BatchAugmenter augmenter(AugmentSpec{}, 123);
  BatchTargets targets;
  Preprocessing scaled;
  scaled.std = 0.7f;
  Preprocessing shifted;
  shifted.mean = 0.3f;
  shifted.std = 0.7f;
  for (const Preprocessing& pre : {Preprocessing{}, scaled, shifted}) {
    SCOPED_TRACE("mean " + std::to_string(pre.mean) + " std " + std::to_string(pre.std));
    Tensor plain, drawn;
    gather_batch(data, indices.data(), 5, pre, plain);
    const std::vector<float> table = pixel_table(pre);
    for (int64_t step : {0, 1, 57}) {
      augmenter.draw(data, indices.data(), 5, pre, step, drawn, targets);
      ASSERT_EQ(drawn.shape(), plain.shape());
      for (int64_t i = 0; i < drawn.size(); ++i) {
        // Each value is the pixel's preprocessed float, rounded as WebAssembly rounds.
        const int k = static_cast<int>(i / drawn.row_size());
        ASSERT_EQ(drawn[i], table[data.image(indices[size_t(k)])[i % drawn.row_size()]]) << "value " << i;
        // batch.cpp is compiled without fused multiply-adds too (CMakeLists.txt): the same bits.
        ASSERT_EQ(drawn[i], plain[i]) << "value " << i;
      }
      EXPECT_FALSE(targets.mixed);
      for (int k = 0; k < 5; ++k) {
        EXPECT_EQ(targets.label[size_t(k)], data.labels[size_t(indices[size_t(k)])]);
        EXPECT_EQ(targets.partner[size_t(k)], targets.label[size_t(k)]);
        EXPECT_EQ(targets.weight[size_t(k)], 1.0f);
        EXPECT_EQ(targets.partner_position[size_t(k)], k);
      }
    }
  }
}

TEST(AugmentDraw, ShiftMovesTheImageByAtMostKAndPadsWithBlack) {
  // A 9x9 RGB image on a grey background (10, so the padding, 0, is told apart)
  // with a bright pixel in the middle and a dimmer one off to the side.
  const int h = 9, w = 9, c = 3, k = 2;
  Dataset data;
  data.height = h;
  data.width = w;
  data.channels = c;
  data.class_names = {"a", "b"};
  data.labels = {0};
  data.pixels.assign(size_t(h * w * c), 10);
  for (int ch = 0; ch < c; ++ch) {
    data.pixels[size_t((4 * w + 4) * c + ch)] = static_cast<uint8_t>(255 - ch);
    data.pixels[size_t((3 * w + 6) * c + ch)] = static_cast<uint8_t>(128 + ch);
  }
  Preprocessing pre;
  pre.mean = 0.5f;
  pre.std = 0.25f;
  const std::vector<float> table = pixel_table(pre);
  const std::vector<int> indices(8, 0);  // the same image at every position

  BatchAugmenter augmenter(parse_augment_spec("shift:2"), 99);
  Tensor images;
  BatchTargets targets;
  std::set<std::pair<int, int>> offsets;
  for (int64_t step = 0; step < 40; ++step) {
    augmenter.draw(data, indices.data(), 8, pre, step, images, targets);
    EXPECT_FALSE(targets.mixed);
    for (int b = 0; b < 8; ++b) {
      const float* img = image_of(images, b);
      // Where did the bright pixel go?
      int found = 0, dy = 0, dx = 0;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          if (img[(y * w + x) * c] == table[255]) {
            ++found;
            dy = y - 4;
            dx = x - 4;
          }
      ASSERT_EQ(found, 1) << "step " << step << " position " << b;
      ASSERT_LE(std::abs(dy), k);
      ASSERT_LE(std::abs(dx), k);
      offsets.insert({dy, dx});
      // Every pixel is the source pixel (y - dy, x - dx), or black outside.
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int ch = 0; ch < c; ++ch) {
            const int sy = y - dy, sx = x - dx;
            const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
            const float expected = inside ? table[data.pixels[size_t((sy * w + sx) * c + ch)]] : table[0];
            ASSERT_EQ(img[(y * w + x) * c + ch], expected)
                << "step " << step << " position " << b << " at " << y << "," << x << "," << ch;
          }
    }
  }
  // 320 draws from 25 offsets: every one of them, the extremes included.
  EXPECT_EQ(offsets.size(), 25u);
  EXPECT_EQ(offsets.begin()->first, -k);
  EXPECT_EQ(offsets.rbegin()->first, k);
  int min_dx = 0, max_dx = 0;
  for (const auto& o : offsets) {
    min_dx = std::min(min_dx, o.second);
    max_dx = std::max(max_dx, o.second);
  }
  EXPECT_EQ(min_dx, -k);
  EXPECT_EQ(max_dx, k);
}

TEST(AugmentDraw, FlipMirrorsLeftRightExactlyAboutHalfTheTime) {
  const Dataset data = pattern_dataset(3, 4, 7, 2);
  const Preprocessing pre;
  const std::vector<float> table = pixel_table(pre);
  const std::vector<int> indices{0, 1, 2, 1};
  BatchAugmenter augmenter(parse_augment_spec("flip"), 5);
  Tensor images;
  BatchTargets targets;
  int flipped = 0, kept = 0;
  const int h = 4, w = 7, c = 2;
  for (int64_t step = 0; step < 50; ++step) {
    augmenter.draw(data, indices.data(), 4, pre, step, images, targets);
    for (int b = 0; b < 4; ++b) {
      const float* img = image_of(images, b);
      const uint8_t* src = data.image(indices[size_t(b)]);
      bool is_plain = true, is_mirror = true;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int ch = 0; ch < c; ++ch) {
            const float v = img[(y * w + x) * c + ch];
            is_plain &= v == table[src[(y * w + x) * c + ch]];
            is_mirror &= v == table[src[(y * w + (w - 1 - x)) * c + ch]];
          }
      ASSERT_TRUE(is_plain != is_mirror) << "step " << step << " position " << b << ": neither a copy nor a mirror";
      (is_mirror ? flipped : kept) += 1;
    }
  }
  EXPECT_GT(flipped, 60);  // of 200, binomial(200, 1/2)
  EXPECT_GT(kept, 60);
}

TEST(AugmentDraw, RotateAndScaleResampleAConstantImageToItselfNearTheCentre) {
  // One bilinear resampling about the centre: with zoom in [0.8, 1.2] and at
  // most 30 degrees, the pixels within 2 of the centre read only pixels of the
  // image, so a constant image stays that constant there; nothing anywhere
  // comes out outside [black, the constant].
  Dataset data;
  data.height = data.width = 11;
  data.channels = 1;
  data.class_names = {"a"};
  data.labels = {0, 0};
  data.pixels.assign(121, 200);
  // The second image is not constant: resampling must change it.
  for (int i = 0; i < 121; ++i) data.pixels.push_back(static_cast<uint8_t>(i * 2));
  const Preprocessing pre;
  const std::vector<float> table = pixel_table(pre);
  BatchAugmenter augmenter(parse_augment_spec("rotate:30,scale:0.2"), 3);
  Tensor images, plain;
  BatchTargets targets;
  const int indices[4] = {0, 0, 1, 1};
  gather_batch(data, indices, 4, pre, plain);
  int changed = 0;
  for (int64_t step = 0; step < 10; ++step) {
    augmenter.draw(data, indices, 4, pre, step, images, targets);
    for (int b = 0; b < 2; ++b) {
      const float* img = image_of(images, b);
      EXPECT_EQ(img[5 * 11 + 5], table[200]);  // the centre is a fixed point
      for (int y = 3; y <= 7; ++y)
        for (int x = 3; x <= 7; ++x) EXPECT_NEAR(img[y * 11 + x], table[200], 1e-5f) << y << "," << x;
      for (int i = 0; i < 121; ++i) {
        EXPECT_GE(img[i], table[0] - 1e-6f);
        EXPECT_LE(img[i], table[200] + 1e-5f);
      }
    }
    for (int b = 2; b < 4; ++b)
      changed += !std::equal(image_of(images, b), image_of(images, b) + 121, image_of(plain, b));
  }
  EXPECT_EQ(changed, 20);
}

// ---------------------------------------------------------------- determinism

TEST(AugmentDraw, SameSeedAndStepGiveTheSameBitsOtherStepsDiffer) {
  const Dataset data = pattern_dataset(12, 8, 8, 3);
  Preprocessing pre;
  pre.mean = 0.2f;
  const AugmentSpec spec = parse_augment_spec("shift:2,flip,rotate:15,scale:0.2,mixup:0.5,cutmix:1");
  const std::vector<int> indices{3, 1, 4, 1, 5, 9, 2, 6};
  BatchAugmenter a(spec, 11), b(spec, 11), other_seed(spec, 12);
  Tensor ia, ib, ic;
  BatchTargets ta, tb, tc;
  // b draws other steps first: a draw depends on nothing but (seed, step, position).
  b.draw(data, indices.data(), 8, pre, 6, ib, tb);
  for (int64_t step : {0, 1, 5, 1000000007}) {
    a.draw(data, indices.data(), 8, pre, step, ia, ta);
    b.draw(data, indices.data(), 8, pre, step, ib, tb);
    EXPECT_TRUE(same_bits(ia, ib)) << "step " << step;
    EXPECT_EQ(ta.weight, tb.weight);
    EXPECT_EQ(ta.partner_position, tb.partner_position);
    EXPECT_EQ(ta.partner, tb.partner);
    other_seed.draw(data, indices.data(), 8, pre, step, ic, tc);
    EXPECT_FALSE(same_bits(ia, ic)) << "another seed, step " << step;
  }
  a.draw(data, indices.data(), 8, pre, 0, ia, ta);
  b.draw(data, indices.data(), 8, pre, 1, ib, tb);
  EXPECT_FALSE(same_bits(ia, ib));
  EXPECT_NE(ta.weight, tb.weight);
}

TEST(AugmentDraw, EachBatchPositionDrawsIndependently) {
  const Dataset data = pattern_dataset(4, 8, 8, 1);
  const Preprocessing pre;
  BatchAugmenter augmenter(parse_augment_spec("shift:3,flip"), 21);
  Tensor images, other;
  BatchTargets targets;
  // One sample at all 16 positions: the copies are not all placed alike.
  const std::vector<int> same(16, 2);
  augmenter.draw(data, same.data(), 16, pre, 0, images, targets);
  std::set<std::vector<float>> distinct;
  for (int b = 0; b < 16; ++b) distinct.insert(std::vector<float>(image_of(images, b), image_of(images, b) + 64));
  EXPECT_GE(distinct.size(), 8u);
  // A position's draw does not depend on the other samples of the batch (no mixing).
  const int first[3] = {2, 0, 1}, second[3] = {2, 3, 3};
  augmenter.draw(data, first, 3, pre, 4, images, targets);
  augmenter.draw(data, second, 3, pre, 4, other, targets);
  EXPECT_TRUE(std::equal(image_of(images, 0), image_of(images, 0) + 64, image_of(other, 0)));
  // Nor on the batch size.
  augmenter.draw(data, first, 1, pre, 4, other, targets);
  EXPECT_TRUE(std::equal(image_of(images, 0), image_of(images, 0) + 64, image_of(other, 0)));
}

TEST(AugmentDraw, AugmentedTrainingGivesTheSameWeightsOnOneAndTwoThreads) {
  // The augmentation must not depend on the thread count. The products here
  // stay below gemm_parallel_threshold(), so nothing else does either: a GEMM
  // split over threads hands Eigen narrower blocks, which sum in another order
  // (with set_gemm_parallel_threshold(0) these weights differ natively even
  // without augmentation).
  const Dataset data = test::make_band_dataset(150, 8);
  ASSERT_LT(2 * 32 * 36 * 64, gemm_parallel_threshold());
  {  // A draw by itself.
    const AugmentSpec spec = parse_augment_spec("shift:2,flip,rotate:10,scale:0.1,mixup:0.4,cutmix:1");
    const std::vector<int> indices = all_indices(64);
    Tensor drawn[3];
    BatchTargets targets[3];
    const int threads[3] = {1, 2, 4};
    for (int t = 0; t < 3; ++t) {
      set_thread_count(threads[t]);
      BatchAugmenter augmenter(spec, 5);
      augmenter.draw(data, indices.data(), 64, Preprocessing{}, 3, drawn[t], targets[t]);
    }
    for (int t = 1; t < 3; ++t) {
      EXPECT_TRUE(same_bits(drawn[0], drawn[t])) << threads[t] << " threads";
      EXPECT_EQ(targets[0].weight, targets[t].weight) << threads[t] << " threads";
    }
  }
  std::vector<float> weights[2];
  for (int run_index = 0; run_index < 2; ++run_index) {
    set_thread_count(run_index == 0 ? 1 : 2);
    Model model = test::make_band_model({{{"type", "dense"}, {"units", 64}}, {{"type", "relu"}}}, 13);
    TrainConfig config;
    config.epochs = 3;
    config.batch_size = 32;
    config.learning_rate = 0.01f;
    config.seed = 17;
    config.augment = parse_augment_spec("shift:2,flip,rotate:10,scale:0.1,mixup:0.4,cutmix:1");
    TrainingRun run(model, data, all_indices(data.size()), {}, config);
    run.run();
    weights[run_index] = model.params().values;
  }
  set_thread_count(0);
  ASSERT_FALSE(weights[0].empty());
  EXPECT_EQ(weights[0], weights[1]);
  // The augmentation was on: without it the run ends elsewhere.
  Model plain = test::make_band_model({{{"type", "dense"}, {"units", 64}}, {{"type", "relu"}}}, 13);
  TrainConfig config;
  config.epochs = 3;
  config.batch_size = 32;
  config.learning_rate = 0.01f;
  config.seed = 17;
  TrainingRun run(plain, data, all_indices(data.size()), {}, config);
  run.run();
  EXPECT_NE(plain.params().values, weights[0]);
}

// FNV-1a 64 over raw bytes.
void fnv1a(uint64_t& hash, const void* bytes, size_t size) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= 0x100000001B3ull;
  }
}

TEST(AugmentDraw, FixedDrawHasTheSameDigestOnEveryPlatform) {
  // engine_tests is also built for WebAssembly and run under Node
  // (CMakeLists.txt: engine_tests_wasm): this constant, obtained from the native
  // build, must come out there too. That is the check that native and WASM
  // augment to the same bits (portable exp/log/sin/cos, -ffp-contract=off).
  const Dataset data = pattern_dataset(10, 10, 12, 3);
  Preprocessing pre;
  pre.mean = 0.25f;
  pre.std = 0.5f;
  const AugmentSpec spec = parse_augment_spec("shift:2,flip,rotate:15,scale:0.2,mixup:0.5,cutmix:1.0");
  BatchAugmenter augmenter(spec, 7);
  const std::vector<int> indices{3, 0, 7, 5, 9, 1, 8, 2};
  Tensor images;
  BatchTargets targets;
  uint64_t hash = 0xCBF29CE484222325ull;
  for (int64_t step = 0; step <= 2; ++step) {
    augmenter.draw(data, indices.data(), 8, pre, step, images, targets);
    fnv1a(hash, images.data(), sizeof(float) * size_t(images.size()));
    fnv1a(hash, targets.weight.data(), sizeof(float) * targets.weight.size());
    fnv1a(hash, targets.partner.data(), sizeof(int) * targets.partner.size());
  }
  EXPECT_EQ(hash, 0x84A4E03FD9B5C34Cull) << std::hex << "digest 0x" << hash;
}

// ---------------------------------------------------------------- mixing

TEST(AugmentMix, MixupIsTheRecordedWeightOfOwnAndPartner) {
  const Dataset data = pattern_dataset(16, 6, 5, 3);
  Preprocessing pre;
  pre.mean = 0.1f;
  pre.std = 0.9f;
  const std::vector<int> indices{0, 5, 3, 12, 7, 9, 14, 2, 11, 6};
  const int n = static_cast<int>(indices.size());
  // The geometric part alone, then with mixup: mixing does not move any sample.
  for (const char* geometry : {"", "shift:2,flip"}) {
    SCOPED_TRACE(geometry);
    const std::string mixed_spec = std::string(geometry) + (*geometry ? "," : "") + "mixup:0.4";
    BatchAugmenter unmixed_augmenter(parse_augment_spec(geometry), 31), augmenter(parse_augment_spec(mixed_spec), 31);
    Tensor unmixed, images;
    BatchTargets plain_targets, targets;
    int mixed_with_another = 0;
    for (int64_t step = 0; step < 6; ++step) {
      // With no geometry this is the plain gather, rounded as augment.cpp rounds (see EmptySpecEquals...).
      unmixed_augmenter.draw(data, indices.data(), n, pre, step, unmixed, plain_targets);
      EXPECT_FALSE(plain_targets.mixed);
      augmenter.draw(data, indices.data(), n, pre, step, images, targets);
      ASSERT_TRUE(targets.mixed);
      std::vector<int> positions = targets.partner_position;
      std::sort(positions.begin(), positions.end());
      for (int k = 0; k < n; ++k) EXPECT_EQ(positions[size_t(k)], k) << "partners are a permutation";
      for (int k = 0; k < n; ++k) {
        const int j = targets.partner_position[size_t(k)];
        const float wk = targets.weight[size_t(k)];
        EXPECT_GT(wk, 0.0f);
        EXPECT_LT(wk, 1.0f);
        EXPECT_EQ(targets.label[size_t(k)], data.labels[size_t(indices[size_t(k)])]);
        EXPECT_EQ(targets.partner[size_t(k)], data.labels[size_t(indices[size_t(j)])]);
        mixed_with_another += j != k;
        const float* own = image_of(unmixed, k);
        const float* other = image_of(unmixed, j);
        const float* out = image_of(images, k);
        const float rest = 1.0f - wk;
        for (int64_t i = 0; i < images.row_size(); ++i) {
          volatile float own_part = wk * own[i];  // rounded apart, as augment.cpp rounds (no FMA)
          volatile float other_part = rest * other[i];
          ASSERT_EQ(out[i], own_part + other_part) << "step " << step << " sample " << k << " value " << i;
        }
      }
    }
    EXPECT_GT(mixed_with_another, 30);
  }
}

TEST(AugmentMix, CutmixPastesOneBoxWhoseAreaIsOneMinusTheWeight) {
  const int h = 10, w = 12, c = 3;
  const Dataset data = pattern_dataset(16, h, w, c);
  const Preprocessing pre;
  const std::vector<int> indices{0, 5, 3, 12, 7, 9, 14, 2};
  const int n = static_cast<int>(indices.size());
  BatchAugmenter augmenter(parse_augment_spec("cutmix:1"), 77);
  Tensor plain, images;
  BatchTargets targets;
  gather_batch(data, indices.data(), n, pre, plain);
  int boxes = 0;
  for (int64_t step = 0; step < 12; ++step) {
    augmenter.draw(data, indices.data(), n, pre, step, images, targets);
    ASSERT_TRUE(targets.mixed);
    for (int k = 0; k < n; ++k) {
      const int j = targets.partner_position[size_t(k)];
      EXPECT_EQ(targets.partner[size_t(k)], data.labels[size_t(indices[size_t(j)])]);
      const float* own = image_of(plain, k);
      const float* other = image_of(plain, j);
      const float* out = image_of(images, k);
      if (j == k) {  // pasted from itself: nothing to see
        EXPECT_TRUE(std::equal(out, out + images.row_size(), own));
        continue;
      }
      // The box is where the image is not its own; different images differ at every pixel.
      int y0 = h, y1 = 0, x0 = w, x1 = 0;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          if (out[(y * w + x) * c] != own[(y * w + x) * c]) {
            y0 = std::min(y0, y);
            y1 = std::max(y1, y + 1);
            x0 = std::min(x0, x);
            x1 = std::max(x1, x + 1);
          }
      const int area = y1 > y0 ? (y1 - y0) * (x1 - x0) : 0;
      boxes += area > 0;
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          const bool in_box = y >= y0 && y < y1 && x >= x0 && x < x1;
          for (int ch = 0; ch < c; ++ch) {
            const int64_t i = (y * w + x) * c + ch;
            ASSERT_EQ(out[i], in_box ? other[i] : own[i]) << "step " << step << " sample " << k << " at " << y
                                                          << "," << x << "," << ch;
          }
        }
      const float wk = targets.weight[size_t(k)];
      EXPECT_EQ(wk, 1.0f - float(area) / float(h * w)) << "step " << step << " sample " << k;
      EXPECT_NEAR(1.0 - double(wk), double(area) / double(h * w), 1e-6);
    }
  }
  EXPECT_GT(boxes, 40);
}

TEST(AugmentMix, SingleSampleBatchIsNotMixed) {
  const Dataset data = pattern_dataset(3, 4, 4, 1);
  const Preprocessing pre;
  BatchAugmenter augmenter(parse_augment_spec("mixup:0.5,cutmix:1"), 1);
  Tensor plain, images;
  BatchTargets targets;
  const int index = 1;
  gather_batch(data, &index, 1, pre, plain);
  augmenter.draw(data, &index, 1, pre, 3, images, targets);
  EXPECT_FALSE(targets.mixed);
  EXPECT_TRUE(same_bits(plain, images));
  EXPECT_EQ(targets.weight[0], 1.0f);
}

}  // namespace
}  // namespace distillery
