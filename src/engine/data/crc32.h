#pragma once
// CRC-32 (IEEE 802.3, the checksum of gzip and ZIP).
#include <cstddef>
#include <cstdint>

namespace distillery {

// crc32(data) for a whole buffer; pass a previous result as `crc` to continue.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace distillery
