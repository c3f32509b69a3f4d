// The CSR kernel gives the dense product on odd shapes and batch sizes, and a
// pruned Dense layer switches to it by itself for inference, with the same
// outputs, while training keeps the dense path and sees weight changes.
#include <gtest/gtest.h>

#include <vector>

#include "engine/kernels/gemm.h"
#include "engine/kernels/sparse_matmul.h"
#include "engine/layers/dense.h"
#include "engine/prune/masks.h"
#include "engine/prune/unstructured.h"
#include "engine/prune/prune_test_util.h"

namespace distillery {
namespace {

std::vector<float> sparse_kernel(int in, int out, float sparsity, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> w(static_cast<size_t>(in) * out);
  for (float& v : w) v = rng.uniform() < sparsity ? 0.0f : rng.uniform(-1.0f, 1.0f);
  return w;
}

TEST(CsrKernel, EqualsDenseGemmOnOddShapes) {
  struct Case {
    int n, in, out;
    float sparsity;
  };
  const Case cases[] = {{1, 1, 1, 0.0f},    {1, 7, 3, 0.5f},     {3, 13, 5, 0.9f},
                        {4, 33, 17, 0.8f},  {5, 1, 9, 0.3f},     {64, 31, 29, 0.95f},
                        {67, 19, 11, 0.7f}, {130, 40, 3, 0.99f}, {9, 10, 10, 1.0f}};
  for (const Case& c : cases) {
    const std::vector<float> w = sparse_kernel(c.in, c.out, c.sparsity, c.n * 31 + c.in);
    const Tensor x = test::random_batch(Shape{c.in}, c.n, c.out);
    std::vector<float> bias(static_cast<size_t>(c.out));
    for (int o = 0; o < c.out; ++o) bias[o] = 0.1f * o - 0.3f;
    std::vector<float> expected(static_cast<size_t>(c.n) * c.out);
    gemm(false, false, c.n, c.out, c.in, 1.0f, x.data(), c.in, w.data(), c.out, 0.0f, expected.data(), c.out);
    for (int s = 0; s < c.n; ++s)
      for (int o = 0; o < c.out; ++o) expected[static_cast<size_t>(s) * c.out + o] += bias[o];

    const CsrMatrix csr = csr_from_dense_kernel(w.data(), c.in, c.out);
    EXPECT_EQ(csr.nonzeros(), static_cast<int64_t>(w.size() - std::count(w.begin(), w.end(), 0.0f)));
    EXPECT_EQ(csr.bytes(), csr.nonzeros() * 8 + (c.out + 1) * 4);
    std::vector<float> y(expected.size(), -7.0f), workspace;
    csr_dense_forward(csr, x.data(), c.n, bias.data(), y.data(), workspace);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], expected[i], 1e-4f) << "case n=" << c.n << " in=" << c.in;
    // Without a bias.
    csr_dense_forward(csr, x.data(), c.n, nullptr, y.data(), workspace);
    for (int s = 0; s < c.n; ++s)
      for (int o = 0; o < c.out; ++o)
        ASSERT_NEAR(y[static_cast<size_t>(s) * c.out + o], expected[static_cast<size_t>(s) * c.out + o] - bias[o],
                    1e-4f);
  }
}

// Tests set one threshold and restore the platform defaults after.
struct ThresholdGuard {
  ~ThresholdGuard() { reset_sparse_dense_threshold(); }
};

TEST(CsrKernel, DenseLayerPicksTheSparsePathPastTheThreshold) {
  ThresholdGuard guard;
  Model m = test::make_mlp();
  const Tensor x = test::random_batch(m.input_shape(), 37, 4);
  set_sparse_dense_threshold(2.0f);  // never sparse: the dense reference
  prune_magnitude(m, 0.9f);
  const Tensor dense_logits = m.predict_logits(x);
  auto& d1 = dynamic_cast<Dense&>(m.layer(1));
  EXPECT_FALSE(d1.uses_sparse_kernel());

  set_sparse_dense_threshold(0.7f);
  weights_changed(m);
  const Tensor sparse_logits = m.predict_logits(x);
  EXPECT_TRUE(d1.uses_sparse_kernel());
  EXPECT_EQ(d1.sparse_kernel().nonzeros(), 36 * 24 - std::llround(0.9 * 36 * 24));
  EXPECT_LT(test::max_abs_diff(dense_logits, sparse_logits), 1e-5f);
  // Batch 1 takes the gathered-dot path.
  Tensor one = test::random_batch(m.input_shape(), 1, 9);
  const Tensor a = m.predict_logits(one);
  set_sparse_dense_threshold(2.0f);
  weights_changed(m);
  EXPECT_LT(test::max_abs_diff(a, m.predict_logits(one)), 1e-5f);

  // A layer below the threshold stays dense.
  set_sparse_dense_threshold(0.7f);
  Model light = test::make_mlp();
  prune_magnitude(light, 0.5f);
  light.predict_logits(x);
  EXPECT_FALSE(dynamic_cast<Dense&>(light.layer(1)).uses_sparse_kernel());
}

TEST(CsrKernel, ThresholdsDependOnTheBatchSize) {
  ThresholdGuard guard;
  reset_sparse_dense_threshold();
  EXPECT_GE(sparse_dense_threshold(1), sparse_dense_threshold(64));  // batch 1 is the dense GEMV's best case
  Model m = test::make_mlp();
  prune_magnitude(m, 0.8f);
  auto& d1 = dynamic_cast<Dense&>(m.layer(1));
  const bool single = 0.8f >= sparse_dense_threshold(1), batched = 0.8f >= sparse_dense_threshold(64);
  EXPECT_EQ(d1.uses_sparse_kernel(1), single);
  EXPECT_EQ(d1.uses_sparse_kernel(64), batched);
  // Either way the outputs are the dense ones.
  const Tensor x = test::random_batch(m.input_shape(), 64, 3);
  const Tensor auto_logits = m.predict_logits(x);
  set_sparse_dense_threshold(2.0f);
  weights_changed(m);
  EXPECT_LT(test::max_abs_diff(auto_logits, m.predict_logits(x)), 1e-5f);
}

TEST(CsrKernel, TrainingDropsTheStaleSparseCopy) {
  ThresholdGuard guard;
  set_sparse_dense_threshold(0.7f);
  Model m = test::make_mlp();
  prune_magnitude(m, 0.9f);
  const Tensor x = test::random_batch(m.input_shape(), 5, 4);
  m.predict_logits(x);  // builds the CSR copies
  ASSERT_TRUE(dynamic_cast<Dense&>(m.layer(1)).uses_sparse_kernel());
  // A training step by hand: forward, backward, change the kept weights.
  const Tensor& logits = m.forward(x, true);
  Tensor grad(logits.shape(), 1.0f);
  m.backward(grad);
  for (size_t i = 0; i < m.params().values.size(); ++i)
    if (m.params().masks[i] != 0.0f) m.params().values[i] += 0.05f;
  const Tensor after = m.predict_logits(x);
  set_sparse_dense_threshold(2.0f);
  weights_changed(m);
  const Tensor reference = m.predict_logits(x);
  set_sparse_dense_threshold(0.7f);
  EXPECT_LT(test::max_abs_diff(after, reference), 1e-5f);
}

}  // namespace
}  // namespace distillery
