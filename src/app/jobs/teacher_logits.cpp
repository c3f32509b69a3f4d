#include "app/jobs/teacher_logits.h"

#include <algorithm>

#include "engine/data/batch.h"

namespace distillery {

namespace {
constexpr int kChunk = 256;
}

TeacherLogits::TeacherLogits(Model& teacher, const Dataset& data)
    : teacher_(teacher), data_(data), logits_(Shape{data.size(), teacher.num_outputs()}) {}

bool TeacherLogits::step() {
  if (done()) return false;
  const int count = std::min(kChunk, data_.size() - done_);
  std::vector<int> indices(count);
  for (int i = 0; i < count; ++i) indices[i] = done_ + i;
  gather_batch(data_, indices.data(), count, teacher_.preprocessing, inputs_);
  const Tensor& out = teacher_.forward(inputs_, false);
  std::copy(out.data(), out.data() + out.size(), logits_.data() + static_cast<int64_t>(done_) * out.row_size());
  done_ += count;
  return !done();
}

float TeacherLogits::accuracy(const std::vector<int>& indices) const {
  if (indices.empty()) return -1;
  const int64_t c = logits_.row_size();
  int correct = 0;
  for (int i : indices) {
    const float* row = logits_.data() + i * c;
    correct += static_cast<int>(std::max_element(row, row + c) - row) == data_.labels[i];
  }
  return static_cast<float>(correct) / static_cast<float>(indices.size());
}

}  // namespace distillery
