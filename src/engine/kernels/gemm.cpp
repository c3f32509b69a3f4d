#include "engine/kernels/gemm.h"

#include <Eigen/Core>

namespace distillery {
namespace {

using Stride = Eigen::OuterStride<>;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstView = Eigen::Map<const RowMajor, 0, Stride>;
using View = Eigen::Map<RowMajor, 0, Stride>;

}  // namespace

void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
  View out(c, m, n, Stride(ldc));
  if (beta == 0.0f)
    out.setZero();
  else if (beta != 1.0f)
    out *= beta;
  // Stored shapes: A is [m, k] or [k, m] (transposed); B is [k, n] or [n, k].
  ConstView a_view(a, transpose_a ? k : m, transpose_a ? m : k, Stride(lda));
  ConstView b_view(b, transpose_b ? n : k, transpose_b ? k : n, Stride(ldb));
  if (!transpose_a && !transpose_b)
    out.noalias() += alpha * a_view * b_view;
  else if (transpose_a && !transpose_b)
    out.noalias() += alpha * a_view.transpose() * b_view;
  else if (!transpose_a && transpose_b)
    out.noalias() += alpha * a_view * b_view.transpose();
  else
    out.noalias() += alpha * a_view.transpose() * b_view.transpose();
}

}  // namespace distillery
