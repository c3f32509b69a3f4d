#pragma once
// Raw DEFLATE decoding (the payload of gzip members and deflated ZIP entries)
// through stb_image's zlib decoder: zlib itself is not available to the
// WebAssembly build, and stb_image is already needed for images.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace distillery {

// Inflates `size` bytes of raw deflate data that must expand to exactly
// `expected_size` bytes (both gzip and ZIP record it). The output buffer is
// allocated once at that size, so the caller checks its limit first.
// Throws Error naming `what` when the data is corrupt, truncated or of
// another size.
// DEFLATE expands at most ~1032:1, so a recorded size beyond this bound for
// the compressed size is a truncated or corrupt header, caught before allocating.
int64_t max_inflated_size(size_t compressed_size);

std::vector<uint8_t> inflate_raw(const uint8_t* data, size_t size, size_t expected_size, const std::string& what);

}  // namespace distillery
