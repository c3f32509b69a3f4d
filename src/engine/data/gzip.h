#pragma once
// gzip (RFC 1952) decoding: header with its optional fields, raw deflate
// payload, and the CRC-32 / size trailer.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/data_limits.h"

namespace distillery {

// True when the bytes start with the gzip magic 1f 8b.
bool is_gzip(const std::vector<uint8_t>& bytes);

// Decodes a single-member gzip file. `name` appears in error messages. The
// inflated size, read from the trailer, is checked against max_bytes before
// anything is allocated. Throws Error on a bad header, truncated or corrupt
// data, or a CRC/size mismatch.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& bytes, const std::string& name = "gzip data",
                            int64_t max_bytes = DataLimits{}.max_inflated_bytes);

}  // namespace distillery
