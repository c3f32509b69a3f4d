#pragma once
// Shape: a small list of dimensions. Activations are NHWC; a per-sample shape
// leaves out N (e.g. {28, 28, 1} for an image, {128} for a Dense output).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace distillery {

struct Shape {
  std::vector<int> dims;

  Shape() = default;
  Shape(std::initializer_list<int> d) : dims(d) {}
  explicit Shape(std::vector<int> d) : dims(std::move(d)) {}

  int rank() const { return static_cast<int>(dims.size()); }
  int operator[](int i) const { return dims[i]; }
  int& operator[](int i) { return dims[i]; }
  int64_t size() const {
    int64_t n = 1;
    for (int d : dims) n *= d;
    return n;
  }
  // The same shape with a leading batch dimension.
  Shape with_batch(int n) const {
    Shape s;
    s.dims.reserve(dims.size() + 1);
    s.dims.push_back(n);
    s.dims.insert(s.dims.end(), dims.begin(), dims.end());
    return s;
  }
  // The shape without its leading (batch) dimension.
  Shape without_batch() const { return Shape(std::vector<int>(dims.begin() + 1, dims.end())); }
  bool operator==(const Shape& o) const { return dims == o.dims; }
  bool operator!=(const Shape& o) const { return dims != o.dims; }
  std::string str() const {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
  }
};

}  // namespace distillery
