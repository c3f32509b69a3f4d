#pragma once
// Shared helpers of the libFuzzer targets.
//
// Several targets need more than one file (an IDX pair, a dataset folder).
// Their input is a list of records, each
//   [1 byte: name length N][N bytes: name][4 bytes LE: content length L][L bytes: content]
// where a length running past the end is clipped, so every byte string is a
// valid (if odd) list. make_seeds.cpp writes seeds in the same layout.
//
// The fuzzers use smaller DataLimits than the defaults: the limit checks run
// all the same, but a mutated header claiming 16000x16000 pixels then fails
// fast instead of making libFuzzer allocate gigabytes per input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/data_limits.h"
#include "engine/data/file_entry.h"
#include "engine/model/model.h"

namespace distillery::fuzz {

inline DataLimits fuzz_limits() {
  DataLimits limits;
  limits.max_inflated_bytes = 16 << 20;
  limits.max_files = 64;
  limits.max_image_side = 2048;
  limits.max_image_pixels = 1 << 20;
  limits.max_dataset_bytes = 32 << 20;
  return limits;
}

inline std::vector<FileEntry> split_records(const uint8_t* data, size_t size, size_t max_records) {
  std::vector<FileEntry> files;
  size_t pos = 0;
  while (pos < size && files.size() < max_records) {
    const size_t name_length = data[pos++];
    const size_t name_end = pos + std::min(name_length, size - pos);
    FileEntry file;
    file.path.assign(reinterpret_cast<const char*>(data + pos), name_end - pos);
    pos = name_end;
    uint32_t length = 0;
    for (int i = 0; i < 4 && pos < size; ++i) length |= uint32_t(data[pos++]) << (8 * i);
    const size_t content_end = pos + std::min<size_t>(length, size - pos);
    file.bytes.assign(data + pos, data + content_end);
    pos = content_end;
    files.push_back(std::move(file));
  }
  return files;
}

// The inverse, for the seed generator.
inline void append_record(std::vector<uint8_t>& out, const std::string& name, const std::vector<uint8_t>& bytes) {
  out.push_back(uint8_t(name.size()));
  out.insert(out.end(), name.begin(), name.end());
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(bytes.size() >> (8 * i)));
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// An imported model small enough to run runs one forward pass, which must give
// one output per class (a wrong shape is a crash, not an Error).
inline void check_small_model_runs(Model& model) {
  if (model.input_shape().size() > 4096 || model.flops_per_sample() > (int64_t(1) << 22)) return;
  const Tensor input(model.input_shape().with_batch(1), 0.25f);
  if (model.forward(input, false).size() != model.num_outputs()) __builtin_trap();
}

}  // namespace distillery::fuzz
