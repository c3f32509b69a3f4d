#pragma once
// Shape: a small list of dimensions. Activations are NHWC; a per-sample shape
// leaves out N (e.g. {28, 28, 1} for an image, {128} for a Dense output).
//
// The dimensions live inline (at most kMaxRank), not on the heap: every layer
// resizes its output with a fresh Shape each step, and a training step must
// not allocate (docs/BENCHMARKS.md, "Allocations per step").
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/core/error.h"

namespace distillery {

// The most dimensions a shape may have: a batch of images is 4, a conv kernel 4.
constexpr int kMaxRank = 8;

// A fixed-capacity list of ints with the parts of std::vector's interface that
// shapes use (iteration, push_back, ==). Growing past kMaxRank throws Error,
// since shapes come from files too.
class Dims {
 public:
  using value_type = int;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int&;
  using const_reference = const int&;
  using pointer = int*;
  using const_pointer = const int*;
  using iterator = int*;
  using const_iterator = const int*;

  Dims() = default;
  Dims(std::initializer_list<int> d) : Dims(d.begin(), d.end()) {}
  template <class It>
  Dims(It first, It last) {
    for (; first != last; ++first) push_back(*first);
  }
  explicit Dims(const std::vector<int>& d) : Dims(d.begin(), d.end()) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  static constexpr size_t capacity() { return kMaxRank; }
  void reserve(size_t n) { check_capacity(n); }
  void clear() { size_ = 0; }
  void push_back(int d) {
    check_capacity(size_ + 1);
    values_[size_++] = d;
  }

  int* data() { return values_; }
  const int* data() const { return values_; }
  int* begin() { return values_; }
  int* end() { return values_ + size_; }
  const int* begin() const { return values_; }
  const int* end() const { return values_ + size_; }
  int& operator[](size_t i) { return values_[i]; }
  int operator[](size_t i) const { return values_[i]; }
  int front() const { return values_[0]; }
  int back() const { return values_[size_ - 1]; }

  bool operator==(const Dims& o) const { return size_ == o.size_ && std::equal(begin(), end(), o.begin()); }
  bool operator!=(const Dims& o) const { return !(*this == o); }
  std::vector<int> to_vector() const { return std::vector<int>(begin(), end()); }

 private:
  static void check_capacity(size_t n) {
    if (n > static_cast<size_t>(kMaxRank))
      throw Error("a shape has at most " + std::to_string(kMaxRank) + " dimensions, got " + std::to_string(n));
  }

  int values_[kMaxRank] = {};
  uint8_t size_ = 0;
};

// JSON output (nlohmann finds this through ADL): a plain array of ints.
template <class Json>
void to_json(Json& j, const Dims& dims) {
  j = Json::array();
  for (int d : dims) j.push_back(d);
}

struct Shape {
  Dims dims;

  Shape() = default;
  Shape(std::initializer_list<int> d) : dims(d) {}
  explicit Shape(const std::vector<int>& d) : dims(d) {}

  int rank() const { return static_cast<int>(dims.size()); }
  int operator[](int i) const { return dims[static_cast<size_t>(i)]; }
  int& operator[](int i) { return dims[static_cast<size_t>(i)]; }
  int64_t size() const {
    int64_t n = 1;
    for (int d : dims) n *= d;
    return n;
  }
  // The same shape with a leading batch dimension.
  Shape with_batch(int n) const {
    Shape s;
    s.dims.push_back(n);
    for (int d : dims) s.dims.push_back(d);
    return s;
  }
  // The shape without its leading (batch) dimension.
  Shape without_batch() const {
    Shape s;
    for (size_t i = 1; i < dims.size(); ++i) s.dims.push_back(dims[i]);
    return s;
  }
  bool operator==(const Shape& o) const { return dims == o.dims; }
  bool operator!=(const Shape& o) const { return dims != o.dims; }
  std::string str() const {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
  }
};

}  // namespace distillery
