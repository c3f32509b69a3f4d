// Unstructured pruning: exact per-tensor and global counts, deterministic ties,
// monotone re-pruning, the random baseline, and clear errors.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.h"
#include "engine/prune/masks.h"
#include "engine/prune/unstructured.h"
#include "engine/prune/prune_test_util.h"

namespace distillery {
namespace {

using test::make_mlp;

int64_t expected_masked(float s, int64_t n) { return std::llround(static_cast<double>(s) * n); }

TEST(MagnitudePruning, EveryKernelReachesTheTargetExactly) {
  for (float s : {0.0f, 0.3f, 0.5f, 0.77f, 0.9f, 0.99f}) {
    Model m = make_mlp();
    prune_magnitude(m, s);
    const ParamStore& p = m.params();
    for (int r : prunable_refs(p)) {
      EXPECT_EQ(masked_count(p, p.refs[r]), expected_masked(s, p.refs[r].size())) << "sparsity " << s << " ref " << r;
    }
    // Biases are never pruned, and masked weights are exactly zero.
    for (const auto& ref : p.refs)
      for (int64_t i = ref.offset; i < ref.offset + ref.size(); ++i) {
        if (!ref.spec.prunable) {
          EXPECT_EQ(p.masks[i], 1.0f);
        }
        if (p.masks[i] == 0.0f) {
          EXPECT_EQ(p.values[i], 0.0f);
        }
      }
  }
}

TEST(MagnitudePruning, RemovesTheSmallestWeightsOfEachTensor) {
  Model original = make_mlp();
  Model m = original.clone();
  prune_magnitude(m, 0.6f);
  const ParamStore& p = m.params();
  for (int r : prunable_refs(p)) {
    const ParamRef& ref = p.refs[r];
    float largest_pruned = 0, smallest_kept = INFINITY;
    for (int64_t i = ref.offset; i < ref.offset + ref.size(); ++i) {
      const float w = std::fabs(original.params().values[i]);
      if (p.masks[i] == 0.0f)
        largest_pruned = std::max(largest_pruned, w);
      else
        smallest_kept = std::min(smallest_kept, w);
    }
    EXPECT_LE(largest_pruned, smallest_kept);
  }
}

TEST(MagnitudePruning, TiesAreBrokenByPositionSoCountsStayExact) {
  Model m = make_mlp();
  std::fill(m.params().values.begin(), m.params().values.end(), 0.5f);  // every weight ties
  prune_magnitude(m, 0.5f);
  const ParamStore& p = m.params();
  const ParamRef& first = p.refs[prunable_refs(p)[0]];
  const int64_t target = expected_masked(0.5f, first.size());
  EXPECT_EQ(masked_count(p, first), target);
  for (int64_t i = 0; i < first.size(); ++i) EXPECT_EQ(p.masks[first.offset + i], i < target ? 0.0f : 1.0f) << i;
}

TEST(MagnitudePruning, PruningFurtherKeepsEarlierMasks) {
  Model m = make_mlp();
  prune_magnitude(m, 0.5f);
  const std::vector<float> first = m.params().masks;
  // Grow the pruned weights' originals out of the way: masks must not come back.
  prune_magnitude(m, 0.8f);
  for (size_t i = 0; i < first.size(); ++i)
    if (first[i] == 0.0f) {
      EXPECT_EQ(m.params().masks[i], 0.0f);
    }
  // A lower target than already reached changes nothing.
  const std::vector<float> second = m.params().masks;
  prune_magnitude(m, 0.3f);
  EXPECT_EQ(m.params().masks, second);
  EXPECT_NEAR(global_sparsity(m.params()), 0.8, 0.01);
}

TEST(GlobalPruning, OneThresholdAndAnExactTotal) {
  Model original = make_mlp();
  for (float s : {0.25f, 0.6f, 0.9f}) {
    Model m = original.clone();
    prune_global_magnitude(m, s);
    const ParamStore& p = m.params();
    int64_t total = 0, masked = 0;
    float largest_pruned = 0, smallest_kept = INFINITY;
    for (int r : prunable_refs(p)) {
      total += p.refs[r].size();
      masked += masked_count(p, p.refs[r]);
      for (int64_t i = p.refs[r].offset; i < p.refs[r].offset + p.refs[r].size(); ++i) {
        const float w = std::fabs(original.params().values[i]);
        if (p.masks[i] == 0.0f)
          largest_pruned = std::max(largest_pruned, w);
        else
          smallest_kept = std::min(smallest_kept, w);
      }
    }
    EXPECT_EQ(masked, expected_masked(s, total));
    EXPECT_LE(largest_pruned, smallest_kept);
    EXPECT_NEAR(global_sparsity(p), s, 1e-3);
  }
}

TEST(GlobalPruning, LayersEndUpWithDifferentSparsities) {
  Model m = make_mlp();
  // Scale the first kernel up: a global threshold should spare it.
  const ParamRef& first = m.params().refs[prunable_refs(m.params())[0]];
  for (int64_t i = first.offset; i < first.offset + first.size(); ++i) m.params().values[i] *= 10.0f;
  prune_global_magnitude(m, 0.5f);
  // 648 of 1296 weights go; the two small kernels hold only 432, nearly all pruned.
  EXPECT_LT(layer_sparsity(m, 1), 0.3);
  EXPECT_GT(layer_sparsity(m, 3), 0.9);
  EXPECT_GT(layer_sparsity(m, 5), 0.9);
}

TEST(RandomPruning, ExactCountsSeededAndUnrelatedToMagnitude) {
  Model a = make_mlp(), b = make_mlp(), c = make_mlp();
  prune_random(a, 0.7f, 11);
  prune_random(b, 0.7f, 11);
  prune_random(c, 0.7f, 12);
  const ParamStore& p = a.params();
  for (int r : prunable_refs(p)) EXPECT_EQ(masked_count(p, p.refs[r]), expected_masked(0.7f, p.refs[r].size()));
  EXPECT_EQ(a.params().masks, b.params().masks);
  EXPECT_NE(a.params().masks, c.params().masks);
  // Random pruning removes some large weights that magnitude pruning keeps.
  Model m = make_mlp();
  prune_magnitude(m, 0.7f);
  EXPECT_NE(a.params().masks, m.params().masks);
}

TEST(RandomPruning, RePruningIsMonotone) {
  Model m = make_mlp();
  prune_random(m, 0.4f, 1);
  const std::vector<float> first = m.params().masks;
  prune_random(m, 0.8f, 2);
  for (size_t i = 0; i < first.size(); ++i)
    if (first[i] == 0.0f) {
      EXPECT_EQ(m.params().masks[i], 0.0f);
    }
  const ParamStore& p = m.params();
  for (int r : prunable_refs(p)) EXPECT_EQ(masked_count(p, p.refs[r]), expected_masked(0.8f, p.refs[r].size()));
}

TEST(UnstructuredPruning, BadInputGivesClearErrors) {
  Model m = make_mlp();
  for (float bad : {1.0f, 1.5f, -0.1f, NAN}) {
    try {
      prune_unstructured(m, PruneMethod::kMagnitude, bad, 1);
      FAIL() << "accepted sparsity " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("sparsity must be in [0, 1)"), std::string::npos) << e.what();
    }
  }
  try {
    prune_unstructured(m, prune_method_from_name("lottery"), 0.5f, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown pruning method 'lottery'"), std::string::npos) << e.what();
  }
  Rng rng(1);
  Model empty = Model::from_layer_configs({test::layer("flatten")}, Shape{2, 2, 1}, rng);
  try {
    prune_unstructured(empty, PruneMethod::kGlobal, 0.5f, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing to prune"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace distillery
