#pragma once
// A saved session's dataset in a small binary form ("DSTLDATA", version,
// shape, class names, labels, pixels; integers little-endian), kept beside
// the snapshot JSON (session_snapshot.h) when it is small enough.
#include <cstdint>
#include <vector>

#include "engine/data/dataset.h"

namespace distillery {

// A dataset is kept with the session only up to this size (pixels + labels);
// bigger ones are uploaded again after a restore.
constexpr int64_t kMaxSavedDatasetBytes = int64_t(64) << 20;

// Whether the current dataset goes into the snapshot.
bool dataset_fits_snapshot(const Dataset& data);

// Decoding checks every count against the bytes present before allocating,
// and throws Error naming the problem.
std::vector<uint8_t> encode_dataset_bytes(const Dataset& data);
Dataset decode_dataset_bytes(const std::vector<uint8_t>& bytes);

}  // namespace distillery
