#pragma once
// Resource limits for untrusted dataset input. Each is checked before the
// memory it guards is allocated, so a crafted file (a zip bomb, a PNG that
// claims to be 100000x100000) ends in a clear Error instead of running out of
// memory. The defaults suit the browser build (at most 4 GB of wasm memory).
#include <cstdint>

namespace distillery {

constexpr int64_t kGiB = int64_t(1) << 30;

struct DataLimits {
  int64_t max_inflated_bytes = kGiB;       // one gzip stream, or all extracted ZIP entries together
  int max_files = 500000;                  // ZIP entries or files in an uploaded folder
  int max_image_side = 16384;              // width or height of one image, read from its header
  int64_t max_image_pixels = 64 << 20;     // width * height of one image
  int64_t max_dataset_bytes = 2 * kGiB;    // decoded uint8 pixels of the whole dataset
};

}  // namespace distillery
