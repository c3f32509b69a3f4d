#pragma once
// Tensor: an owning, contiguous, row-major float buffer with a Shape.
// Batched activations use NHWC with N first. Eigen views are provided for the
// 2-D interpretations the kernels need; the Tensor itself stays a plain buffer
// so it can be reused across steps without reallocating (resize keeps capacity).
#include <Eigen/Core>
#include <cassert>
#include <vector>

#include "engine/core/shape.h"

namespace distillery {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape) { resize(std::move(shape)); }
  Tensor(Shape shape, float fill) {
    resize(std::move(shape));
    std::fill(data_.begin(), data_.end(), fill);
  }

  // Changes the shape; keeps the allocation when it is large enough.
  void resize(Shape shape) {
    shape_ = std::move(shape);
    data_.resize(static_cast<size_t>(shape_.size()));
  }
  void set_zero() { std::fill(data_.begin(), data_.end(), 0.0f); }

  const Shape& shape() const { return shape_; }
  int dim(int i) const { return shape_[i]; }
  int64_t size() const { return static_cast<int64_t>(data_.size()); }
  // Leading dimension (batch size for activations).
  int rows() const { return shape_.rank() ? shape_[0] : 1; }
  // Elements per leading index (features per sample).
  int64_t row_size() const { return shape_.rank() ? size() / shape_[0] : size(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }
  std::vector<float>& values() { return data_; }
  const std::vector<float>& values() const { return data_; }

  // The tensor as a [rows, row_size] matrix (batch x features).
  MatrixMap matrix() { return MatrixMap(data(), rows(), row_size()); }
  ConstMatrixMap matrix() const { return ConstMatrixMap(data(), rows(), row_size()); }

 private:
  Shape shape_;
  std::vector<float> data_;
};

}  // namespace distillery
